"""emit: deterministic readable source, comments naming user lines, tracebacks pointing at them."""
import linecache
import sys

import numpy as np
import pytest

import transgrad as tg
from transgrad import cache


def model(w, x):
    h = np.tanh(x @ w)
    return np.sum(h * h)


def breaks_in_backward(x, m):
    y = x @ m
    return np.sum(y)


def test_same_function_gives_byte_identical_source_across_compilations():
    first = tg.grad(model).source
    cache.clear()
    second = tg.grad(model).source
    assert first == second


def test_each_block_names_the_user_line_it_came_from():
    source = tg.grad(model).source
    assert "# line " in source and "h = np.tanh(x @ w)" in source
    assert "# grad of line " in source


def test_generated_names_never_collide_with_user_names():
    def uses_generated_looking_names(x, dx, rt, stack):
        y = x * dx + rt + stack
        return np.sum(y * y)
    args = (np.ones(2), np.full(2, 2.0), 3.0, 4.0)
    grads = tg.grad(uses_generated_looking_names, wrt=(0, 1, 2, 3))(*args)
    y = 1 * 2 + 3 + 4
    np.testing.assert_allclose(grads[0], [2 * y * 2] * 2)
    assert grads[2] == pytest.approx(2 * y * 2)


def test_source_is_registered_so_tracebacks_show_generated_lines():
    grad = tg.grad(model)
    grad(np.ones((3, 2)), np.ones((4, 3)))
    artifact = cache.artifact(model, grad.wrt, "grad", grad._last_key, False)
    lines = linecache.getlines(artifact.compiled.filename)
    assert any("dh" in line for line in lines)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes arrived in Python 3.11")
def test_error_inside_generated_code_names_the_users_file_and_line():
    grad = tg.grad(model)
    with pytest.raises(ValueError) as caught:
        grad(np.ones((3, 2)), np.ones((4, 5)))   # shapes do not fit: fails in the primal sweep
    notes = "\n".join(getattr(caught.value, "__notes__", []))
    assert __file__ in notes
    assert "h = np.tanh(x @ w)" in notes
