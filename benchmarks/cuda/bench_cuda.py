"""The CUDA suite: pytensor's own kernels beside PyTorch's (cuBLAS / cuDNN) on the same GPU in
one run, with the device's copy bandwidth measured as the ceiling of memory-bound ops.

    python benchmarks/cuda/bench_cuda.py [--quick] [--sections gemm,conv] [--out results.md]
    python benchmarks/cuda/bench_cuda.py --device cpu --quick   # the script's own dry run

Sections, in order: copy (device-to-device copy of 256 MiB: the bandwidth ceiling), gemm
(square float32 1024..8192, exact FFMA and TF32), conv (conv2d forward and forward+backward),
elementwise (add, relu, exp on 64M floats), softmax (softmax, cross-entropy forward+backward),
train (full training steps of the MNIST CNN and the quickstart MLP).

Each section runs in its own process under a time limit (--section-timeout), so a crash or a
sticky CUDA error in one leaves the others their rows; a failing case becomes a row saying why.
Times: median over interleaved rounds (benchmarks/python/timer.py) of N calls bracketed by both
libraries' synchronize(), after warm-up (CUDA events are not exposed by pytensor). `speed` is
torch time / pytensor time (1.00: as fast as PyTorch). Rates come from wall-clock time: TFLOP/s
(2 flops per multiply-add), GB/s (the bytes the op must read and write at least) or images/s.
`diff` is max |pytensor - torch| / max |torch| of one output, a guard against fast wrong kernels.
PyTorch runs with cudnn.allow_tf32 = False and matmul.allow_tf32 = False (exact float32 like
pytensor's convolutions) except in the tf32 rows; conv rows also time torch with cuDNN's TF32
(its default) in the notes. The table is printed and, with --out, written after every section.
"""
import argparse
import datetime
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "python"))
from timer import bench  # noqa: E402  (first: it sets the thread pools' wait policy)
from bench_train import mlp_784  # noqa: E402

import numpy as np  # noqa: E402

import pytensor  # noqa: E402
import pytensor.nn.functional as PF  # noqa: E402

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pytensor's figures alone
    torch = TF = None

# Datasheet peaks (boost clock; TF32 dense, without sparsity), for orientation only: the
# measured ceilings are the copy row and torch's own GEMM. Looked up by a name fragment, in order.
DATASHEET = [  # fragment, FP32 TFLOP/s, TF32 TFLOP/s, memory TB/s
    ("H100 PCIe", 51, 378, 2.0), ("H100 NVL", 60, 417, 3.9), ("H100", 67, 495, 3.35),
    ("H200 NVL", 60, 417, 4.8), ("H200", 67, 495, 4.8), ("A100", 19.5, 156, 2.0),
]

SECTIONS = {}  # name -> function(ctx), in run order


def section(fn):
    SECTIONS[fn.__name__.removeprefix("sec_")] = fn
    return fn


