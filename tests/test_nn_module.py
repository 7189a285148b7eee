"""nn.Module, Parameter and containers: registration, traversal order, state_dict, modes, hooks,
dtype conversion, reprs (hard-coded PyTorch output) and pickling."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import pytensor
import pytensor.nn as nn

TUTORIAL_REPR = """NeuralNetwork(
  (flatten): Flatten(start_dim=1, end_dim=-1)
  (linear_relu_stack): Sequential(
    (0): Linear(in_features=784, out_features=512, bias=True)
    (1): ReLU()
    (2): Linear(in_features=512, out_features=512, bias=True)
    (3): ReLU()
    (4): Linear(in_features=512, out_features=10, bias=True)
  )
)"""


def make_tutorial(nn_mod):
    class NeuralNetwork(nn_mod.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn_mod.Flatten()
            self.linear_relu_stack = nn_mod.Sequential(
                nn_mod.Linear(28 * 28, 512), nn_mod.ReLU(), nn_mod.Linear(512, 512),
                nn_mod.ReLU(), nn_mod.Linear(512, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))
    return NeuralNetwork()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.register_buffer("stat", pytensor.zeros(4))
        self.register_buffer("scratch", pytensor.zeros(1), persistent=False)
        self.block = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
        self.scale = nn.Parameter(pytensor.ones(1))

    def forward(self, x):
        return self.block(self.fc1(x)) * self.scale


# ---- Parameter ------------------------------------------------------------------------------

def test_parameter_shares_storage_and_is_a_tensor():
    data = pytensor.ones(2, 3)
    p = nn.Parameter(data)
    assert isinstance(p, pytensor.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf
    assert p.data_ptr() == data.data_ptr()
    assert not nn.Parameter(data, requires_grad=False).requires_grad
    (p * 2).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), np.full((2, 3), 2.0))
    assert type(p + 1) is pytensor.Tensor
    assert nn.Parameter().shape == (0,)
    with pytest.raises(TypeError):
        nn.Parameter([1.0, 2.0])


def test_parameter_repr():
    assert repr(nn.Parameter(pytensor.ones(2, 3))) == (
        "Parameter containing:\ntensor([[1., 1., 1.],\n        [1., 1., 1.]], requires_grad=True)")
    assert repr(nn.Parameter(pytensor.ones(2), requires_grad=False)) == \
        "Parameter containing:\ntensor([1., 1.])"
    assert repr(nn.Parameter(pytensor.ones(2, dtype=pytensor.float64))) == \
        "Parameter containing:\ntensor([1., 1.], dtype=pytensor.float64, requires_grad=True)"


def test_parameter_pickle_and_deepcopy():
    p = nn.Parameter(pytensor.tensor([1.0, 2.0]))
    q = pickle.loads(pickle.dumps(p))
    assert type(q) is nn.Parameter and q.requires_grad
    np.testing.assert_array_equal(q.detach().numpy(), [1.0, 2.0])
    r = copy.deepcopy(p)
    assert type(r) is nn.Parameter and r.data_ptr() != p.data_ptr()
    np.testing.assert_array_equal(r.detach().numpy(), [1.0, 2.0])


# ---- registration and traversal -------------------------------------------------------------

def test_named_parameters_order_and_names():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_parameters(prefix="m")][0] == "m.scale"
    assert [n for n, _ in net.named_buffers()] == ["stat", "scratch"]
    assert [n for n, _ in net.named_children()] == ["fc1", "block"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "block", "block.0", "block.1"]
    assert len(list(net.parameters())) == 5 and len(list(net.modules())) == 5


def test_shared_parameters_are_listed_once():
    net = nn.Module()
    lin = nn.Linear(2, 2)
    net.a, net.b = lin, lin
    assert [n for n, _ in net.named_parameters()] == ["a.weight", "a.bias"]
    assert len(list(net.named_parameters(remove_duplicate=False))) == 4
    assert list(net.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]


def test_state_dict_keys_for_tutorial_model():
    sd = make_tutorial(nn).state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["linear_relu_stack.0.weight", "linear_relu_stack.0.bias",
                        "linear_relu_stack.2.weight", "linear_relu_stack.2.bias",
                        "linear_relu_stack.4.weight", "linear_relu_stack.4.bias"]
    assert not sd["linear_relu_stack.0.weight"].requires_grad
    sd = Net().state_dict(keep_vars=True)
    assert list(sd) == ["scale", "stat", "fc1.weight", "fc1.bias", "block.0.weight",
                        "block.0.bias"]
    assert isinstance(sd["scale"], nn.Parameter)


def test_setattr_moves_and_deletes():
    m = nn.Module()
    m.x = nn.Parameter(pytensor.ones(1))
    assert "x" in m._parameters
    with pytest.raises(TypeError, match="cannot assign 'pytensor.nn.modules.linear.Linear' as parameter 'x'"):
        m.x = nn.Linear(1, 1)
    del m.x
    m.x = nn.Linear(1, 1)
    assert "x" in m._modules and "x" not in m._parameters
    m.y = nn.Linear(1, 1)
    m.y = nn.Parameter(pytensor.ones(1))
    assert "y" in m._parameters and "y" not in m._modules
    m.x = None
    assert m.x is None and "x" in m._modules
    del m.x
    assert not hasattr(m, "x")
    m.register_buffer("b", pytensor.zeros(2))
    m.b = pytensor.ones(2)
    assert m._buffers["b"].sum().item() == 2
    m.plain = pytensor.ones(1)  # a plain tensor is an ordinary attribute
    assert "plain" not in m._buffers and "plain" not in m._parameters


def test_registration_errors():
    m = nn.Module()
    with pytest.raises(TypeError, match=r"cannot assign 'pytensor.FloatTensor' object to parameter 'a'"):
        m.register_parameter("a", pytensor.ones(1))
    with pytest.raises(KeyError, match="got: a.b"):
        m.add_module("a.b", nn.ReLU())
    with pytest.raises(KeyError, match="empty string"):
        m.add_module("", nn.ReLU())
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        m.add_module("x", 3)
    m.y = 3
    with pytest.raises(KeyError, match="attribute 'y' already exists"):
        m.register_buffer("y", pytensor.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'buf'"):
        m.register_buffer("buf", 3)
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'foo'"):
        m.foo
    m.lin = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'lin'"):
        m.lin = 3
    with pytest.raises(TypeError, match="cannot assign 'pytensor.FloatTensor' as parameter 'bias'"):
        m.lin.bias = pytensor.ones(1)
    x = pytensor.ones(1, requires_grad=True)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'w'"):
        m.register_parameter("w", _non_leaf_parameter(x))
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward"'):
        m(1)


def _non_leaf_parameter(x):
    # A Parameter with history can only be made by relabelling a computed tensor.
    q = x * 2
    q.__class__ = nn.Parameter
    return q


def test_assign_before_init_raises():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(pytensor.ones(1))

    class BadModule(nn.Module):
        def __init__(self):
            self.l = nn.Linear(1, 1)
    with pytest.raises(AttributeError, match=r"cannot assign parameters before Module.__init__\(\) call"):
        Bad()
    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\) call"):
        BadModule()


def test_get_submodule_and_parameter():
    net = Net()
    assert net.get_submodule("block.0") is net.block[0]
    assert net.get_submodule("") is net
    assert net.get_parameter("block.0.bias") is net.block[0].bias
    assert net.get_buffer("stat") is net.stat
    with pytest.raises(AttributeError, match="Sequential has no attribute `7`"):
        net.get_submodule("block.7")
    with pytest.raises(AttributeError, match="`in_features` is not an nn.Parameter"):
        net.get_parameter("fc1.in_features")
    with pytest.raises(AttributeError, match="Linear has no attribute `x`"):
        net.get_parameter("fc1.x")


def test_dir_lists_members():
    net = Net()
    d = dir(net)
    assert {"fc1", "block", "scale", "stat", "forward"} <= set(d)
    assert "0" not in dir(net.block)


# ---- load_state_dict ------------------------------------------------------------------------

def test_load_state_dict_roundtrip():
    a, b = Net(), Net()
    result = b.load_state_dict(a.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (n, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    assert b.block[0].weight.requires_grad  # copied in place: still a leaf Parameter


def test_load_state_dict_errors_match_pytorch():
    lin = nn.Linear(2, 3)
    with pytest.raises(RuntimeError) as e:
        lin.load_state_dict({"weight": pytensor.ones(3, 3), "foo": pytensor.ones(1)})
    assert str(e.value) == (
        'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". '
        '\n\tUnexpected key(s) in state_dict: "foo". \n\tsize mismatch for weight: copying a '
        "param with shape pytensor.Size([3, 3]) from checkpoint, the shape in current model is "
        "pytensor.Size([3, 2]).")
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        lin.load_state_dict({"weight": pytensor.ones(3, 3), "bias": pytensor.ones(3)}, strict=False)
    result = lin.load_state_dict({"weight": pytensor.ones(3, 2), "x": pytensor.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["x"]
    np.testing.assert_array_equal(lin.weight.detach().numpy(), np.ones((3, 2)))
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        lin.load_state_dict([1])
    with pytest.raises(RuntimeError, match='While copying the parameter named "weight"'):
        lin.load_state_dict({"weight": 3, "bias": pytensor.ones(3)})


def test_load_state_dict_nested_and_buffers():
    a, b = Net(), Net()
    a.stat.fill_(7)
    sd = a.state_dict()
    assert "scratch" not in sd
    b.load_state_dict(sd)
    assert b.stat.sum().item() == 28
    del sd["block.0.bias"]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "block.0.bias"'):
        b.load_state_dict(sd)


def test_load_state_dict_assign():
    lin = nn.Linear(2, 2)
    w = pytensor.ones(2, 2)
    lin.load_state_dict({"weight": w, "bias": pytensor.zeros(2)}, assign=True)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.data_ptr() == w.data_ptr()


# ---- modes, grads, conversion ---------------------------------------------------------------

def test_train_eval_propagate():
    net = Net()
    assert net.training and net.block[1].training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")


def test_zero_grad_and_requires_grad():
    net = Net()
    net(pytensor.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and p.grad.abs().sum().item() == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_to_dtype_keeps_parameters_and_converts_buffers():
    net = Net()
    w = net.fc1.weight
    before = w.detach().numpy().astype(np.float64)
    assert net.to(pytensor.float64) is net
    assert all(p.dtype == pytensor.float64 for p in net.parameters())
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert net.stat.dtype == pytensor.float64
    np.testing.assert_allclose(net.fc1.weight.detach().numpy(), before)
    out = net(pytensor.randn(2, 3, dtype=pytensor.float64))
    assert out.dtype == pytensor.float64
    net.float()
    assert net.fc1.weight.dtype == pytensor.float32
    # Same dtype: the very same Parameter object stays registered (optimizers rely on it).
    w = net.fc1.weight
    net.to("cpu").to(pytensor.float32)
    assert net.fc1.weight is w
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        net.to(pytensor.int64)


def test_to_keeps_integer_buffers():
    bn = nn.BatchNorm1d(3).double()
    assert bn.num_batches_tracked.dtype == pytensor.int64
    assert bn.running_mean.dtype == pytensor.float64


def test_apply_visits_children_first():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Linear", "ReLU", "Sequential", "Net"]


# ---- hooks ----------------------------------------------------------------------------------

def test_forward_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = lin(pytensor.ones(1, 2))
    np.testing.assert_allclose(out.detach().numpy(), lin.bias.detach().numpy()[None] + 1, rtol=1e-6)
    assert calls == [(1, 2)]
    h1.remove()
    h2.remove()
    out = lin(pytensor.ones(1, 2))
    expected = lin.weight.detach().numpy().sum(1) + lin.bias.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy()[0], expected, rtol=1e-6)
    assert calls == [(1, 2)]


def test_hooks_with_kwargs_prepend_and_handle_context():
    lin = nn.Identity()
    order = []
    lin.register_forward_hook(lambda m, a, o: order.append("second"))
    lin.register_forward_hook(lambda m, a, o: order.append("first"), prepend=True)
    with lin.register_forward_pre_hook(lambda m, a, k: ((a[0] + 1,), k), with_kwargs=True):
        assert lin(1) == 2
    assert lin(1) == 1
    assert order == ["first", "second", "first", "second"]


# ---- containers -----------------------------------------------------------------------------

def test_sequential_indexing_and_editing():
    s = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    assert len(s) == 3 and isinstance(s[-1], nn.Linear)
    tail = s[1:]
    assert isinstance(tail, nn.Sequential) and list(tail._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="index 10 is out of range"):
        s[10]
    del s[0]
    assert list(s._modules) == ["0", "1"] and isinstance(s[0], nn.ReLU)
    s.append(nn.Tanh()).insert(0, nn.Sigmoid()).extend([nn.ReLU()])
    assert [type(m).__name__ for m in s] == ["Sigmoid", "ReLU", "Linear", "Tanh", "ReLU"]
    s[0] = nn.Identity()
    assert isinstance(s[0], nn.Identity)
    assert isinstance(s.pop(1), nn.ReLU) and len(s) == 4
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]
    assert repr(named[0:1]) == "Sequential(\n  (fc): Linear(in_features=1, out_features=1, bias=True)\n)"
    x = pytensor.randn(4, 1)
    np.testing.assert_allclose(named(x).detach().numpy(),
                               np.maximum(named.fc(x).detach().numpy(), 0))


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.ReLU())
    ml += [nn.ReLU(), nn.Tanh()]
    assert len(ml) == 6 and isinstance(ml[-1], nn.Tanh)
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    assert [n for n, _ in ml.named_parameters()][:2] == ["0.weight", "0.bias"]
    with pytest.raises(IndexError, match="index 9 is out of range"):
        ml[9]
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        ml.extend(3)
    del ml[0]
    assert list(ml._modules) == [str(i) for i in range(5)]
    md = nn.ModuleDict({"a": nn.ReLU(), "b": nn.Linear(1, 1)})
    md["c"] = nn.Tanh()
    assert list(md.keys()) == ["a", "b", "c"] and "b" in md and len(md) == 3
    assert [n for n, _ in md.named_parameters()] == ["b.weight", "b.bias"]
    assert isinstance(md.pop("a"), nn.ReLU) and list(md) == ["b", "c"]


def test_parameter_list_and_dict():
    pl = nn.ParameterList([pytensor.ones(2), nn.Parameter(pytensor.ones(2, 3, dtype=pytensor.float64))])
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
    assert list(pl.state_dict()) == ["0", "1"]
    assert repr(pl) == ("ParameterList(\n    (0): Parameter containing: [pytensor.float32 of size 2]\n"
                        "    (1): Parameter containing: [pytensor.float64 of size 2x3]\n)")
    pd = nn.ParameterDict({"a": pytensor.ones(2)})
    assert repr(pd) == "ParameterDict(  (a): Parameter containing: [pytensor.FloatTensor of size 2])"
    assert [n for n, _ in pd.named_parameters()] == ["a"]


# ---- reprs ----------------------------------------------------------------------------------

def test_tutorial_repr_matches_pytorch():
    assert repr(make_tutorial(nn)) == TUTORIAL_REPR
    assert str(make_tutorial(nn)) == TUTORIAL_REPR


def test_tutorial_repr_parity_with_torch():
    torch = pytest.importorskip("torch")
    assert repr(make_tutorial(nn)) == repr(make_tutorial(torch.nn))


def test_container_reprs():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.ReLU(), nn.Tanh()])
    assert repr(ml) == ("ModuleList(\n"
                        "  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
                        "  (3-4): 2 x ReLU()\n"
                        "  (5): Tanh()\n)")
    assert repr(nn.ModuleList()) == "ModuleList()"
    assert repr(nn.Sequential()) == "Sequential()"
    assert repr(nn.ModuleDict({"a": nn.ReLU()})) == "ModuleDict(\n  (a): ReLU()\n)"


# ---- pickling and copying -------------------------------------------------------------------

def test_module_pickle_and_deepcopy():
    net = Net()
    x = pytensor.randn(2, 3)
    expected = net(x).detach().numpy()
    for clone in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert all(isinstance(p, nn.Parameter) for p in clone.parameters())
        np.testing.assert_allclose(clone(x).detach().numpy(), expected, rtol=1e-6)
        assert clone.fc1.weight.data_ptr() != net.fc1.weight.data_ptr()


def test_full_backward_hooks():
    lin = nn.Linear(3, 2)
    with pytensor.no_grad():
        lin.weight.copy_(pytensor.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    seen = []
    handle = lin.register_full_backward_hook(
        lambda m, gi, go: seen.append((m, [g.tolist() for g in gi], [g.tolist() for g in go])))
    x = pytensor.ones(1, 3, requires_grad=True)
    (lin(x) * pytensor.tensor([[1.0, 10.0]])).sum().backward()
    assert seen == [(lin, [[[41.0, 52.0, 63.0]]], [[[1.0, 10.0]]])]
    handle.remove()
    # the hook's return value replaces grad_input; parameters still get their gradients
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    lin.zero_grad()
    x = pytensor.ones(2, 3, requires_grad=True)
    lin(x).sum().backward()
    assert x.grad.tolist() == [[0.0] * 3] * 2 and lin.bias.grad.tolist() == [2.0, 2.0]
    # pre-hooks rewrite grad_output before the module's backward runs
    pre = nn.Linear(3, 2)
    pre.register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
    x = pytensor.ones(4, 3, requires_grad=True)
    pre(x).sum().backward()
    assert pre.bias.grad.tolist() == [8.0, 8.0]
    np.testing.assert_allclose(x.grad.numpy(), np.tile(2 * pre.weight.detach().numpy().sum(0), (4, 1)),
                               rtol=1e-6)


def test_full_backward_hook_inputs_and_errors():
    class Two(nn.Module):
        def forward(self, a, k, b):
            return a * k, b + 1

    two, seen = Two(), []
    two.register_full_backward_hook(lambda m, gi, go: seen.append(
        [None if g is None else g.tolist() for g in gi]))
    a = pytensor.ones(2, requires_grad=True)
    out, _ = two(a, 3.0, pytensor.ones(1))
    out.sum().backward()
    assert seen == [[[3.0, 3.0], None, None]]  # one entry per positional argument
    # no input requires grad: the hook fires with the output gradients, and PyTorch's warning
    lin, seen = nn.Linear(3, 2), []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, len(go))))
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        lin(pytensor.ones(1, 3)).sum().backward()
    assert seen == [((None,), 1)]
    with pytensor.no_grad():
        lin(pytensor.ones(1, 3))
    assert len(seen) == 1
    bad = nn.Linear(3, 2)
    bad.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, "
                                           "got 2, but expected 1"):
        bad(pytensor.ones(1, 3, requires_grad=True)).sum().backward()
    # hooks fire from the last layer back
    seq, order = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)), []
    for i, m in enumerate(seq):
        m.register_full_backward_hook(lambda m, gi, go, i=i: order.append(i))
    seq(pytensor.ones(5, 2, requires_grad=True)).sum().backward()
    assert order == [2, 1, 0]
    # a module pickled without hook tables still runs
    state = dict(nn.Linear(1, 1).__dict__)
    del state["_backward_hooks"], state["_backward_pre_hooks"]
    old = nn.Linear.__new__(nn.Linear)
    old.__setstate__(state)
    assert old(pytensor.ones(1, 1)).shape == (1, 1)
