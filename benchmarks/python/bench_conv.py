"""Convolution and pooling layers of small CNNs, pytensor beside PyTorch (when importable):
forward alone, and forward + backward (input gradient only where a real network needs it:
not for the first layer, whose input is data).

    python benchmarks/python/bench_conv.py [--threads N] [--only pool]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timer import bench, fmt_time  # noqa: E402

import pytensor  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

# name, input shape, weight shape (or the name of a 2x2 pooling), padding, whether the input needs a gradient
LAYERS = [
    ("MNIST conv1 1->32 3x3, 28x28, batch 64", (64, 1, 28, 28), (32, 1, 3, 3), 0, False),
    ("MNIST conv2 32->64 3x3, 26x26, batch 64", (64, 32, 26, 26), (64, 32, 3, 3), 0, True),
    ("LeNet conv1 1->6 5x5, 32x32, batch 64", (64, 1, 32, 32), (6, 1, 5, 5), 0, False),
    ("LeNet conv2 6->16 5x5, 14x14, batch 64", (64, 6, 14, 14), (16, 6, 5, 5), 0, True),
    ("ResNet 64->64 3x3 pad 1, 56x56, batch 8", (8, 64, 56, 56), (64, 64, 3, 3), 1, True),
    ("ResNet 1x1 64->256, 56x56, batch 8", (8, 64, 56, 56), (256, 64, 1, 1), 0, True),
    ("max_pool2d 2x2, 64x24x24, batch 64", (64, 64, 24, 24), "max_pool2d", 0, True),
    ("max_pool2d 2x2, 32x26x26, batch 64", (64, 32, 26, 26), "max_pool2d", 0, True),
    ("avg_pool2d 2x2, 32x26x26, batch 64", (64, 32, 26, 26), "avg_pool2d", 0, True),
]


def layer(lib, shape, wshape, padding, input_grad, backward):
    lib.manual_seed(0)
    x = lib.randn(*shape).requires_grad_(input_grad and backward)
    if isinstance(wshape, str):
        pool = getattr(lib.nn.functional, wshape)

        def fwd():
            return pool(x, 2)
        params = []
    else:
        w = lib.randn(*wshape).requires_grad_(backward)
        b = lib.randn(wshape[0]).requires_grad_(backward)
        params = [w, b]

        def fwd():
            return lib.conv2d(x, w, b, padding=padding)
    if not backward:
        def run():
            with lib.no_grad():
                fwd()
        return run
    grad = fwd().detach() * 0 + 1

    def run():
        fwd().backward(grad)
        for p in params + [x]:
            p.grad = None
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--only", default="", help="run only the layers whose name contains this")
    args = ap.parse_args()
    if args.threads:
        pytensor.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    libs = {"pytensor": pytensor} | ({"torch": torch} if torch is not None else {})
    cols = [f"{lib} {mode}" for mode in ("fwd", "fwd+bwd") for lib in libs]
    print(f"threads: {pytensor.get_num_threads()}")
    print("| layer | " + " | ".join(cols) + (" | torch/pytensor fwd | torch/pytensor fwd+bwd |" if torch else " |"))
    print("|---|" + "---|" * (len(cols) + (2 if torch else 0)))
    for name, shape, wshape, padding, input_grad in LAYERS:
        if args.only not in name:
            continue
        t = {}
        for mode, backward in (("fwd", False), ("fwd+bwd", True)):
            r = bench({lib: layer(mod, shape, wshape, padding, input_grad, backward) for lib, mod in libs.items()},
                      rounds=7)
            t.update({f"{lib} {mode}": v for lib, v in r.items()})
        row = [fmt_time(t[c]) for c in cols]
        if torch is not None:
            row += [f"{t['torch fwd'] / t['pytensor fwd']:.2f}", f"{t['torch fwd+bwd'] / t['pytensor fwd+bwd']:.2f}"]
        print(f"| {name} | " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