class Ctx:
    """One process's run: device, sizes mode, timer settings, and the rows measured so far."""

    def __init__(self, device, quick, rows_file=None):
        global torch, TF
        self.device, self.quick, self.rows_file = device, quick, rows_file
        self.cuda = device.startswith("cuda")
        if self.cuda and torch is not None and not torch.cuda.is_available():
            print("torch sees no CUDA device here: pytensor's figures alone", flush=True)
            torch = TF = None
        set_matmul_tf32(False)  # exact float32 everywhere; the tf32 cases switch it on
        if torch is not None:
            torch.backends.cudnn.allow_tf32 = False
        self.rounds, self.min_time, self.max_time = (3, 0.005, 2.0) if quick else (7, 0.05, 10.0)
        self.rng = np.random.default_rng(0)
        self.section = None
        if self.cuda and ":" in device:
            pytensor.cuda.set_device(device)
            if torch is not None:
                torch.cuda.set_device(device)
        if not self.cuda and torch is not None:
            torch.set_num_threads(pytensor.get_num_threads())

    def sync(self):
        if self.cuda:
            pytensor.cuda.synchronize()
            if torch is not None:
                torch.cuda.synchronize()

    def free(self):
        """Returns both caching allocators' memory between cases (quietly: after a sticky CUDA
        error this raises too, and the row saying so must still come out)."""
        gc.collect()
        if self.cuda:
            try:
                pytensor.cuda.empty_cache()
                if torch is not None:
                    torch.cuda.empty_cache()
            except Exception:  # noqa: BLE001
                pass

    def randn(self, *shape):
        return self.rng.standard_normal(shape, dtype=np.float32)

    def pt(self, arr, grad=False):
        """A pytensor tensor on the device holding a copy of arr (never arr's own memory:
        on the CPU the two libraries would otherwise share buffers)."""
        return pytensor.from_numpy(np.array(arr)).to(self.device).requires_grad_(grad)

    def th(self, arr, grad=False):
        return torch.from_numpy(np.array(arr)).to(self.device).requires_grad_(grad)

    def run(self, op, shape, setup, work=None, unit=None):
        """One table row. setup() -> (fns, check): fns maps candidate names ("pytensor",
        "torch", extras shown in the notes) to zero-argument calls; check() -> a note, run after
        timing when both libraries ran. A candidate that fails its first call is left out with its
        error in the notes."""
        row = dict(section=self.section, op=op, shape=shape, work=work, unit=unit, times={}, notes=[],
                   error=None)
        fns = check = ok = None
        try:
            fns, check = setup()
            if torch is None:
                fns = {k: v for k, v in fns.items() if k == "pytensor"}
            ok = {}
            for name, fn in fns.items():
                try:
                    fn()
                    self.sync()
                    ok[name] = fn
                except Exception as e:  # noqa: BLE001  (any failure is a finding to report)
                    row["notes"].append(f"{name} failed: {describe(e)}")
            if ok:
                row["times"] = bench(ok, rounds=self.rounds, min_time=self.min_time, sync=self.sync,
                                     max_time=self.max_time)
            if check is not None and "pytensor" in ok and "torch" in ok:
                try:
                    row["notes"].append(check())
                except Exception as e:  # noqa: BLE001
                    row["notes"].append(f"check failed: {describe(e)}")
        except Exception as e:  # noqa: BLE001
            row["error"] = describe(e)
            traceback.print_exc()
        finally:
            fns = check = ok = None
            self.free()
        self.emit(row)

    def emit(self, row):
        times = ", ".join(f"{k} {v * 1e3:.4g} ms" for k, v in row["times"].items())
        print(f"[{row['section']}] {row['op']} {row['shape']}: {times or row['error'] or 'no timing'}"
              + (f" ({'; '.join(row['notes'])})" if row["notes"] else ""), flush=True)
        if self.rows_file:
            with open(self.rows_file, "a") as f:
                f.write(json.dumps(row) + "\n")


def describe(e):
    return f"{type(e).__name__}: {' '.join(str(e).split())}"[:300]


def numpy_of(t):
    return t.detach().cpu().numpy()


def diff(pt_out, th_out, tol=1e-4):
    """The `diff` note: max |pytensor - torch| relative to torch's largest magnitude."""
    a, b = numpy_of(pt_out).astype(np.float64), numpy_of(th_out).astype(np.float64)
    if a.shape != b.shape:
        return f"MISMATCH: shape {a.shape} vs {b.shape}"
    d = float(np.max(np.abs(a - b))) / max(float(np.max(np.abs(b))), 1e-30) if a.size else 0.0
    return f"diff {d:.1e}" + (" MISMATCH" if not d <= tol else "")


# ---- sections ----------------------------------------------------------------------------

@section
def sec_copy(ctx):
    n = (16 if ctx.quick else 256) << 18  # float32 elements in 16 / 256 MiB

    def setup():
        ps, pd = pytensor.ones(n, device=ctx.device), pytensor.empty(n, device=ctx.device)
        fns = {"pytensor": lambda: pd.copy_(ps)}
        if torch is not None:
            ts, td = torch.ones(n, device=ctx.device), torch.empty(n, device=ctx.device)
            fns["torch"] = lambda: td.copy_(ts)
        return fns, None
    ctx.run("copy_ (device to device)", f"{n * 4 >> 20} MiB float32", setup, work=2 * 4 * n, unit="B")


