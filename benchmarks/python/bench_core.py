"""pytensor beside numpy and PyTorch (when importable) on the core ops, in one run.

    python benchmarks/python/bench_core.py [--threads N] [--markdown] [--only TEXT]

Prints one row per workload: each library's median time and pytensor's ratio to each
baseline (ratio < 1: pytensor is faster)."""
import argparse
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timer import bench, fmt_time  # noqa: E402  (first: it sets the thread pools' idle policy)

import numpy as np  # noqa: E402

import pytensor  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def workloads(rng):
    """(name, setup) pairs; setup(lib_module) returns a zero-arg callable or None."""
    def arrays(*shapes, dtype=np.float32):
        return [rng.standard_normal(s).astype(dtype) for s in shapes]

    def case(name, shapes, op, dtype=np.float32, positive=False, ops=None):
        """ops: {lib: op} where the libraries spell it differently (a lib left out: "-")."""
        data = arrays(*shapes, dtype=dtype)
        if positive:
            data = [np.abs(a) for a in data]
        ops = ops or {"pytensor": op, "numpy": op, "torch": op}
        impls = {}
        if "pytensor" in ops:
            impls["pytensor"] = ([pytensor.from_numpy(a) for a in data], ops["pytensor"])
        if "numpy" in ops:
            impls["numpy"] = (data, ops["numpy"])
        if torch is not None and "torch" in ops:
            impls["torch"] = ([torch.from_numpy(a) for a in data], ops["torch"])
        return name, impls

    yield case("a + b, 1 element", [(1,), (1,)], lambda x, y: x + y)
    yield case("a * 2.0, 1 element", [(1,)], lambda x: x * 2.0)
    yield case("a + b, 4M float32", [(4_000_000,), (4_000_000,)], lambda x, y: x + y)
    yield case("a + b[row], (2048, 2048) + (2048,)", [(2048, 2048), (2048,)], lambda x, y: x + y)
    yield case("exp, 4M float32", [(4_000_000,)], lambda x: x.exp() if not isinstance(x, np.ndarray) else np.exp(x))
    for n, label in ((1_000_000, "1M"), (16_000_000, "16M")):
        yield case(f"exp, {label} float32", [(n,)], None, ops=methods("exp", np.exp))
        yield case(f"log, {label} float32", [(n,)], None, positive=True, ops=methods("log", np.log))
        yield case(f"tanh, {label} float32", [(n,)], None, ops=methods("tanh", np.tanh))
        yield case(f"sigmoid, {label} float32", [(n,)], None,
                   ops=methods("sigmoid", lambda x: 1 / (1 + np.exp(-x))))
        yield case(f"gelu, {label} float32", [(n,)], None, ops=gelu_ops())
    yield case("sum all, 4M float32", [(4_000_000,)], lambda x: x.sum())
    yield case("sum dim 0, (1000, 1000)", [(1000, 1000)], lambda x: x.sum(0))
    yield case("sum dim 1, (1000, 1000)", [(1000, 1000)], lambda x: x.sum(1))
    yield case("max dim 1, (1000, 1000)", [(1000, 1000)],
               lambda x: x.max(1) if not isinstance(x, np.ndarray) else x.max(1))
    for n in (64, 256, 512, 1024):
        yield case(f"matmul {n}x{n} float32", [(n, n), (n, n)], lambda x, y: x @ y)
    yield case("matmul (64,34)@(34,10) MLP", [(64, 34), (34, 10)], lambda x, y: x @ y)
    yield case("matmul a.T @ b 512", [(512, 512), (512, 512)], lambda x, y: x.T @ y)
    yield case("bmm (32,64,64)", [(32, 64, 64), (32, 64, 64)], lambda x, y: x @ y)
    yield case("transpose+contiguous (1024,1024)", [(1024, 1024)],
               lambda x: x.T.copy() if isinstance(x, np.ndarray) else x.T.contiguous())
    yield case("x[:, ::2] slice view", [(256, 256)], lambda x: x[:, ::2])
    yield case("x[idx] gather rows", [(4096, 64)], lambda x: x[IDX[type(x).__module__]])


IDX = {}


def methods(name, numpy_op):
    """The Tensor method `name` for pytensor and torch, numpy_op for numpy."""
    return {"pytensor": lambda x: getattr(x, name)(), "numpy": numpy_op,
            "torch": lambda x: getattr(x, name)()}


def gelu_ops():
    """nn.functional.gelu (exact, erf form); numpy has no erf, so no numpy column."""
    import pytensor.nn.functional as pF
    ops = {"pytensor": pF.gelu}
    if torch is not None:
        ops["torch"] = torch.nn.functional.gelu
    return ops


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--only", default="", help="run the workloads whose name contains TEXT")
    args = ap.parse_args()
    if args.threads:
        pytensor.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 4096, 1024)
    IDX["numpy"] = idx
    IDX["pytensor"] = IDX["pytensor._C"] = pytensor.from_numpy(idx)
    if torch is not None:
        IDX["torch"] = torch.from_numpy(idx)

    libs = ["pytensor", "numpy"] + (["torch"] if torch is not None else [])
    print(f"# machine: {platform.machine()}, {os.cpu_count()} cpus, {platform.processor() or ''}")
    print(f"# threads: pytensor {pytensor.get_num_threads()}"
          + (f", torch {torch.get_num_threads()} (torch {torch.__version__})" if torch else "")
          + f", numpy {np.__version__}")
    head = ["workload"] + libs + ["pt/np"] + (["pt/torch"] if torch else [])
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, impls in workloads(rng):
        if args.only not in name:
            continue
        fns = {lib: (lambda args=args, op=op: op(*args)) for lib, (args, op) in impls.items()}
        t = bench(fns)
        row = [name] + [fmt_time(t[lib]) if lib in t else "-" for lib in libs]
        row.append(f"{t['pytensor'] / t['numpy']:.2f}" if "numpy" in t else "-")
        if torch is not None:
            row.append(f"{t['pytensor'] / t['torch']:.2f}")
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
