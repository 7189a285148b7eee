"""Training end to end on the device: the MNIST CNN of pytensor/examples/mnist.py (SGD with
momentum) and the quickstart MLP (Adam), trained on the GPU and on the CPU from the same weights
on the same batches of the bundled MNIST sample, agree step by step and in final accuracy, and
keep parameters, gradients and optimizer state on the device; Module.to / cpu round trips keep
BatchNorm's running statistics and the Parameter objects an optimizer holds; a state_dict saved
from the device loads onto the CPU; the main job trains with --device.
cuda-marked: skipped without a GPU; PYTENSOR_TEST_GPU=cpu dry-runs them on the CPU."""
import functools
import os
import sys

import numpy as np
import pytest

import pytensor
import pytensor.nn.functional as F
from pytensor import nn
from pytensor.examples import mnist
from helpers import GPU, assert_close, on_gpu, to_np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
from quickstart import NeuralNetwork  # noqa: E402

pytestmark = pytest.mark.cuda

N_TRAIN, N_TEST, BATCH = 2560, 1000, 32  # 80 steps: seconds on a GPU, a few on the CPU


@functools.lru_cache(maxsize=None)
def sample():
    """(batches, test images, test labels) of the bundled sample, normalised as the main job
    does; the batches are a fixed shuffle, so every run sees the same ones in the same order."""
    train_x, train_y, test_x, test_y, _ = mnist.load_splits(None)
    x, y = mnist.to_dataset(train_x, train_y, N_TRAIN).tensors
    order = pytensor.from_numpy(np.random.default_rng(0).permutation(N_TRAIN))
    batches = [(x.index_select(0, i), y.index_select(0, i)) for i in order.split(BATCH)]
    return batches, *mnist.to_dataset(test_x, test_y, N_TEST).tensors


def twin_models(make):
    """The same freshly initialised model on the CPU and on the device."""
    pytensor.manual_seed(0)
    cpu = make()
    dev = make()
    dev.load_state_dict(cpu.state_dict())
    return cpu, dev.to(GPU)


def train(model, optimizer, device):
    """One epoch over the sample's batches; returns the losses of every step."""
    model.train()
    losses = []
    for x, y in sample()[0]:
        loss = F.cross_entropy(model(x.to(device)), y.to(device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def accuracy(model, device):
    _, x, y = sample()
    model.eval()
    with pytensor.no_grad():
        return (model(x.to(device)).argmax(1) == y.to(device)).float().mean().item()


def assert_all_on_device(model, optimizer, state_keys):
    for name, p in model.named_parameters():
        assert on_gpu(p), f"parameter {name} left the device"
        assert p.grad is not None and on_gpu(p.grad), f"{name}.grad not on the device"
        for key in state_keys:
            assert on_gpu(optimizer.state[p][key]), f"optimizer state {key} of {name} not on the device"


def first_step_grads_agree(cpu, dev):
    """One forward and backward of the first batch on both models: same loss, same gradients."""
    x, y = sample()[0][0]
    losses = []
    for model, device in ((cpu, "cpu"), (dev, GPU)):
        loss = F.cross_entropy(model(x.to(device)), y.to(device))
        loss.backward()
        losses.append(loss.item())
    assert losses[1] == pytest.approx(losses[0], rel=1e-4)
    for (name, p), q in zip(cpu.named_parameters(), dev.parameters()):
        g = to_np(p.grad).astype(np.float64)
        assert on_gpu(q.grad), name
        assert_close(q.grad, g, rtol=1e-3, atol=1e-4 * np.abs(g).max())
        p.grad = q.grad = None


@pytest.mark.parametrize("name, make, make_opt, state_keys", [
    ("MNIST CNN, SGD momentum", mnist.CNN,
     lambda params: pytensor.optim.SGD(params, lr=0.01, momentum=0.9), ["momentum_buffer"]),
    ("quickstart MLP, Adam", NeuralNetwork,
     lambda params: pytensor.optim.Adam(params, lr=1e-3), ["exp_avg", "exp_avg_sq"]),
])
def test_training_on_the_device_matches_the_cpu(name, make, make_opt, state_keys):
    cpu, dev = twin_models(make)
    first_step_grads_agree(cpu, dev)
    cpu_opt, dev_opt = make_opt(cpu.parameters()), make_opt(dev.parameters())
    cpu_losses, dev_losses = train(cpu, cpu_opt, "cpu"), train(dev, dev_opt, GPU)
    assert_all_on_device(dev, dev_opt, state_keys)
    # the first steps run on nearly equal weights; later ones drift apart by float rounding only
    np.testing.assert_allclose(dev_losses[:5], cpu_losses[:5], rtol=1e-3)
    assert np.mean(dev_losses[-5:]) < 0.5 * np.mean(dev_losses[:5]), dev_losses
    cpu_acc, dev_acc = accuracy(cpu, "cpu"), accuracy(dev, GPU)
    assert dev_acc > 0.8 and abs(dev_acc - cpu_acc) <= 0.02, (dev_acc, cpu_acc)


def bn_model():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 26 * 26, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 10))