@section
def sec_gemm(ctx):
    def setup(n, tf32):
        def go():
            a, b = ctx.randn(n, n), ctx.randn(n, n)
            pa, pb = ctx.pt(a), ctx.pt(b)
            fns = {"pytensor": lambda: pytensor.matmul(pa, pb)}
            if torch is not None:
                ta, tb = ctx.th(a), ctx.th(b)
                fns["torch"] = lambda: torch.matmul(ta, tb)
            # TF32 keeps 10 mantissa bits of each product's operands
            return fns, lambda: diff(pytensor.matmul(pa, pb), torch.matmul(ta, tb), 1e-2 if tf32 else 1e-4)
        return go

    sizes = [128, 256] if ctx.quick else [1024, 2048, 4096, 8192]
    try:
        for tf32 in (False, True):
            set_matmul_tf32(tf32)
            for n in sizes:
                ctx.run(f"matmul {'tf32' if tf32 else 'fp32 (FFMA)'}", f"{n}x{n} @ {n}x{n}", setup(n, tf32),
                        work=2 * n ** 3, unit="flop")
    finally:
        set_matmul_tf32(False)


def set_matmul_tf32(on):
    pytensor.backends.cuda.matmul.allow_tf32 = on
    if torch is not None:
        torch.backends.cuda.matmul.allow_tf32 = on


# name, in channels, spatial size, out channels, padding, whether the input needs a gradient
# (the first layer's input is the data). The MNIST CNN's layers and a ResNet stage's 3x3 conv.
CONV_LAYERS = [
    ("MNIST conv1", 1, 28, 32, 0, False),
    ("MNIST conv2", 32, 26, 64, 0, True),
    ("ResNet 3x3", 64, 56, 64, 1, True),
]


@section
def sec_conv(ctx):
    def setup(n, c, hw, k, pad, input_grad, backward):
        def go():
            x, w, b = ctx.randn(n, c, hw, hw), ctx.randn(k, c, 3, 3) / (3 * c ** 0.5), ctx.randn(k)
            out_hw = hw + 2 * pad - 2
            g = ctx.randn(n, k, out_hw, out_hw)
            fns, outs = {}, {}
            for name, lib, F, make in (("pytensor", pytensor, PF, ctx.pt), ("torch", torch, TF, ctx.th)):
                if lib is None:
                    continue
                px, pw, pb = make(x, backward and input_grad), make(w, backward), make(b, backward)
                outs[name] = lambda F=F, px=px, pw=pw, pb=pb: F.conv2d(px, pw, pb, padding=pad)
                if backward:
                    fns[name] = fwd_bwd(outs[name], make(g), (px, pw, pb))
                else:
                    fns[name] = without_grad(lib, outs[name])
            if torch is not None and ctx.cuda:
                fns["torch tf32"] = with_cudnn_tf32(fns["torch"])
            return fns, lambda: diff(without_grad(pytensor, outs["pytensor"])(), without_grad(torch, outs["torch"])())
        return go

    batches = [4] if ctx.quick else [64, 256]
    for backward in (False, True):
        for label, c, hw, k, pad, input_grad in CONV_LAYERS:
            for n in batches:
                out_hw = hw + 2 * pad - 2
                flops = 2 * n * k * out_hw * out_hw * c * 9
                passes = 1 + backward * (2 if input_grad else 1)  # forward, then dW (and dX)
                ctx.run(f"conv2d {'fwd+bwd' if backward else 'fwd'} ({label})",
                        f"{n}x{c}x{hw}x{hw} * {k}x{c}x3x3" + (f", pad {pad}" if pad else ""),
                        setup(n, c, hw, k, pad, input_grad, backward), work=flops * passes, unit="flop")


def without_grad(lib, fn):
    def call():
        with lib.no_grad():
            return fn()
    return call


def fwd_bwd(forward, grad_out, leaves):
    """Forward, then backward of a fixed output gradient; the gradients are dropped after each
    call so that none accumulates (an accumulation would add an elementwise pass)."""
    def call():
        forward().backward(grad_out)
        for t in leaves:
            t.grad = None
    return call


def with_cudnn_tf32(fn):
    def call():
        torch.backends.cudnn.allow_tf32 = True
        try:
            fn()
        finally:
            torch.backends.cudnn.allow_tf32 = False
    return call


