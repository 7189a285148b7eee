"""Conv and pooling layers: reprs as PyTorch prints them, PyTorch's init, shapes, gradients,
and the CNN of the tutorials training a few steps."""
import math

import numpy as np
import pytest

import pytensor
import pytensor.nn as nn
import pytensor.nn.functional as F

REPRS = [
    (lambda: nn.Conv2d(1, 32, 3), "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))"),
    (lambda: nn.Conv2d(3, 8, (3, 5), stride=2, padding=1, dilation=2, bias=False),
     "Conv2d(3, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 2), bias=False)"),
    (lambda: nn.Conv2d(4, 4, 3, padding="same", groups=2),
     "Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, groups=2)"),
    (lambda: nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1),
     "ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))"),
    (lambda: nn.Conv1d(2, 3, 4), "Conv1d(2, 3, kernel_size=(4,), stride=(1,))"),
    (lambda: nn.MaxPool2d(2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    (lambda: nn.MaxPool2d((2, 3), stride=1),
     "MaxPool2d(kernel_size=(2, 3), stride=1, padding=0, dilation=1, ceil_mode=False)"),
    (lambda: nn.AvgPool2d(2), "AvgPool2d(kernel_size=2, stride=2, padding=0)"),
    (lambda: nn.AvgPool1d(3), "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"),
    (lambda: nn.AdaptiveAvgPool2d((1, 1)), "AdaptiveAvgPool2d(output_size=(1, 1))"),
    (lambda: nn.AdaptiveMaxPool2d(2), "AdaptiveMaxPool2d(output_size=2)"),
    (lambda: nn.MaxPool1d(2), "MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
]


@pytest.mark.parametrize("make,expected", REPRS)
def test_reprs_match_pytorch(make, expected):
    assert repr(make()) == expected


def test_parameters_and_default_init():
    conv = nn.Conv2d(6, 16, 5, groups=2)
    assert tuple(conv.weight.shape) == (16, 3, 5, 5) and tuple(conv.bias.shape) == (16,)
    bound = 1 / math.sqrt(3 * 25)
    assert float(conv.weight.abs().max()) <= bound and float(conv.bias.abs().max()) <= bound
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    t = nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert tuple(t.weight.shape) == (4, 3, 3, 3)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")


def test_layers_match_the_functional_ops():
    pytensor.manual_seed(0)
    x = pytensor.randn(2, 3, 9, 9)
    conv = nn.Conv2d(3, 5, 3, stride=2, padding=1)
    np.testing.assert_allclose(conv(x).detach().numpy(),
                               F.conv2d(x, conv.weight, conv.bias, 2, 1).detach().numpy())
    assert tuple(nn.MaxPool2d(2)(x).shape) == (2, 3, 4, 4)
    out, idx = nn.MaxPool2d(3, return_indices=True)(x)
    assert idx.dtype is pytensor.int64 and tuple(out.shape) == (2, 3, 3, 3)
    assert tuple(nn.AdaptiveAvgPool2d(1)(x).shape) == (2, 3, 1, 1)
    assert tuple(nn.ConvTranspose2d(3, 2, 3, stride=2)(x).shape) == (2, 2, 19, 19)
    assert tuple(nn.Conv1d(3, 4, 3)(pytensor.randn(2, 3, 10)).shape) == (2, 4, 8)


class Net(nn.Module):
    """The MNIST CNN of PyTorch's examples."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.fc1 = nn.Linear(16 * 12 * 12, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = pytensor.flatten(x, 1)
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


def test_cnn_learns_a_fixed_batch():
    pytensor.manual_seed(0)
    model = Net()
    x = pytensor.randn(16, 1, 28, 28)
    y = pytensor.randint(0, 10, (16,))
    opt = pytensor.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(30):
        opt.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < first / 5
    assert model.conv1.weight.grad is not None and model.conv1.weight.grad.shape == model.conv1.weight.shape


def _np_conv2d(x, w, b):
    """Plain valid cross-correlation, (N, C, H, W) * (O, C, kh, kw)."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    out = np.zeros((n, o, h - kh + 1, wd - kw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = np.einsum("nchw,ochw->no", x[:, :, i:i + kh, j:j + kw], w)
    return out + b[None, :, None, None]


@pytest.mark.parametrize("mode,np_mode", [("reflect", "reflect"), ("replicate", "edge"),
                                          ("circular", "wrap")])
@pytest.mark.parametrize("padding", [(1, 2), "same"])
def test_conv2d_padding_modes(mode, np_mode, padding):
    conv = nn.Conv2d(2, 3, (3, 4), padding=padding, padding_mode=mode).double()
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 6))
    # 'same' with an even kernel puts the extra column after, as PyTorch does
    widths = ((1, 1), (1, 2)) if padding == "same" else ((1, 1), (2, 2))
    ref = _np_conv2d(np.pad(x, ((0, 0), (0, 0)) + widths, mode=np_mode),
                     conv.weight.detach().numpy(), conv.bias.detach().numpy())
    out = conv(pytensor.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-10, atol=1e-10)
    assert repr(conv).endswith(f", padding_mode={mode})")


def test_conv1d_padding_mode_and_bad_modes():
    conv = nn.Conv1d(1, 1, 3, padding=1, padding_mode="circular", bias=False)
    with pytensor.no_grad():
        conv.weight.fill_(1.0)
    assert conv(pytensor.tensor([[[1.0, 2.0, 3.0, 4.0]]])).tolist() == [[[7.0, 6.0, 9.0, 8.0]]]
    with pytest.raises(ValueError, match="padding_mode must be one of .* but got padding_mode='foo'"):
        nn.Conv2d(1, 1, 3, padding_mode="foo")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect")


def test_conv_padding_modes_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((1, 2, 5, 6)).astype(np.float32)
    for mode in ("reflect", "replicate", "circular"):
        ours = nn.Conv2d(2, 2, 3, stride=2, padding=(2, 1), padding_mode=mode)
        theirs = torch.nn.Conv2d(2, 2, 3, stride=2, padding=(2, 1), padding_mode=mode)
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(ours.weight.detach().numpy()))
            theirs.bias.copy_(torch.from_numpy(ours.bias.detach().numpy()))
        np.testing.assert_allclose(ours(pytensor.from_numpy(x)).detach().numpy(),
                                   theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
        assert repr(ours) == repr(theirs)
