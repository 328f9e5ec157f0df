"""transgrad's benchmark suite: every workload, side by side with the peers, in one process.

    .venv/bin/python tests/benchmarks/run.py            # full run (~10 min), writes docs/benchmarks.{md,png}
    .venv/bin/python tests/benchmarks/run.py --quick    # ~1-2 min, prints only (add --write to write the docs)

For each workload (``bench_*.py`` beside this file) it times: the numpy forward, the hand-written
numpy gradient (the reference), transgrad, and, where importable, HIPS autograd, PyTorch (CPU),
JAX without jit and jax.jit. Samples are interleaved (one sample of every system per round, the
order rotated each round); a sample is a batch of calls sized to a few milliseconds; the ratio of a
system to the hand-written gradient is the median over rounds of the two samples' ratio in that
round. First-call time (build + compile + first run) and peak memory are measured separately.
Every gradient is checked against the hand-written one before it is timed.

Everything runs on one thread: the BLAS/OpenMP thread variables are set to 1 before numpy is
imported, torch.set_num_threads(1), and XLA's CPU client is told to use one thread.
"""
import os
import sys

# ---- one thread, before numpy (or anything that imports it) is imported ----
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
             "NUMEXPR_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                           " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ["JAX_ENABLE_X64"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Some machines here set OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow a
# current numpy. The environment README says: to benchmark, unset both together in that command
# alone. This process is that command (pass --keep-openblas-coretype to keep them).
REMOVED_ENV = {}
if "--keep-openblas-coretype" not in sys.argv:
    for _var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if _var in os.environ:
            REMOVED_ENV[_var] = os.environ.pop(_var)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import argparse  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import glob  # noqa: E402
import importlib  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import traceback  # noqa: E402

import numpy as np  # noqa: E402

import transgrad as tg  # noqa: E402
from transgrad import cache as tg_cache  # noqa: E402
from harness import TOLERANCE, Peer, rel_error  # noqa: E402

GRADIENT_SYSTEMS = ["transgrad", "autograd", "torch", "jax", "jax.jit"]
LABELS = {"forward": "numpy forward", "hand": "hand-written", "transgrad": "transgrad",
          "autograd": "autograd", "torch": "PyTorch CPU", "jax": "JAX (no jit)", "jax.jit": "jax.jit"}
NUMPY_BASED = {"forward", "hand", "transgrad", "autograd"}   # what tracemalloc sees


# ----- workloads -----

def load_workloads(only=None):
    workloads = []
    for path in sorted(glob.glob(os.path.join(HERE, "bench_*.py"))):
        module = importlib.import_module(os.path.basename(path)[:-3])
        workloads.extend(module.WORKLOADS)
    order = ["tutorial_2x2", "tutorial_1000", "mlp", "logreg", "lorenz", "rosenbrock", "rnn",
             "doubling", "detach_norm", "elementwise", "trace"]
    workloads.sort(key=lambda w: order.index(w.name) if w.name in order else len(order))
    if only:
        workloads = [w for w in workloads if w.name in only]
    return workloads


# ----- peers -----

def load_peers(wanted):
    peers, missing, versions = {}, {}, {}
    if "autograd" in wanted:
        try:
            import autograd
            import autograd.numpy as anp
            from autograd.tracer import getval
            peers["autograd"] = (autograd, Peer("autograd", anp, getval))
            versions["autograd"] = _version("autograd")
        except Exception as e:  # noqa: BLE001 - an optional peer
            missing["autograd"] = f"{type(e).__name__}: {e}"
    if "torch" in wanted:
        try:
            import torch
            torch.set_num_threads(1)
            try:
                torch.set_num_interop_threads(1)
            except RuntimeError:
                pass
            peers["torch"] = (torch, Peer("torch", torch, lambda t: t.detach()))
            versions["torch"] = torch.__version__
        except Exception as e:  # noqa: BLE001
            missing["torch"] = f"{type(e).__name__}: {e}"
    if "jax" in wanted or "jax.jit" in wanted:
        try:
            import jax
            import jax.numpy as jnp
            jax.config.update("jax_enable_x64", True)
            jax.config.update("jax_platforms", "cpu")
            peer = (jax, Peer("jax", jnp, jax.lax.stop_gradient))
            for name in ("jax", "jax.jit"):
                if name in wanted:
                    peers[name] = peer
            versions["jax"] = jax.__version__
        except Exception as e:  # noqa: BLE001
            for name in ("jax", "jax.jit"):
                if name in wanted:
                    missing[name] = f"{type(e).__name__}: {e}"
    return peers, missing, versions


def _version(dist):
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:  # noqa: BLE001
        return "?"


# ----- builders: each returns (run, to_numpy) where run() computes the gradients -----

def build(system, w, args, v, peers):
    wrt = tuple(w.wrt)
    if system == "forward":
        return (lambda: w.f(*args)), None
    if system == "hand":
        extra = (v,) if w.is_vjp else ()
        return (lambda: w.hand(*args, *extra)), tuple
    if system == "transgrad":
        tg_cache.clear()
        if w.is_vjp:
            f = w.f
            return (lambda: tg.vjp(f, *args, wrt=wrt)[1](v)), tuple
        g = tg.grad(w.f, wrt=wrt)
        return (lambda: g(*args)), tuple
    module, P = peers[system]
    fn = w.peer_f(P)
    if system == "autograd":
        if w.is_vjp:
            make_vjp = module.make_vjp(fn, argnum=wrt[0])
            return (lambda: make_vjp(*args)[0](v)), lambda r: (r,)
        g = module.grad(fn, argnum=wrt)
        return (lambda: g(*args)), tuple
    if system == "torch":
        torch = module
        targs = []
        leaves = []
        for i, a in enumerate(args):
            if i in wrt:
                if isinstance(a, np.ndarray):
                    t = torch.from_numpy(a.copy()).requires_grad_()
                else:
                    t = torch.tensor(float(a), dtype=torch.float64, requires_grad=True)
                leaves.append(t)
                targs.append(t)
            else:
                targs.append(torch.from_numpy(a) if isinstance(a, np.ndarray) else a)
        tv = torch.from_numpy(v) if v is not None else None

        def run():
            for leaf in leaves:
                leaf.grad = None
            out = fn(*targs)
            out.backward(tv)
            return tuple(leaf.grad for leaf in leaves)
        return run, lambda r: tuple(t.numpy() for t in r)
    if system in ("jax", "jax.jit"):
        jax = module
        jnp = P.np
        jargs = [jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args]
        to_np = lambda r: tuple(np.asarray(t) for t in (r if isinstance(r, tuple) else (r,)))  # noqa: E731
        if w.is_vjp:
            jv = jnp.asarray(v)

            def pull(*a):
                return jax.vjp(fn, *a)[1](jv)
            if system == "jax.jit":
                pull = jax.jit(pull)
            return (lambda: jax.block_until_ready(pull(*jargs))), to_np
        g = jax.grad(fn, argnums=wrt)
        if system == "jax.jit":
            g = jax.jit(g)
        return (lambda: jax.block_until_ready(g(*jargs))), to_np
    raise ValueError(system)


# ----- measuring -----

def first_call(system, w, args, v, peers):
    """(run, result, seconds): build plus the first call, including any compilation."""
    gc.collect()
    start = time.perf_counter()
    run, to_np = build(system, w, args, v, peers)
    out = run()
    elapsed = time.perf_counter() - start
    return run, (to_np(out) if to_np else None), elapsed


def calibrate(run, target):
    start = time.perf_counter()
    run()
    one = time.perf_counter() - start
    if one >= target:
        return 1
    n = 1
    while True:  # time n calls until the batch takes at least target/4, then scale
        start = time.perf_counter()
        for _ in range(n):
            run()
        took = time.perf_counter() - start
        if took >= target / 4 or n >= 1 << 20:
            return max(1, int(round(n * target / max(took, 1e-9))))
        n *= 4


def sample(run, n):
    gc_was = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(n):
            run()
        return (time.perf_counter() - start) / n
    finally:
        if gc_was:
            gc.enable()


def peak_memory(run):
    """Peak bytes tracemalloc sees during one call, above what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = run()
        peak = tracemalloc.get_traced_memory()[1] - base
        del out
    finally:
        tracemalloc.stop()
    return peak


def bench_workload(w, systems, peers, size, budget, target, min_rounds, max_rounds, log):
    rng = np.random.default_rng(0)
    args = w.inputs(size, rng)
    v = w.cotangent(args) if w.is_vjp else None
    res = {"name": w.name, "title": w.title, "note": w.note, "systems": {}}
    runs = {}
    reference = None
    for system in ["hand", "forward"] + [s for s in systems if s != "hand"]:
        if system in ("forward", "hand") or system == "transgrad" or system in peers:
            entry = res["systems"].setdefault(system, {})
            try:
                run, out, first = first_call(system, w, args, v, peers)
            except Exception as e:  # noqa: BLE001 - a failing system is reported, not fatal
                entry["error"] = f"{type(e).__name__}: {str(e).strip().splitlines()[0][:200]}"
                if system == "jax.jit" and w.jit_cannot:
                    entry["cannot"] = w.jit_cannot
                if system == "transgrad":
                    entry["traceback"] = traceback.format_exc()
                log(f"  {system:10s} ERROR {entry['error']}")
                continue
            entry["first_s"] = first
            if system == "hand":
                reference = out
            elif out is not None:
                err = rel_error(out, reference)
                entry["rel_error"] = err
                if not err <= TOLERANCE:
                    entry["wrong"] = True
                    log(f"  {system:10s} WRONG GRADIENT (relative error {err:.3g})")
            runs[system] = run
    # calibrate, then interleaved rounds
    counts = {s: calibrate(r, target) for s, r in runs.items()}
    names = list(runs)
    samples = {s: [] for s in names}
    start = time.perf_counter()
    rounds = 0
    while rounds < max_rounds and (rounds < min_rounds or time.perf_counter() - start < budget):
        shift = rounds % len(names)
        for s in names[shift:] + names[:shift]:
            samples[s].append(sample(runs[s], counts[s]))
        rounds += 1
        gc.collect()
    for s in names:
        entry = res["systems"][s]
        entry["median_s"] = statistics.median(samples[s])
        entry["calls_per_sample"] = counts[s]
        entry["rounds"] = rounds
        if "hand" in samples:
            entry["ratio"] = statistics.median(a / b for a, b in zip(samples[s], samples["hand"]))
        if s != "transgrad" and "transgrad" in samples:
            entry["vs_transgrad"] = statistics.median(a / b for a, b in zip(samples[s], samples["transgrad"]))
    for s in names:
        if s in NUMPY_BASED:
            try:
                res["systems"][s]["peak_bytes"] = peak_memory(runs[s])
            except Exception as e:  # noqa: BLE001
                res["systems"][s]["peak_error"] = str(e)
    if "transgrad" in res["systems"] and "error" not in res["systems"]["transgrad"]:
        try:
            res["transgrad_source"] = tg.grad(w.f, wrt=tuple(w.wrt)).source if not w.is_vjp else \
                tg.vjp(w.f, *args, wrt=tuple(w.wrt))[1].source
        except Exception:  # noqa: BLE001
            pass
    res["rounds"] = rounds
    return res


# ----- machine -----

def machine_info(versions):
    info = {}
    info["date"] = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["cpu"] = cpu
    info["cores"] = os.cpu_count()
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        info["memory"] = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        info["memory"] = "?"
    info["os"] = platform.platform()
    info["python"] = platform.python_version()
    info["numpy"] = np.__version__
    info["transgrad"] = tg.__version__ + _git_state()
    info.update(versions)
    try:
        from threadpoolctl import threadpool_info
        blas = [f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}, "
                f"{p.get('num_threads')} thread{'s' if p.get('num_threads') != 1 else ''})"
                for p in threadpool_info() if p.get("user_api") == "blas"]
        info["blas"] = "; ".join(blas) or "?"
    except Exception:  # noqa: BLE001
        info["blas"] = "? (install threadpoolctl to see)"
    return info


def _git_state():
    """' (commit abc1234)' or ' (commit abc1234 + uncommitted changes in transgrad/)', '' outside git."""
    import subprocess
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "transgrad"], cwd=REPO,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    if not head:
        return ""
    return f" (commit {head}{' + uncommitted changes in transgrad/' if dirty else ''})"


# ----- report -----

def fmt_ratio(entry):
    if entry is None:
        return "not installed"
    if "cannot" in entry:
        return "cannot"
    if "error" in entry:
        return "error"
    r = entry.get("ratio")
    if r is None:
        return "—"
    text = f"{r:,.0f}" if r >= 100 else f"{r:.1f}" if r >= 10 else f"{r:.2f}"
    return text + (" (wrong)" if entry.get("wrong") else "")


def fmt_time(seconds):
    if seconds is None:
        return "—"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def fmt_ms(seconds):
    if seconds is None:
        return "—"
    ms = seconds * 1e3
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.2f}"


def fmt_bytes(n):
    if n is None:
        return "—"
    if n >= 2**20:
        return f"{n / 2**20:.1f} MiB"
    if n >= 2**10:
        return f"{n / 2**10:.1f} KiB"
    return f"{n} B"


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def render_markdown(results, systems, missing, info, args, png_name):
    shown = [s for s in systems if s not in missing]
    lines = ["# Benchmarks", "",
             "<!-- generated by tests/benchmarks/run.py; run it again rather than editing this page -->", "",
             f"Measured {info['date']} on {info['cpu']} ({info['cores']} cores, {info['memory']}, shared and "
             f"noisy), {info['os']}; Python {info['python']}, numpy {info['numpy']} "
             f"(BLAS: {info['blas']}), transgrad {info['transgrad']}"
             + "".join(f", {LABELS.get(k, k)} {info[k]}" for k in ("autograd", "torch", "jax") if k in info)
             + ".", "",
             f"Command: `.venv/bin/python tests/benchmarks/run.py{' --quick' if args.quick else ''}` "
             f"({'quick' if args.quick else 'full'} mode: about {args.budget:g} s of interleaved rounds per "
             "workload). One thread everywhere (BLAS/OpenMP thread variables set to 1 before numpy is "
             "imported, `torch.set_num_threads(1)`, XLA's CPU client on one thread), float64 everywhere "
             "(`jax_enable_x64`).", ""]
    if REMOVED_ENV:
        lines += [f"`{', '.join(REMOVED_ENV)}` were unset for this run (they slow a current OpenBLAS).", ""]
    lines += ["## Gradient time / hand-written numpy gradient", "",
              "Median over interleaved rounds of (system's time per call) / (hand-written gradient's time per "
              "call) in the same round; lower is better, 1 means as fast as the hand-written gradient. "
              "The forward column is the plain numpy function, for scale.", "",
              f"![ratios to the hand-written gradient]({png_name})", ""]
    header = ["workload", "hand-written", "numpy forward"] + [LABELS[s] for s in shown]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|---|" + "---:|" * (len(header) - 1))
    for r in results:
        row = [r["title"], fmt_time(r["systems"].get("hand", {}).get("median_s")),
               fmt_ratio(r["systems"].get("forward"))]
        row += [fmt_ratio(r["systems"].get(s)) for s in shown]
        lines.append("| " + " | ".join(row) + " |")
    if "transgrad" in shown:
        tg_ratios = [r["systems"]["transgrad"].get("ratio") for r in results
                     if "ratio" in r["systems"].get("transgrad", {})]
        g = geomean(tg_ratios)
        if g:
            lines += ["", f"transgrad's geometric mean over the workloads: **{g:.2f}x** the hand-written "
                      f"gradient (contract: within 1.2x; never above 2x on one workload: "
                      f"{sum(1 for x in tg_ratios if x > 2)} above 2x)."]
    peers_shown = [s for s in shown if s != "transgrad"]
    if "transgrad" in shown and peers_shown:
        lines += ["", "## Peer time / transgrad time", "",
                  "How many times slower each peer is than transgrad (paired medians as above; above 1 means "
                  "transgrad is faster).", ""]
        header = ["workload"] + [LABELS[s] for s in peers_shown]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|---|" + "---:|" * (len(header) - 1))
        for r in results:
            row = [r["name"]]
            for s in peers_shown:
                e = r["systems"].get(s)
                if e is None or "vs_transgrad" not in e:
                    row.append(fmt_ratio(e) if e and ("error" in e) else "—")
                else:
                    x = e["vs_transgrad"]
                    row.append(f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}")
            lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## First call (ms)", "",
              "Building the gradient and calling it once, in a process that has already run the workloads "
              "before it: transgrad's includes parse, transform and compile (its cache is cleared first); "
              "jax.jit's includes tracing and XLA compilation; JAX without jit compiles each primitive for "
              "new shapes on first use. Steady-state time per call in parentheses.", ""]
    header = ["workload"] + [LABELS[s] for s in shown]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|---|" + "---:|" * (len(header) - 1))
    for r in results:
        row = [r["name"]]
        for s in shown:
            e = r["systems"].get(s, {})
            if "error" in e:
                row.append("cannot" if "cannot" in e else "error")
            else:
                row.append(f"{fmt_ms(e.get('first_s'))} ({fmt_time(e.get('median_s'))})")
        lines.append("| " + " | ".join(row) + " |")
    mem_systems = [s for s in ["forward", "hand", "transgrad", "autograd"] if s not in missing]
    lines += ["", "## Peak memory", "",
              "Peak bytes allocated during one call above what was allocated before it, as `tracemalloc` sees "
              "them: numpy's array buffers and Python objects, including the returned gradients and anything "
              "recorded for the adjoint. PyTorch's and XLA's allocators are invisible to tracemalloc, so they "
              "have no column.", ""]
    header = ["workload"] + [LABELS[s] for s in mem_systems]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|---|" + "---:|" * (len(header) - 1))
    for r in results:
        row = [r["name"]] + [fmt_bytes(r["systems"].get(s, {}).get("peak_bytes")) for s in mem_systems]
        lines.append("| " + " | ".join(row) + " |")
    problems = []
    for r in results:
        for s, e in r["systems"].items():
            if "cannot" in e:
                problems.append(f"- {r['name']}, {LABELS[s]}: cannot run the natural code ({e['cannot']}): "
                                f"`{e['error']}`")
            elif "error" in e:
                problems.append(f"- {r['name']}, {LABELS[s]}: error `{e['error']}`")
            elif e.get("wrong"):
                problems.append(f"- {r['name']}, {LABELS[s]}: wrong gradient, relative error "
                                f"{e['rel_error']:.3g} against the hand-written one")
    lines += ["", "## Failures and gaps", ""]
    lines += problems or ["None: every system that ran matched the hand-written gradient (relative error "
                          f"below {TOLERANCE:g})."]
    if missing:
        lines += ["", "Not installed (skipped): " + ", ".join(f"{LABELS[k]} ({v})" for k, v in missing.items())]
    lines += ["", "## The workloads", "",
              "Each is `tests/benchmarks/bench_*.py`: the numpy function `f` as a user would write it, a "
              "hand-written gradient `hand`, and the same function in each peer's idiom (`peer_f`). "
              "Peers get their own array module (`autograd.numpy`, `torch`, `jax.numpy`) and stop-gradient "
              "(`getval`, `.detach()`, `lax.stop_gradient`); PyTorch runs `out.backward()` on leaf tensors made "
              "once from the numpy inputs; JAX gets `jnp` arrays made once.", ""]
    for r in results:
        rounds = r.get("rounds")
        lines.append(f"- `{r['name']}`: {r['title']}" + (f". {r['note']}" if r["note"] else "")
                     + (f" ({rounds} rounds)" if rounds else ""))
    lines.append("")
    return "\n".join(lines)


def render_png(results, systems, missing, path, info):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    shown = [s for s in systems if s not in missing]
    names = [r["name"] for r in results]
    fig, ax = plt.subplots(figsize=(13, 5.5))
    width = 0.8 / max(1, len(shown))
    colors = {"transgrad": "#d62728", "autograd": "#1f77b4", "torch": "#ff7f0e", "jax": "#2ca02c",
              "jax.jit": "#9467bd"}
    ymin = 0.1
    for k, s in enumerate(shown):
        xs, ys, xs_missing = [], [], []
        for i, r in enumerate(results):
            e = r["systems"].get(s, {})
            x = i + (k - (len(shown) - 1) / 2) * width
            if "ratio" in e:
                xs.append(x)
                ys.append(e["ratio"])
            else:
                xs_missing.append(x)
        ax.bar(xs, ys, width=width, label=LABELS[s], color=colors.get(s))
        if xs_missing:
            ax.scatter(xs_missing, [ymin * 1.3] * len(xs_missing), marker="x", color=colors.get(s), zorder=3)
    ax.set_yscale("log")
    ax.set_ylim(bottom=ymin)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.axhline(1.2, color="black", linewidth=0.6, linestyle="--")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_ylabel("gradient time / hand-written numpy gradient (log)")
    ax.set_title(f"transgrad vs peers, one thread, float64 ({info['date']}); x = cannot / error")
    ax.legend(ncol=len(shown), fontsize=9, loc="upper left")
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def print_summary(results, systems, missing):
    shown = [s for s in systems if s not in missing]
    head = f"{'workload':14s} {'hand':>10s} {'fwd':>7s} " + " ".join(f"{s:>10s}" for s in shown)
    print("\nratio to the hand-written gradient (median of paired rounds):")
    print(head)
    for r in results:
        print(f"{r['name']:14s} {fmt_time(r['systems'].get('hand', {}).get('median_s')):>10s} "
              f"{fmt_ratio(r['systems'].get('forward')):>7s} "
              + " ".join(f"{fmt_ratio(r['systems'].get(s)):>10s}" for s in shown))
    print("\nfirst call, ms:")
    for r in results:
        print(f"{r['name']:14s} " + " ".join(
            f"{(fmt_ms(r['systems'].get(s, {}).get('first_s')) if 'first_s' in r['systems'].get(s, {}) else '-'):>10s}"
            for s in shown))
    print("\npeak memory (tracemalloc):")
    for r in results:
        print(f"{r['name']:14s} " + " ".join(
            f"{s}={fmt_bytes(r['systems'].get(s, {}).get('peak_bytes'))}"
            for s in ["forward", "hand", "transgrad", "autograd"] if s in r["systems"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="about 3 s of timed rounds per workload instead of 40 s")
    parser.add_argument("--write", action="store_true", help="with --quick: write the docs anyway")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write docs/")
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--systems", default=",".join(GRADIENT_SYSTEMS),
                        help=f"comma-separated gradient systems (default: {','.join(GRADIENT_SYSTEMS)})")
    parser.add_argument("--budget", type=float, help="seconds of timed rounds per workload")
    parser.add_argument("--md", default=os.path.join(REPO, "docs", "benchmarks.md"))
    parser.add_argument("--png", default=os.path.join(REPO, "docs", "benchmarks.png"))
    parser.add_argument("--keep-openblas-coretype", action="store_true",
                        help="do not unset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE")
    parser.add_argument("--show-source", action="store_true", help="print transgrad's generated gradients")
    args = parser.parse_args(argv)
    if args.budget is None:
        args.budget = 3.0 if args.quick else 40.0
    target = 0.003 if args.quick else 0.01
    min_rounds, max_rounds = (5, 200) if args.quick else (11, 1000)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    peers, missing, versions = load_peers(systems)
    workloads = load_workloads(set(args.only.split(",")) if args.only else None)
    info = machine_info(versions)
    print(f"transgrad benchmarks, {'quick' if args.quick else 'full'} mode, {len(workloads)} workloads; "
          f"peers: {', '.join(peers) or 'none'}"
          + (f"; skipped: {', '.join(missing)}" if missing else ""), flush=True)
    for k, v in missing.items():
        print(f"  {k} not available: {v}")
    results = []
    t0 = time.perf_counter()
    for w in workloads:
        print(f"{w.name}: {w.title}", flush=True)
        r = bench_workload(w, systems, peers, "quick" if args.quick else "full", args.budget, target,
                           min_rounds, max_rounds, lambda msg: print(msg, flush=True))
        results.append(r)
        hand = r["systems"].get("hand", {}).get("median_s")
        print(f"  hand {fmt_time(hand)}; " + ", ".join(
            f"{s} {fmt_ratio(r['systems'].get(s))}" for s in systems if s in r["systems"])
            + f"  [{r['rounds']} rounds]", flush=True)
        if args.show_source and r.get("transgrad_source"):
            print(r["transgrad_source"])
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    print_summary(results, systems, missing)
    write = (not args.no_write) and (args.write or not args.quick)
    if write:
        png_name = os.path.basename(args.png)
        os.makedirs(os.path.dirname(args.md), exist_ok=True)
        with open(args.md, "w") as fh:
            fh.write(render_markdown(results, systems, missing, info, args, png_name))
        try:
            render_png(results, systems, missing, args.png, info)
        except ImportError as e:
            print(f"no chart: {e} (pip install matplotlib)")
        print(f"wrote {args.md} and {args.png}")
    failing = [r["name"] for r in results
               if "error" in r["systems"].get("transgrad", {}) or r["systems"].get("transgrad", {}).get("wrong")]
    if failing:
        print(f"transgrad failed on: {', '.join(failing)}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