@section
def sec_elementwise(ctx):
    n = (1 if ctx.quick else 64) << 20
    cases = [  # name, pytensor op, torch op, arrays read, bytes moved per element
        ("add (a + b)", lambda a, b: a + b, lambda a, b: a + b, 2, 12),
        ("relu", lambda a: pytensor.relu(a), lambda a: torch.relu(a), 1, 8),
        ("exp", lambda a: pytensor.exp(a), lambda a: torch.exp(a), 1, 8),
    ]
    for name, pop, top, arity, nbytes in cases:
        def setup(pop=pop, top=top, arity=arity):
            arrays = [ctx.randn(n) for _ in range(arity)]
            pa = [ctx.pt(a) for a in arrays]
            fns = {"pytensor": lambda: pop(*pa)}
            if torch is not None:
                ta = [ctx.th(a) for a in arrays]
                fns["torch"] = lambda: top(*ta)
            return fns, lambda: diff(pop(*pa), top(*ta), 1e-6)
        ctx.run(name, f"{n >> 20}M float32", setup, work=nbytes * n, unit="B")


@section
def sec_softmax(ctx):
    rows, cols = (256, 1024) if ctx.quick else (4096, 4096)

    def softmax():
        x = ctx.randn(rows, cols)
        px = ctx.pt(x)
        fns = {"pytensor": lambda: PF.softmax(px, dim=-1)}
        if torch is not None:
            tx = ctx.th(x)
            fns["torch"] = lambda: TF.softmax(tx, dim=-1)
        return fns, lambda: diff(PF.softmax(px, dim=-1), TF.softmax(tx, dim=-1), 1e-5)
    ctx.run("softmax (dim=-1)", f"{rows}x{cols} float32", softmax, work=8 * rows * cols, unit="B")

    n, classes = (1024, 1000) if ctx.quick else (8192, 1000)

    def cross_entropy():
        x, y = ctx.randn(n, classes), ctx.rng.integers(0, classes, n)
        fns, losses = {}, {}
        for name, lib, F, make in (("pytensor", pytensor, PF, ctx.pt), ("torch", torch, TF, ctx.th)):
            if lib is not None:
                lx, ly = make(x, True), make(y)
                losses[name] = lambda F=F, lx=lx, ly=ly: F.cross_entropy(lx, ly)
                fns[name] = fwd_bwd(losses[name], None, (lx,))
        return fns, lambda: diff(losses["pytensor"](), losses["torch"](), 1e-5)
    ctx.run("cross_entropy fwd+bwd", f"{n}x{classes} logits, int64 targets", cross_entropy,
            work=12 * n * classes, unit="B")


def mnist_cnn(lib):
    """pytensor/examples/mnist.py's CNN (two 3x3 conv + ReLU + 2x2 max-pool stages, then
    800 -> 100 -> 10 logits), built from lib.nn so both libraries run the same layers."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(800, 100), nn.ReLU(), nn.Linear(100, 10))


@section
def sec_train(ctx):
    cases = [  # label, model builder, batch, optimizer
        ("MNIST CNN, SGD momentum", mnist_cnn, 8 if ctx.quick else 64, dict(lr=0.01, momentum=0.9)),
        ("MNIST CNN, SGD momentum", mnist_cnn, 32 if ctx.quick else 512, dict(lr=0.01, momentum=0.9)),
        ("quickstart MLP 784-512-512-10, SGD", mlp_784, 16 if ctx.quick else 64, dict(lr=1e-3)),
    ]
    for label, build, batch, opt_args in cases:
        def setup(build=build, batch=batch, opt_args=opt_args):
            x, y = ctx.randn(batch, 1, 28, 28), ctx.rng.integers(0, 10, batch)
            fns = {}
            for name, lib, make in (("pytensor", pytensor, ctx.pt), ("torch", torch, ctx.th)):
                if lib is not None:
                    lib.manual_seed(0)
                    model = build(lib).to(ctx.device)
                    fns[name] = train_step(model, lib.optim.SGD(model.parameters(), **opt_args),
                                           lib.nn.CrossEntropyLoss(), make(x), make(y))
            return fns, None
        ctx.run(f"train step ({label})", f"batch {batch}", setup, work=batch, unit="img")


def train_step(model, opt, loss_fn, x, y):
    """One step as the tutorials write it (no loss.item(): the timer synchronizes per batch)."""
    def call():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return call


# ---- the table ---------------------------------------------------------------------------

def fmt_ms(s):
    ms = s * 1e3
    return f"{ms:.4f}" if ms < 0.1 else f"{ms:.3f}" if ms < 10 else f"{ms:.1f}"


def fmt_rate(work, unit, s):
    if work is None or s is None:
        return ""
    if unit == "flop":
        return f"{work / s / 1e12:.3g} TFLOP/s"
    if unit == "B":
        return f"{work / s / 1e9:,.0f} GB/s" if work / s >= 1e11 else f"{work / s / 1e9:.3g} GB/s"
    return f"{work / s:,.0f} img/s"


def copy_ceiling(rows):
    """Bytes per second of the faster library's large copy, if the copy section ran."""
    rates = [r["work"] / t for r in rows if r["section"] == "copy" for t in r["times"].values()]
    return max(rates, default=None)


