"""Turns pytensor_bench's JSON output (run with --benchmark_repetitions) into the markdown
table of benchmarks/RESULTS.md: per benchmark the median time and rate, the fastest
repetition's rate, both as fractions of the ceiling, the median frac_cpu (work per CPU-second
against the ceiling's: insensitive to other processes holding the cores), and the run-to-run
spread (cv).

    python benchmarks/cpp/results_table.py bench.json
"""
import json
import sys

SCALE_US = {"ns": 1e-3, "us": 1, "ms": 1e3, "s": 1e6}


def fmt_time(b):
    us = b["real_time"] * SCALE_US[b["time_unit"]]
    return f"{us / 1e3:.2f} ms" if us >= 1000 else f"{us:.1f} us"


def main(path):
    with open(path) as f:
        data = json.load(f)
    ctx = data["context"]
    print("Ceilings (best of repeated runs): " + "; ".join(
        f"{k[len('ceiling '):]}: {v}" for k, v in ctx.items() if k.startswith("ceiling ")) +
        f". Threads: {ctx.get('pytensor threads')}.\n")
    rows = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate":
            key = (b["family_index"], b["per_family_instance_index"], b["run_name"])
            rows.setdefault(key, {})[b["aggregate_name"]] = b
    print("| benchmark | median time | median rate | best rate | fraction of ceiling (median / best) "
          "| per CPU-second | cv |")
    print("|---|---|---|---|---|---|---|")
    for (_, _, run_name), agg in sorted(rows.items()):
        med, best = agg["median"], agg["min"]
        # The fastest repetition: rates scale with 1 / time.
        speedup = med["real_time"] / best["real_time"]
        rate, frac, unit, ceiling = (("GFLOPS", "frac_peak", "GFLOP/s", "FMA peak") if "GFLOPS" in med
                                     else ("GB/s", "frac_bw", "GB/s", "triad"))
        print(f"| {run_name.removesuffix('/real_time')} | {fmt_time(med)} | {med[rate]:.2f} {unit} | "
              f"{med[rate] * speedup:.2f} {unit} | {med[frac]:.2f} / {med[frac] * speedup:.2f} of {ceiling} | "
              f"{med['frac_cpu']:.2f} | "
              f"{agg['cv']['real_time'] * 100:.0f}% |")


if __name__ == "__main__":
    main(sys.argv[1])
