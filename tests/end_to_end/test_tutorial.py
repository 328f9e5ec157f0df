"""PyTorch's autograd tutorial, number for number, and the example script that walks through it."""
import pathlib
import runpy
import subprocess
import sys

import numpy as np
import pytest

import transgrad as tg
from e2e_numeric import assert_tree_close, numeric_grad, numeric_vjp

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "autograd_tutorial.py"


# the example's own functions: what the tutorial page and the script show is what is tested here
_example = runpy.run_path(str(EXAMPLE), run_name="autograd_tutorial")
tutorial, doubling, product = _example["tutorial"], _example["doubling"], _example["product"]
scaled_without_grad, detached = _example["scaled_without_grad"], _example["detached"]


def stopped(x):
    y = x * x
    u = tg.stop_gradient(y)
    return np.sum(u * x)


def test_gradient_is_4_5_everywhere():
    dx = tg.grad(tutorial)(np.ones((2, 2)))
    assert dx.shape == (2, 2) and dx.dtype == np.float64
    np.testing.assert_allclose(dx, np.full((2, 2), 4.5), rtol=0, atol=1e-12)


def test_value_and_grad_gives_27():
    value, dx = tg.value_and_grad(tutorial)(np.ones((2, 2)))
    assert float(value) == 27.0
    np.testing.assert_allclose(dx, 4.5, rtol=0, atol=1e-12)


def test_tutorial_source_is_readable_python_with_the_users_names():
    compiled = tg.grad(tutorial)
    compiled(np.ones((2, 2)))
    source = compiled.source
    assert isinstance(source, str)
    compile(source, "<generated>", "exec")
    assert "def " in source
    for name in ("x", "y", "z", "out"):
        assert f"d{name}" in source, f"no adjoint named d{name} in:\n{source}"
    assert "z = y * y * 3" in source  # the primal line, quoted for traceability


def test_doubling_loop_vjp_matches_hand_computation():
    x = np.random.default_rng(0).standard_normal(3)
    v = np.array([0.1, 1.0, 0.0001])
    y, pullback = tg.vjp(doubling, x)
    k = 1
    expected_y = x * 2
    while np.linalg.norm(expected_y) < 1000:
        expected_y = expected_y * 2
        k += 1
    np.testing.assert_allclose(y, expected_y, rtol=0, atol=0)
    np.testing.assert_allclose(pullback(v), 2.0 ** k * v, rtol=1e-15, atol=0)
    np.testing.assert_allclose(pullback(v), numeric_vjp(doubling, [x], v), rtol=1e-6)
    assert isinstance(pullback.source, str) and "while" in pullback.source


@pytest.mark.parametrize("scale", [1e-3, 0.5, 10.0, 999.0])
def test_doubling_loop_trip_count_depends_on_the_data(scale):
    x = scale * np.array([0.6, -0.8, 0.0])
    v = np.array([0.1, 1.0, 0.0001])
    _, pullback = tg.vjp(doubling, x)
    k, y = 1, x * 2
    while np.linalg.norm(y) < 1000:
        y, k = y * 2, k + 1
    np.testing.assert_allclose(pullback(v), 2.0 ** k * v)


def test_requires_grad_is_wrt_by_position_name_and_tuple():
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([4.0, 5.0, 6.0])
    np.testing.assert_allclose(tg.grad(product, wrt=0)(a, b), b + 1)
    np.testing.assert_allclose(tg.grad(product, wrt="a")(a, b), b + 1)
    np.testing.assert_allclose(tg.grad(product, wrt=1)(a, b), a)
    np.testing.assert_allclose(tg.grad(product, wrt="b")(a, b), a)
    da, db = tg.grad(product, wrt=(0, 1))(a, b)
    np.testing.assert_allclose(da, b + 1)
    np.testing.assert_allclose(db, a)
    db, da = tg.grad(product, wrt=("b", "a"))(a, b)
    np.testing.assert_allclose(da, b + 1)
    np.testing.assert_allclose(db, a)
    assert_tree_close(tg.grad(product, wrt=(0, 1))(a, b), numeric_grad(product, [a, b], (0, 1)))


def test_no_grad_block_assigns_constants():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tg.grad(scaled_without_grad)(x), x ** 2)
    # and it still runs as plain numpy
    assert scaled_without_grad(x) == np.sum(x ** 3)


def test_detach_and_stop_gradient_are_constants():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tg.grad(detached)(x), x ** 2)
    np.testing.assert_allclose(tg.grad(stopped)(x), x ** 2)
    assert detached(x) == np.sum(x ** 3)


def test_example_script_runs_and_prints_the_numbers_and_the_source():
    result = subprocess.run([sys.executable, str(EXAMPLE)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "4.5" in out and "27.0" in out
    assert "def grad_tutorial(x):" in out
    assert "2.048e+03" in out  # 2**11 * 1.0: the doubling loop's vjp
    assert "Traceback" not in result.stderr


def test_tutorial_page_shows_the_generated_source_of_today():
    updater = runpy.run_path(str(ROOT / "docs" / "update_tutorial.py"), run_name="docs_check")
    page = (ROOT / "docs" / "tutorial.md").read_text()
    assert page.count("<!-- generated: ") == 5
    assert page == updater["page"](page), (
        "docs/tutorial.md shows stale generated code: run `python docs/update_tutorial.py`")
