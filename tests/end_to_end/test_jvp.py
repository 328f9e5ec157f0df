"""tg.jvp and tg.jacobian end to end: control flow, helpers and recursion against central
finite differences and against tg.vjp (<u, J v> = <J^T u, v>); pytrees; argument errors."""
import math

import numpy as np
import pytest

import transgrad as tg


def _numeric_jvp(fn, args, position, v, eps=1e-6):
    plus, minus = list(args), list(args)
    plus[position] = args[position] + eps * v
    minus[position] = args[position] - eps * v
    return (np.asarray(fn(*plus)) - np.asarray(fn(*minus))) / (2 * eps)


def helper(a, b):
    return np.tanh(a) * b


def power_rec(x, n):
    if n == 0:
        return np.ones_like(x)
    return x * power_rec(x, n - 1)


def branches(x, c):
    if np.sum(x) > 0:
        y = np.sin(x) * c
    else:
        y = x ** 3
    return y * 2.0


def for_loop(x):
    y = 1.0
    for i in range(4):
        y = y * x + np.cos(x) * i
    return y


def while_loop(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 2
    return y


def with_break(x):
    total = np.zeros_like(x)
    for i in range(10):
        total = total + x * i
        if np.max(total) > 20:
            break
    return total


def early_return(x, limit):
    for i in range(10):
        x = x * 1.5
        if np.max(x) > limit:
            return np.sum(x)
    return np.sum(x) * 0.5


def calls_helper(x, w):
    h = helper(x, w)
    return helper(h, 2.0) + h


def recursive(x):
    return power_rec(x, 3) + x


def builds_array(x):
    out = np.zeros((3,) + x.shape)
    for i in range(3):
        out[i] = x ** (i + 1)
    items = []
    for row in out:
        items.append(np.sum(row))
    return np.stack(items) + out[1, 0]


def self_update(x):
    x = np.sin(x)
    x = np.exp(x)
    x = x + 1.0
    return x


PROGRAMS = [
    (branches, lambda rng: (rng.uniform(0.1, 1.0, 3), 1.5)),
    (branches, lambda rng: (-rng.uniform(0.1, 1.0, 3), 1.5)),
    (for_loop, lambda rng: (rng.uniform(-1, 1, 4),)),
    (while_loop, lambda rng: (rng.uniform(0.5, 1.0, 3),)),
    (with_break, lambda rng: (rng.uniform(0.5, 1.0, 3),)),
    (early_return, lambda rng: (rng.uniform(0.5, 1.0, 3), 3.0)),
    (early_return, lambda rng: (rng.uniform(0.5, 1.0, 3), 1e9)),
    (calls_helper, lambda rng: (rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3))),
    (recursive, lambda rng: (rng.uniform(-1, 1, 3),)),
    (builds_array, lambda rng: (rng.uniform(-1, 1, 2),)),
    (self_update, lambda rng: (rng.uniform(-1, 1, 3),)),
]


@pytest.mark.parametrize("fn, make", PROGRAMS, ids=[f"{p[0].__name__}{i}" for i, p in enumerate(PROGRAMS)])
def test_control_flow_against_finite_differences_and_vjp(fn, make):
    rng = np.random.default_rng(0)
    args = make(rng)
    v = rng.standard_normal(np.shape(args[0]))
    value, tangent = tg.jvp(fn, args, v)
    np.testing.assert_allclose(value, fn(*args))
    np.testing.assert_allclose(tangent, _numeric_jvp(fn, args, 0, v), rtol=1e-5, atol=1e-6)
    u = rng.standard_normal(np.shape(value))
    _, pullback = tg.vjp(fn, *args)
    assert np.isclose(np.sum(u * tangent), np.sum(pullback(u) * v))


def test_two_wrt_and_a_python_float():
    def f(x, s):
        return np.sum(x ** 2) * s + math.sin(s)
    x, s = np.array([1.0, 2.0]), 0.3
    value, tangent = tg.jvp(f, (x, s), (np.array([1.0, 0.0]), 1.0), wrt=(0, 1))
    assert value == f(x, s)
    assert np.isclose(tangent, 2 * 1.0 * s + np.sum(x ** 2) + math.cos(s))


def test_dict_input_and_tuple_output():
    def f(params, x):
        h = np.tanh(x @ params["W"] + params["b"])
        return h, np.sum(h)
    rng = np.random.default_rng(1)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    direction = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    x = rng.standard_normal(3)
    value, tangent = tg.jvp(f, (params, x), direction)
    eps = 1e-6
    shifted = [f({k: params[k] + sign * eps * direction[k] for k in params}, x) for sign in (1, -1)]
    np.testing.assert_allclose(tangent[0], (shifted[0][0] - shifted[1][0]) / (2 * eps), atol=1e-7)
    np.testing.assert_allclose(tangent[1], (shifted[0][1] - shifted[1][1]) / (2 * eps), atol=1e-7)


