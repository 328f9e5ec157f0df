"""optimize/broadcast.py and the dead primal: reductions' gradients stay numbers until an array
needs them, shapes are read from parameters, and values only the result needed are not computed."""
import gast
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import transgrad as tg
from transgrad.optimize.broadcast import ImplicitBroadcasts, read_shapes_from_parameters


def statements(text):
    return gast.parse(text).body


def text(stmts):
    return gast.unparse(gast.Module(body=stmts, type_ignores=[])).strip()


SCALARS = {"dout", "c"}
SHAPED = {"y": "x", "dy": "x", "x": "x"}


def is_scalar(node):
    return (isinstance(node, gast.Constant) and type(node.value) in (int, float)) or \
        (isinstance(node, gast.Name) and node.id in SCALARS) or \
        (isinstance(node, gast.Call) and gast.unparse(node.func).strip() == "np.size")


def has_shape(node, shape):
    return isinstance(node, gast.Name) and SHAPED.get(node.id) == shape.args[0].id


def rewrite(source, tail="return dx"):
    stmts, returned = statements(source), statements(tail)
    out = ImplicitBroadcasts("np", is_scalar, has_shape).run(stmts, returned)
    return text(out + returned)


def test_a_spread_number_stays_a_number_until_an_array_of_its_shape_needs_it():
    assert rewrite("dz = np.broadcast_to(dout, np.shape(x)) / np.size(x)\nda = dz * 3\ndx = 2 * (da * y)") == \
        "dz = dout / np.size(x)\nda = dz * 3\ndx = 2 * da * y\nreturn dx"


def test_a_use_that_needs_the_array_keeps_the_original_code():
    source = "dz = np.broadcast_to(dout, np.shape(x))\ndx = rt.unbroadcast(dz * w, b)"
    assert rewrite(source) == source + "\nreturn dx"


def test_an_in_place_update_of_the_gradient_keeps_it_an_array():
    source = "dz = np.broadcast_to(dout, np.shape(x))\ndz += y\ndx = dz * y"
    assert rewrite(source) == source + "\nreturn dx"


def test_shape_reads_move_to_the_parameter_with_that_shape():
    stmts = statements("a = np.shape(z)\nb = rt.unbroadcast(g, z)\nc = np.size(w)")
    assert text(read_shapes_from_parameters(stmts, {"z": "x"}, "np", "rt")) == \
        "a = np.shape(x)\nb = rt.unbroadcast(g, x)\nc = np.size(w)"


def tutorial(x):
    y = x + 2
    z = y * y * 3
    return z.mean()


def test_the_tutorial_gradient_is_two_array_operations():
    g = tg.grad(tutorial)
    np.testing.assert_allclose(g(np.ones((2, 2))), np.full((2, 2), 4.5))
    code = [line.strip() for line in g.source.splitlines() if not line.strip().startswith("#")]
    assert "y = x + 2" in code and not any(line.startswith(("z =", "y_times_y =")) for line in code)
    assert "dy = rt.reuse(np.multiply, 2 * dy_times_y, y)" in code


def test_value_and_grad_still_computes_the_value():
    value, grad = tg.value_and_grad(tutorial)(np.ones((2, 2)))
    assert value == 27.0
    np.testing.assert_allclose(grad, np.full((2, 2), 4.5))


def chain(x, b):
    h = np.tanh(x * 2.0) + b
    u = np.exp(h) / 3.0
    s = u.sum() + np.mean(h * h)
    return s * 2.0


SHAPES = [(), (3,), (2, 3), (1, 3)]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(SHAPES), st.sampled_from(SHAPES + [None]), st.integers(0, 2 ** 16))
def test_reductions_of_broadcast_expressions_match_finite_differences(shape_x, shape_b, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=shape_x)
    b = float(rng.uniform(-1, 1)) if shape_b is None else rng.uniform(-1.0, 1.0, size=shape_b)
    assert tg.gradcheck(chain, x, b, wrt=(0, 1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_when_the_seed_is_a_python_number(dtype):
    g = tg.grad(tutorial)(np.ones((2, 2), dtype=dtype))
    assert g.dtype == dtype