def state_arrays(model):
    """Copies (to_np of a CPU tensor shares its memory, which the optimizer updates in place)."""
    return {k: np.array(to_np(v.detach())) for k, v in model.state_dict().items()}


def test_module_to_device_and_back_keeps_buffers_and_parameters():
    pytensor.manual_seed(0)
    model = bn_model()
    optimizer = pytensor.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)  # made before the move
    params = list(model.parameters())
    x, y = sample()[0][0]
    model(x)  # running statistics away from their initial 0 / 1
    before = state_arrays(model)
    assert before["1.num_batches_tracked"] == 1 and np.abs(before["1.running_mean"]).max() > 0

    assert model.to(GPU) is model
    assert all(p is q for p, q in zip(model.parameters(), params))  # the optimizer's objects
    for k, v in model.state_dict().items():
        assert on_gpu(v), k
        np.testing.assert_array_equal(to_np(v), before[k], err_msg=k)
    assert model.state_dict()["1.num_batches_tracked"].dtype == pytensor.int64

    # a training step on the device: buffers updated there, the optimizer's parameters move
    reference = bn_model()
    reference.load_state_dict(model.state_dict())
    loss = F.cross_entropy(model(x.to(GPU)), y.to(GPU))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    assert_close(loss.detach(), F.cross_entropy(reference(x), y).item(), rtol=1e-4)
    assert_close(model[1].running_mean, to_np(reference[1].running_mean), rtol=1e-4, atol=1e-5)
    assert model[1].num_batches_tracked.item() == 2
    assert on_gpu(optimizer.state[params[0]]["momentum_buffer"])
    assert not np.array_equal(to_np(params[0].detach()), before["0.weight"])

    on_device = state_arrays(model)
    assert model.cpu() is model
    for k, v in model.state_dict().items():
        assert v.device.type == "cpu", k
        np.testing.assert_array_equal(to_np(v), on_device[k], err_msg=k)
    assert all(p is q for p, q in zip(model.parameters(), params))


def test_module_cuda_method():
    if GPU != "cuda":
        pytest.skip("Module.cuda() needs a GPU (the dry run has none)")
    model = bn_model().cuda()
    assert all(t.is_cuda for t in model.state_dict().values())
    assert not any(t.is_cuda for t in model.cpu().state_dict().values())


def test_state_dict_saved_on_the_device_loads_onto_the_cpu(tmp_path):
    cpu, dev = twin_models(bn_model)
    dev(sample()[0][0][0].to(GPU))  # running statistics computed on the device
    path = str(tmp_path / "model.pth")
    pytensor.save(dev.state_dict(), path)
    expected = state_arrays(dev)
    saved_as = next(iter(dev.state_dict().values())).device
    for map_location in ["cpu", pytensor.device("cpu"), {str(saved_as): "cpu"}, lambda s, loc: s]:
        loaded = pytensor.load(path, map_location=map_location)
        assert loaded.keys() == expected.keys()
        for k, v in loaded.items():
            assert v.device.type == "cpu", (map_location, k)
            np.testing.assert_array_equal(to_np(v), expected[k], err_msg=k)
    assert all(on_gpu(v) for v in pytensor.load(path).values())  # saved device, by default

    cpu.load_state_dict(pytensor.load(path, map_location="cpu"))
    x = sample()[1][:16]
    cpu.eval()
    dev.eval()
    with pytensor.no_grad():
        assert_close(dev(x.to(GPU)), to_np(cpu(x)), rtol=1e-4, atol=1e-5)


def test_main_job_trains_on_the_device(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(mnist, "tqdm", None)
    out_file = str(tmp_path / "cnn.pth")
    result = mnist.main(["--device", GPU, "--epochs", "1", "--limit", "2000", "--batch-size", "32", "--out", out_file])
    out = capsys.readouterr().out
    assert f"parameters on {GPU}" in out and "epoch 1/1: loss" in out
    (loss, acc), = result["history"]
    assert np.isfinite(loss) and result["test_accuracy"] > 0.6
    state = pytensor.load(out_file, map_location="cpu")
    assert all(v.device.type == "cpu" for v in state.values())
    model = mnist.CNN()
    model.load_state_dict(state)