def test_float32_tangent_and_inputs_untouched():
    x = np.arange(3, dtype=np.float32)
    v = np.ones(3, dtype=np.float32)
    _, tangent = tg.jvp(lambda a: np.sin(a) * 2, (x,), v)
    assert tangent.dtype == np.float32
    assert np.array_equal(x, np.arange(3)) and np.array_equal(v, np.ones(3))


def test_inactive_output_has_a_zero_tangent():
    value, tangent = tg.jvp(lambda x, y: y * 2, (np.ones(2), np.ones(3)), np.ones(2))
    assert np.array_equal(tangent, np.zeros(3))


def test_tangent_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="shape"):
        tg.jvp(self_update, (np.ones(3),), np.ones(2))


def test_user_adjoint_rule_is_differentiated_through_its_vjp():
    def cube(x):
        return x ** 3

    @tg.adjoint(cube)
    def cube_adjoint(g, ans, x):
        return g * 3 * x ** 2

    def f(x):
        return np.sum(cube(x) * 2)
    x, v = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    assert np.isclose(tg.jvp(f, (x,), v)[1], np.sum(6 * x ** 2 * v))


@pytest.mark.parametrize("shape_in, shape_out_fn, mode", [
    ((3,), lambda x: np.outer(x, np.arange(4.0)) ** 2, "forward"),
    ((2, 3), lambda x: np.sum(np.sin(x), axis=0), "reverse"),
])
def test_jacobian_against_finite_differences(shape_in, shape_out_fn, mode):
    x = np.random.default_rng(2).standard_normal(shape_in)
    jac = tg.jacobian(shape_out_fn)
    value = jac(x)
    out_shape = np.shape(shape_out_fn(x))
    assert value.shape == out_shape + shape_in and jac.mode == mode
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = 1.0
        column = _numeric_jvp(shape_out_fn, (x,), 0, e.reshape(shape_in))
        np.testing.assert_allclose(value.reshape(out_shape + (x.size,))[..., k], column, atol=1e-6)
    assert "def " in jac.source


def test_jacobian_of_two_inputs():
    def f(a, b):
        return a * b[0] + np.sum(b)
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.5, 4.0])
    ja, jb = tg.jacobian(f, wrt=(0, 1))(a, b)
    np.testing.assert_allclose(ja, np.eye(3) * 0.5)
    np.testing.assert_allclose(jb, np.stack([a + 1, np.ones(3)], axis=1))


@pytest.mark.parametrize("fn", [
    lambda x: np.exp(1j * x),                                 # as many outputs as inputs
    lambda x: np.sum(np.outer(x, x) * (1 + 2j), axis=0)[:2],  # fewer outputs than inputs
    lambda x: np.fft.fft(x * np.sin(x)),
])
def test_the_jacobian_of_a_complex_output_of_real_inputs_is_complex(fn):
    # each column is the derivative along one input, complex; a row of the pullback would hold only
    # its real part, so tg.jacobian goes forward (JAX's jacfwd gives the same; jacrev refuses)
    x = np.random.default_rng(3).standard_normal(3)
    jac = tg.jacobian(fn)
    value = jac(x)
    assert np.iscomplexobj(value) and jac.mode == "forward"
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = 1.0
        h = 1e-6
        column = (fn(x + h * e) - fn(x - h * e)) / (2 * h)
        np.testing.assert_allclose(value[..., k], column, atol=1e-7)


def interp_with_ends_from_variables(fp):
    left, right = None, None
    return np.interp(np.array([-2.0, 0.5, 3.0]), np.array([-1.0, 0.0, 1.0]), fp, left=left, right=right)


def test_interp_tangent_keeps_the_end_values_of_fp_when_left_and_right_are_none():
    # left=None passed through a variable: outside [xp[0], xp[-1]] the value is fp's end, so is its
    # tangent (it was 0 there: the compiler's zero tangent for the None argument was used as a value)
    fp, v = np.array([1.0, 2.0, 4.0]), np.array([0.3, -1.0, 2.0])
    _, tangent = tg.jvp(interp_with_ends_from_variables, (fp,), v)
    np.testing.assert_allclose(tangent, [0.3, 0.5, 2.0])


def copies_a_list_of_ragged_arrays(x):
    items = [x[:2] * 2.0, x]
    copied = items.copy()
    return np.sum(copied[0]) + np.sum(copied[1] ** 2)


def test_the_tangent_of_a_list_copy_is_a_list():
    # list.copy(): the tangent was np.copy of the list of tangents, which numpy cannot make of ragged arrays
    x, v = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, -1.0])
    _, tangent = tg.jvp(copies_a_list_of_ragged_arrays, (x,), v)
    assert tangent == pytest.approx(2.0 * 1.0 + 2 * np.sum(x * v))