def table(rows):
    ceiling = copy_ceiling(rows)
    out = ["| op | shape | pytensor ms | torch ms | speed vs torch | pytensor rate | torch rate | notes |",
           "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        t = r["times"]
        pt, th = t.get("pytensor"), t.get("torch")
        notes = [f"{k} {fmt_ms(v)} ms" for k, v in t.items() if k not in ("pytensor", "torch")]
        if ceiling and r["unit"] == "B" and r["section"] != "copy":
            notes.append("of copy bw: " + ", ".join(f"{k} {r['work'] / v / ceiling:.2f}"
                                                     for k, v in t.items() if k in ("pytensor", "torch")))
        if ceiling and r["section"] == "copy":
            notes.append(f"bytes = read + write; ceiling (the faster) {ceiling / 1e9:,.0f} GB/s")
        notes += r["notes"] + ([f"ERROR {r['error']}"] if r["error"] else [])
        cells = [r["op"], r["shape"], fmt_ms(pt) if pt else "-", fmt_ms(th) if th else "-",
                 f"{th / pt:.2f}x" if pt and th else "-", fmt_rate(r["work"], r["unit"], pt),
                 fmt_rate(r["work"], r["unit"], th), "; ".join(notes).replace("|", "/")]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def header(args):
    lines = [f"## {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
             f"{device_name(args.device)}{' (--quick)' if args.quick else ''}", ""]
    lines += [f"- {k}: {v}" for k, v in environment(args).items()]
    lines += ["- timing: wall clock (perf_counter) around N calls between synchronize() calls, "
              "median of interleaved rounds after warm-up; speed = torch ms / pytensor ms",
              "- torch: cudnn.allow_tf32 = matmul.allow_tf32 = False (exact float32) except tf32 rows "
              "and the notes' `torch tf32` (cuDNN's default TF32); cudnn.benchmark = False (default)", ""]
    return "\n".join(lines)


def device_name(device):
    try:
        return pytensor.cuda.get_device_name(device) if device.startswith("cuda") else cpu_model()
    except Exception as e:  # noqa: BLE001  (the table must come even so)
        return f"unknown device ({describe(e)})"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "CPU"


def environment(args):
    env = {}
    if args.device.startswith("cuda"):
        env["GPU"] = nvidia_smi(args.device)
        if torch is not None and torch.cuda.is_available():
            p = torch.cuda.get_device_properties(torch.device(args.device))
            env["GPU (torch)"] = (f"{p.name}, {p.total_memory / 2 ** 30:.0f} GiB, {p.multi_processor_count} SMs, "
                                  f"compute capability {p.major}.{p.minor}")
        peaks = next((p for p in DATASHEET if p[0] in device_name(args.device)), None)
        if peaks:
            env["datasheet peaks"] = (f"FP32 {peaks[1]} TFLOP/s, TF32 {peaks[2]} TFLOP/s (dense), "
                                      f"memory {peaks[3]} TB/s (boost clock; orientation only)")
    else:
        env["threads"] = f"{pytensor.get_num_threads()} (both libraries)"
    env["pytensor"] = f"commit {git_commit(args.commit)}, CUDA built: {pytensor.backends.cuda.is_built()}"
    env["torch"] = "not installed" if torch is None else (
        f"{torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}")
    env["python / numpy"] = f"{platform.python_version()} / {np.__version__}"
    return env


def nvidia_smi(device):
    index = device.split(":")[1] if ":" in device else "0"
    try:
        out = subprocess.run(["nvidia-smi", "-i", index, "--query-gpu=name,driver_version,memory.total,clocks.max.sm",
                              "--format=csv,noheader"], capture_output=True, text=True, timeout=30)
        name, driver, memory, clock = (s.strip() for s in out.stdout.strip().split(","))
        return f"{name}, driver {driver}, {memory}, max SM clock {clock}"
    except (OSError, ValueError, subprocess.SubprocessError):
        return "nvidia-smi not available"


def git_commit(given):
    if given:
        return given
    try:
        git = ["git", "-C", ROOT]
        head = subprocess.run(git + ["rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                              timeout=30, check=True).stdout.strip()
        dirty = subprocess.run(git + ["status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, timeout=30).stdout.strip()
        return head + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git checkout; pass --commit)"


# ---- driver: one process per section -----------------------------------------------------

def run_in_process(args, names, rows_file=None):
    ctx = Ctx(args.device, args.quick, rows_file)
    for name in names:
        ctx.section = name
        try:
            SECTIONS[name](ctx)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            ctx.emit(dict(section=name, op=f"({name} section)", shape="", work=None, unit=None, times={},
                          notes=[], error=describe(e)))


def run_isolated(args, name):
    """Runs one section in a child process; returns its rows, plus one saying why it stopped
    early if it crashed or ran out of time (the rows it finished are kept)."""
    with tempfile.TemporaryDirectory() as tmp:
        rows_file = os.path.join(tmp, "rows.jsonl")
        cmd = [sys.executable, os.path.abspath(__file__), "--device", args.device, "--sections", name,
               "--rows-file", rows_file] + (["--quick"] if args.quick else [])
        try:
            rc = subprocess.run(cmd, timeout=args.section_timeout).returncode
            failure = None if rc == 0 else f"section process exited with status {rc}"
        except subprocess.TimeoutExpired:
            failure = f"section stopped after --section-timeout {args.section_timeout} s"
        rows = []
        if os.path.exists(rows_file):
            with open(rows_file) as f:
                rows = [json.loads(line) for line in f if line.strip()]
    if failure:
        print(f"[{name}] {failure}", flush=True)
        rows.append(dict(section=name, op=f"({name} section)", shape="", work=None, unit=None, times={},
                         notes=[], error=failure))
    return rows


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda", help="cuda, cuda:N, or cpu (the script's dry run)")
    p.add_argument("--quick", action="store_true", help="small sizes, few rounds (a smoke test)")
    p.add_argument("--sections", default=",".join(SECTIONS),
                   help=f"comma-separated subset of: {', '.join(SECTIONS)}")
    p.add_argument("--out", help="also write the header and table to this markdown file")
    p.add_argument("--commit", help="the commit to report where the tree is not a git checkout")
    p.add_argument("--section-timeout", type=float, default=240, help="seconds per section process")
    p.add_argument("--no-isolate", action="store_true", help="run every section in this process")
    p.add_argument("--rows-file", help=argparse.SUPPRESS)  # set for the section processes
    args = p.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        p.error(f"unknown sections {unknown}; choose from {', '.join(SECTIONS)}")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.rows_file:  # a section process
        run_in_process(args, args.sections, args.rows_file)
        return None
    head = header(args)
    print(head, flush=True)
    rows = []
    for name in args.sections:
        if args.no_isolate:
            with tempfile.TemporaryDirectory() as tmp:  # the rows come back through the file either way
                rows_file = os.path.join(tmp, "rows.jsonl")
                run_in_process(args, [name], rows_file)
                with open(rows_file) as f:
                    rows += [json.loads(line) for line in f if line.strip()]
        else:
            rows += run_isolated(args, name)
        if args.out:
            with open(args.out, "w") as f:
                f.write(head + "\n" + table(rows) + "\n")
    print("\n" + table(rows), flush=True)
    return rows


if __name__ == "__main__":
    main()
