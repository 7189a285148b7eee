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


def bench(fns, rounds=15, min_time=0.02, sync=None, max_time=None):
    """fns: {name: zero-arg callable}. Returns {name: median seconds per call}.
    sync: called before and after every timed batch of calls, for asynchronous devices (e.g.
    torch.cuda.synchronize), so a batch's time covers its work and none of the previous one's.
    max_time: fewer rounds (at least 3) when the rounds of all candidates would take longer."""
    sync = sync or (lambda: None)

    def timed(fn, n):
        sync()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        sync()
        return time.perf_counter() - t0

    loops, round_time = {}, 0.0
    for name, fn in fns.items():
        timed(fn, 1)
        n = 1
        while True:  # calls per round so that one round takes at least min_time
            t = timed(fn, n)
            if t >= min_time or n >= 1 << 20:
                break
            n *= 2
        loops[name] = n
        round_time += t
    if max_time is not None and round_time * rounds > max_time:
        rounds = max(3, int(max_time / round_time))
    samples = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            samples[name].append(timed(fn, loops[name]) / loops[name])
    return {name: statistics.median(s) for name, s in samples.items()}


def fmt_time(s):
    return f"{s * 1e6:.2f} us" if s < 1e-3 else f"{s * 1e3:.3f} ms"
