"""The one timer every Python benchmark uses: warm-up, then candidates interleaved round by
round (so machine noise hits all of them alike), median of the rounds."""
import os
import statistics
import time

# Runs alternate between libraries: threads that spin-wait after one library's call would
# steal the cores from the next (measured: OpenBLAS's spinning halves the next 1024^3 matmul),
# so every thread pool sleeps as soon as it is idle. Import this module before numpy / torch.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")


def bench(fns, rounds=15, min_time=0.02):
    """fns: {name: zero-arg callable}. Returns {name: median seconds per call}."""
    loops = {}
    for name, fn in fns.items():
        fn()
        n, t = 1, 0.0
        while True:  # calls per round so that one round takes at least min_time
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            t = time.perf_counter() - t0
            if t >= min_time or n >= 1 << 20:
                break
            n *= 2
        loops[name] = n
    samples = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            n = loops[name]
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - t0) / n)
    return {name: statistics.median(s) for name, s in samples.items()}


def fmt_time(s):
    return f"{s * 1e6:.2f} us" if s < 1e-3 else f"{s * 1e3:.3f} ms"
