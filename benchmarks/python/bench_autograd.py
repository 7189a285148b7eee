"""The cost of recording the tape: a small forward on 1-element tensors with and without
requires_grad (issue goal: at most 1.5x), forward+backward of a small MLP step, and optimizer
steps on the parameters of a 784-512-512-10 MLP, beside PyTorch when importable.

    python benchmarks/python/bench_autograd.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timer import bench, fmt_time  # noqa: E402

import pytensor  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def small_forward(lib, requires_grad):
    a = lib.ones(1, requires_grad=requires_grad)
    b = lib.ones(1)

    def run():
        return ((a * b + a) * 2.0).sum()
    return run


def mlp_step(lib):
    lib.manual_seed(0)
    x, y = lib.randn(64, 34), lib.randn(64, 1)
    ps = [lib.randn(34, 10).requires_grad_(), lib.zeros(10, requires_grad=True),
          lib.randn(10, 8).requires_grad_(), lib.zeros(8, requires_grad=True),
          lib.randn(8, 1).requires_grad_(), lib.zeros(1, requires_grad=True)]

    def run():
        w1, b1, w2, b2, w3, b3 = ps
        h = (x @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        loss = ((h @ w3 + b3 - y) ** 2).mean()
        loss.backward()
        for p in ps:
            p.grad = None
    return run


def optimizer_step(lib, name, **kw):
    """One optimizer step over a 784-512-512-10 MLP's parameters (669,706 floats)."""
    lib.manual_seed(0)
    shapes = [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)]
    ps = [lib.randn(*s).requires_grad_() for s in shapes]
    for p in ps:
        p.grad = lib.randn(*p.shape) * 0.01
    return getattr(lib.optim, name)(ps, **kw).step


def main():
    libs = {"pytensor": pytensor} | ({"torch": torch} if torch is not None else {})
    print("| workload | " + " | ".join(libs) + " |")
    print("|---|" + "---|" * len(libs))
    rows = {}
    for name, make in [("forward, 1-element, no grad", lambda l: small_forward(l, False)),
                       ("forward, 1-element, requires_grad", lambda l: small_forward(l, True)),
                       ("MLP 34-10-8-1 forward+backward, batch 64", mlp_step),
                       ("Adam step, MLP 784-512-512-10", lambda l: optimizer_step(l, "Adam")),
                       ("SGD momentum step, MLP 784-512-512-10",
                        lambda l: optimizer_step(l, "SGD", lr=0.01, momentum=0.9))]:
        t = bench({lib: make(mod) for lib, mod in libs.items()})
        rows[name] = t
        print(f"| {name} | " + " | ".join(fmt_time(t[lib]) for lib in libs) + " |", flush=True)
    for lib in libs:
        ratio = rows["forward, 1-element, requires_grad"][lib] / rows["forward, 1-element, no grad"][lib]
        print(f"recording overhead ({lib}): {ratio:.2f}x")
    if torch is not None:  # PyTorch's own fused CPU kernel, for reference
        t = bench({"torch": optimizer_step(torch, "Adam", fused=True)})["torch"]
        print(f"Adam step, MLP 784-512-512-10, torch fused=True: {fmt_time(t)}")


if __name__ == "__main__":
    main()
