"""Turns pytensor_bench's JSON output (run with --benchmark_repetitions) into the markdown
table of benchmarks/RESULTS.md: median time, median rate, its fraction of the ceiling, and the
run-to-run spread (cv of the time).

    python benchmarks/cpp/results_table.py bench.json
"""
import json
import sys


def main(path):
    with open(path) as f:
        data = json.load(f)
    ctx = data["context"]
    print("Ceilings (best of repeated runs): " + "; ".join(
        f"{k[len('ceiling '):]}: {v}" for k, v in ctx.items() if k.startswith("ceiling ")))
    print(f"Threads: {ctx.get('pytensor threads')}.\n")
    rows = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "aggregate":
            continue
        name = b["run_name"].removesuffix("/real_time")
        rows.setdefault(name, {})[b["aggregate_name"]] = b
    print("| benchmark | median time | rate | fraction of ceiling | cv |")
    print("|---|---|---|---|---|")
    for name, agg in rows.items():
        med = agg["median"]
        cv = agg["cv"]["real_time"] if "cv" in agg else float("nan")
        us = med["real_time"] * {"ns": 1e-3, "us": 1, "ms": 1e3, "s": 1e6}[med["time_unit"]]
        time = f"{us / 1e3:.2f} ms" if us >= 1000 else f"{us:.1f} us"
        if "GFLOPS" in med:
            rate, frac = f"{med['GFLOPS']:.1f} GFLOP/s", f"{med['frac_peak']:.2f} of FMA peak"
        else:
            rate, frac = f"{med['GB/s']:.2f} GB/s", f"{med['frac_bw']:.2f} of triad"
        print(f"| {name} | {time} | {rate} | {frac} | {cv * 100:.0f}% |")


if __name__ == "__main__":
    main(sys.argv[1])
