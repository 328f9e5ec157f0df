"""The benchmark workloads (tests/benchmarks/bench_*.py) at tiny sizes: transgrad's gradient equals the
hand-written one, and the hand-written one equals central finite differences. Correctness only: the
suite's timings are never asserted (run tests/benchmarks/run.py for those)."""
import importlib
import pathlib
import sys

import numpy as np
import pytest

BENCH_DIR = pathlib.Path(__file__).parent / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from harness import rel_error, transgrad_grad  # noqa: E402


def _workloads():
    found = []
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        found.extend(importlib.import_module(path.stem).WORKLOADS)
    return found


WORKLOADS = _workloads()


def _tiny(w):
    args = w.inputs("tiny", np.random.default_rng(0))
    extra = (w.cotangent(args),) if w.is_vjp else ()
    return args, extra


def test_every_workload_is_found():
    names = {w.name for w in WORKLOADS}
    assert {"tutorial_2x2", "tutorial_1000", "mlp", "logreg", "lorenz", "rosenbrock", "rnn", "doubling",
            "detach_norm", "elementwise", "trace"} <= names


@pytest.mark.parametrize("w", WORKLOADS, ids=lambda w: w.name)
def test_transgrad_matches_hand_written(w):
    args, extra = _tiny(w)
    want = w.hand(*args, *extra)
    got = transgrad_grad(w, args, *extra)
    assert rel_error(got, want) < 1e-9, (got, want)
    for value, grad in zip((args[i] for i in w.wrt), got):
        if isinstance(value, float):
            assert isinstance(grad, float)
        else:
            assert grad.shape == value.shape and grad.dtype == value.dtype


def _scalar(w, args, extra):
    out = w.f(*args)
    return float(np.sum(np.asarray(out) * extra[0])) if extra else float(out)


@pytest.mark.parametrize("w", WORKLOADS, ids=lambda w: w.name)
def test_hand_written_matches_finite_differences(w):
    if not w.finite_differences:
        pytest.skip("the gradient holds a detached value constant; finite differences do not")
    args, extra = _tiny(w)
    want = w.hand(*args, *extra)
    eps = 1e-6
    for position, grad in zip(w.wrt, want):
        value = args[position]
        flat = np.array(value, dtype=np.float64).ravel()
        numeric = np.empty_like(flat)
        for k in range(flat.size):
            values = []
            for step in (eps, -eps):
                moved = flat.copy()
                moved[k] += step
                new = moved.reshape(np.shape(value)) if isinstance(value, np.ndarray) else float(moved[0])
                values.append(_scalar(w, args[:position] + (new,) + args[position + 1:], extra))
            numeric[k] = (values[0] - values[1]) / (2 * eps)
        np.testing.assert_allclose(np.ravel(grad), numeric, rtol=1e-5, atol=1e-6)
