"""Higher derivatives: tg.grad(tg.grad(f)) and deeper, tg.hessian, tg.hvp, jvp/jacobian of a gradient.

The generated gradient code is differentiated again (higher.py), so these check
the whole chain: the generated code's runtime helpers, stacks, in-place
accumulation and control flow, each against finite differences of the first
derivative or against closed forms.
"""
import math
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

import transgrad as tg

ROOT = pathlib.Path(__file__).resolve().parents[2]


# ----- functions -----

def tutorial(x):
    y = x + 2
    z = y * y * 3
    return z.mean()


def rosenbrock(x):
    total = 0.0
    for i in range(len(x) - 1):
        total = total + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2
    return total


W0 = np.random.default_rng(7).normal(size=(3, 4)) * 0.5
X0 = np.random.default_rng(8).normal(size=(5, 3))


def mlp(w):
    hidden = np.tanh(X0 @ w + np.array([0.1, -0.2, 0.3, 0.0]))
    return np.mean(hidden ** 2) + 0.1 * np.sum(w * w) + np.sum(hidden.mean(axis=0) * np.exp(-w[0]))


def branches(x):
    y = x
    while np.sum(y * y) < 50.0:
        y = y * 1.5 + np.sin(y)
    if np.sum(y) > 0:
        s = np.sum(y ** 2)
    else:
        s = np.sum(np.exp(y / 10.0))
    return s


def helper(a, b):
    return np.sin(a) * b + a ** 2


def with_helper(x):
    return np.sum(helper(x, 2.0) * helper(x ** 2, x))


def with_break(x):
    y = x
    for i in range(10):
        y = np.tanh(y) * 1.3 + x
        if np.sum(y) > 4.0:
            break
    return np.sum(y ** 3)


def with_lists(x):
    items = []
    for i in range(3):
        items.append(np.sin(x[i]) * x[0])
    total = 0.0
    for v in items:
        total = total + v * v
    return total


def fancy(x):
    z = x[np.array([0, 2, 2, 1])]
    return np.sum(z ** 3) + np.sum(np.maximum(x, 0.5) ** 2) + np.max(x) ** 2


def two_inputs(x, y):
    return np.sum(x * x * y) + np.sum(np.exp(x) * y ** 2)


def numeric_hessian(fn, x, eps=1e-5):
    gradient = tg.grad(fn)
    columns = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = eps
        e = e.reshape(x.shape)
        columns.append((np.ravel(gradient(x + e)) - np.ravel(gradient(x - e))) / (2 * eps))
    return np.array(columns).T.reshape(x.shape + x.shape)


def assert_hessian_matches_finite_differences(fn, make, seed, trials):
    """tg.hessian(fn) at `trials` points from make(rng) against central differences of tg.grad(fn);
    returns the last (point, Hessian, scale)."""
    rng = np.random.default_rng(seed)
    hessian = tg.hessian(fn)
    for _ in range(trials):
        x = make(rng)
        H = hessian(x)
        assert H.shape == x.shape + x.shape
        expected = numeric_hessian(fn, x)
        scale = max(1.0, np.abs(expected).max())
        np.testing.assert_allclose(H, expected, rtol=1e-5, atol=1e-5 * scale)
    return x, H, scale


CASES = [
    (tutorial, lambda rng: rng.normal(size=(2, 2))),
    (rosenbrock, lambda rng: rng.normal(size=4)),
    (mlp, lambda rng: W0 + 0.1 * rng.normal(size=W0.shape)),
    (branches, lambda rng: rng.normal(size=3)),
    (with_helper, lambda rng: rng.normal(size=3)),
    (with_break, lambda rng: 0.3 * rng.normal(size=3)),
    (with_lists, lambda rng: rng.normal(size=3)),
    (fancy, lambda rng: rng.normal(size=3)),
]


@pytest.mark.parametrize("fn,make", CASES, ids=[fn.__name__ for fn, _ in CASES])
def test_hessian_matches_finite_differences_of_the_gradient(fn, make):
    assert_hessian_matches_finite_differences(fn, make, seed=0, trials=3)


@pytest.mark.parametrize("fn,make", CASES, ids=[fn.__name__ for fn, _ in CASES])
def test_hvp_is_hessian_times_vector_and_gives_the_gradient(fn, make):
    rng = np.random.default_rng(1)
    x = make(rng)
    v = rng.normal(size=x.shape)
    gradient, product = tg.hvp(fn, (x,), v)
    H = tg.hessian(fn)(x).reshape(x.size, x.size)
    np.testing.assert_allclose(product.ravel(), H @ v.ravel(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gradient, tg.grad(fn)(x), rtol=1e-12, atol=1e-12)


def test_reverse_over_reverse_agrees_with_forward_over_reverse():
    x = 0.3 * np.random.default_rng(2).normal(size=3)
    for fn in (rosenbrock, with_break, with_helper, branches):
        np.testing.assert_allclose(tg.jacobian(tg.grad(fn))(x), tg.hessian(fn)(x), rtol=1e-10, atol=1e-10)


def test_hessian_of_a_tuple_wrt_has_every_block():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=3), rng.normal(size=2)

    def f(x, y):
        return np.sum(x * x) * np.sum(y ** 3) + np.sum(np.exp(x)) * y[0]

    H = tg.hessian(f, wrt=(0, 1))(x, y)
    assert [[b.shape for b in row] for row in H] == [[(3, 3), (3, 2)], [(2, 3), (2, 2)]]
    np.testing.assert_allclose(H[0][0], numeric_hessian(lambda x: f(x, y), x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(H[1][1], numeric_hessian(lambda y: f(x, y), y), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(H[0][1], H[1][0].T, rtol=1e-12)
    gx = tg.grad(f, wrt=0)
    cross = np.array([(gx(x, y + e * 1e-6) - gx(x, y - e * 1e-6)) / 2e-6 for e in np.eye(2)]).T
    np.testing.assert_allclose(H[0][1], cross, rtol=1e-6, atol=1e-6)
    gradient, product = tg.hvp(f, (x, y), (np.ones(3), np.zeros(2)), wrt=(0, 1))
    np.testing.assert_allclose(product[0], H[0][0] @ np.ones(3))
    np.testing.assert_allclose(product[1], H[1][0] @ np.ones(3))


# ----- scalar functions: second and third derivatives in closed form -----

def cubic_and_sine(x):
    return x ** 3 + math.sin(x)


def exp_times_x(x):
    return math.exp(x) * x


def poly(x):
    return x ** 4 / 12.0 + 2.0 * x * x - x


def sine_loop(x):
    total = 0.0
    for k in range(1, 4):
        total = total + np.sin(k * x) / k
    return total


def power_loop(x):
    y = 1.0
    for _ in range(5):
        y = y * x
    return y


THIRD = [
    (cubic_and_sine, lambda x: 3 * x * x + math.cos(x), lambda x: 6 * x - math.sin(x), lambda x: 6 - math.cos(x)),
    (exp_times_x, lambda x: math.exp(x) * (x + 1), lambda x: math.exp(x) * (x + 2), lambda x: math.exp(x) * (x + 3)),
    (poly, lambda x: x ** 3 / 3 + 4 * x - 1, lambda x: x * x + 4, lambda x: 2 * x),
    (sine_loop, lambda x: sum(math.cos(k * x) for k in range(1, 4)),
     lambda x: -sum(k * math.sin(k * x) for k in range(1, 4)), lambda x: -sum(k * k * math.cos(k * x) for k in range(1, 4))),
    (power_loop, lambda x: 5 * x ** 4, lambda x: 20 * x ** 3, lambda x: 60 * x ** 2),
]


@pytest.mark.parametrize("fn,first,second,third", THIRD, ids=[t[0].__name__ for t in THIRD])
def test_second_and_third_derivatives_of_scalar_functions(fn, first, second, third):
    d1 = tg.grad(fn)
    d2 = tg.grad(d1)
    d3 = tg.grad(d2)
    for x in (-0.7, 0.4, 1.5):
        assert d1(x) == pytest.approx(first(x), rel=1e-12, abs=1e-12)
        assert d2(x) == pytest.approx(second(x), rel=1e-12, abs=1e-12)
        assert d3(x) == pytest.approx(third(x), rel=1e-12, abs=1e-12)
        assert isinstance(d3(x), float)
    assert "def grad_grad_grad_" in d3.source


def test_grad_of_grad_is_not_the_first_derivative():
    """tg.grad(tg.grad(f)) used to follow __wrapped__ back to f and return f' silently."""
    d2 = tg.grad(tg.grad(cubic_and_sine))
    assert d2(1.5) == pytest.approx(6 * 1.5 - math.sin(1.5))
    assert d2(1.5) != pytest.approx(tg.grad(cubic_and_sine)(1.5))


def test_jvp_of_a_gradient_is_a_hessian_vector_product():
    x, v = np.array([0.3, -0.4, 1.1]), np.array([1.0, 2.0, -1.0])
    gradient, product = tg.jvp(tg.grad(rosenbrock), (x,), v)
    np.testing.assert_allclose(product, tg.hessian(rosenbrock)(x) @ v)
    np.testing.assert_allclose(gradient, tg.grad(rosenbrock)(x))


def test_float32_stays_float32():
    x = np.array([0.3, -0.4, 1.1], dtype=np.float32)
    H = tg.hessian(lambda x: np.sum(np.sin(x) ** 2))(x)
    assert H.dtype == np.float32 and H.shape == (3, 3)
    np.testing.assert_allclose(H, np.diag(2 * np.cos(2 * x.astype(float))), rtol=1e-5, atol=1e-6)


def test_source_shows_the_generated_code_of_every_mode():
    x = np.array([0.3, -0.4, 1.1])
    hessian = tg.hessian(rosenbrock)
    assert "def jvp_grad_rosenbrock(x_dot, x):" in hessian.source      # before any call: float inputs
    hessian(x)
    assert "def jvp_grad_rosenbrock(x_dot, x):" in hessian.source
    result = tg.hvp(rosenbrock, (x,), x)
    assert "def jvp_grad_rosenbrock(x_dot, x):" in result.source and "dx_dot" in result.source
    d2 = tg.grad(tg.grad(poly))
    assert "def grad_grad_poly(x):" in d2.source
    d2(0.5)
    assert "def grad_grad_poly(x):" in d2.source


def _einsum_product(a, b):
    return np.sum(np.einsum("ij,jk->ik", a, b) ** 2)


grad_einsum_product = tg.grad(_einsum_product, wrt=(0, 1))


def einsum_gradient_penalty(a, b):
    da, db = grad_einsum_product(a, b)
    return np.sum(da ** 2) + np.sum(db ** 2)


_B = np.array([[0.5, -1.0], [0.3, 0.8], [-0.2, 0.4]])


def einsum_penalty_in_a(a):
    return einsum_gradient_penalty(a, _B)


def _spread(x):
    return np.add(*[x, x])   # a call with *args: transgrad cannot differentiate this source


_spread.__module__ = "transgrad.runtime"   # as if it were a helper of generated code


def calls_a_helper_it_cannot_differentiate(x):
    return np.sum(_spread(x) ** 2)


def test_a_runtime_helper_whose_source_cannot_be_differentiated_is_named_at_the_call():
    # runtime helpers without a rule are differentiated through their source; when that fails, the
    # error names the helper at the line that calls it, not a line inside transgrad's runtime
    with pytest.raises(tg.NonDifferentiableError, match=r"rt\._spread") as info:
        tg.grad(calls_a_helper_it_cannot_differentiate)(np.ones(3))
    assert "test_higher_order.py" in str(info.value) and "starred" in str(info.value)


def test_third_derivatives_through_einsum():
    assert_hessian_matches_finite_differences(einsum_penalty_in_a, lambda rng: rng.normal(size=(2, 3)),
                                              seed=8, trials=2)


def _cubed_length(x):
    return np.linalg.norm(x) ** 3


def _running_product(x):
    return np.sum(np.cumprod(x))


grad_cubed_length = tg.grad(_cubed_length)
grad_running_product = tg.grad(_running_product)


def norm_penalty(x):
    return np.sum(grad_cubed_length(x) ** 2)


def cumprod_penalty(x):
    return np.sum(grad_running_product(x) ** 2)


def test_third_derivatives_through_the_second_order_helpers_of_norm_and_cumprod():
    x = np.array([1.0, 0.5, 0.2])
    # |grad|^2 = 9 |x|^4, whose Hessian is 9 (4 |x|^2 I + 8 x x^T)
    np.testing.assert_allclose(tg.hessian(norm_penalty)(x), 9 * (4 * (x @ x) * np.eye(3) + 8 * np.outer(x, x)))
    assert_hessian_matches_finite_differences(cumprod_penalty, lambda rng: rng.normal(size=4), seed=7, trials=2)


def test_hvp_checks_its_arguments():
    with pytest.raises(ValueError, match="shape"):
        tg.hvp(rosenbrock, (np.ones(3),), np.ones(2))
    with pytest.raises(TypeError, match="tuple"):
        tg.hvp(rosenbrock, np.ones(3), np.ones(3))


def test_newton_example_runs():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "newton.py")], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "Newton with tg.hessian:  x = [1. 1. 1. 1.]" in out
    assert "Newton-CG with tg.hvp:   x = [1. 1. 1. 1.]" in out
    assert "def jvp_grad_rosenbrock(x_dot, x):" in out


# ----- the runtime helpers of the numpy, math and builtin rules, differentiated again -----
# (rules/runtime_rules.py): each function goes through one or more helpers the generated gradient
# calls (rt.norm_grad, rt.prod_grad, rt.select_max, rt.unreduce, rt.dot_grad_left, ...); inputs are
# random, so max/min and clip sit away from ties and bounds with probability 1.

W1 = np.random.default_rng(11).normal(size=(3, 4)) * 0.7
Y1 = np.eye(4)[[0, 3, 1, 2, 3]]
X1 = np.random.default_rng(12).normal(size=(5, 3))


def with_norms(x):
    return np.linalg.norm(x) ** 3 + np.sum(np.linalg.norm(x, axis=1) ** 2 * np.arange(1.0, 3.0)) + np.linalg.norm(x[0], 3)


def with_prods(x):
    return np.prod(x) + np.sum(np.prod(x, axis=0) ** 2) + np.sum(np.prod(np.sin(x), axis=1, keepdims=True))


def with_extremes(x):
    return np.max(x * x) + np.min(np.sin(x)) ** 2 + np.sum(np.max(x, axis=1) ** 3) + np.sum(np.min(x, axis=0) * x[1])


def with_moments(x):
    return np.std(x) ** 2 + np.std(x) + np.sum(np.var(x, axis=1, ddof=1) * x[:, 0]) + np.var(np.exp(x))


def with_dot(x):
    return np.sum(np.tanh(x.dot(W1))) + np.dot(x[0], x[1]) ** 2 + np.sum(np.dot(x, W1) ** 2)


def with_joins(x):
    joined = np.concatenate([x, x ** 2], axis=1)
    stacked = np.stack([np.sin(x[0]), x[1] * x[0]])
    return np.sum(joined ** 3) + np.sum(stacked * np.cos(stacked)) + np.sum(np.concatenate([x[0], x[1] ** 3]) ** 2)


def with_clip(x):
    return np.sum(np.clip(x, -0.5, 0.5) ** 3 + np.clip(x * x, 0.2, None) * x)


def with_axis_means(x):
    return np.sum(np.mean(x ** 2, axis=0) ** 2) + np.mean(np.exp(x), axis=1) @ np.array([1.0, -2.0])


def with_keepdims(x):
    return np.sum(x ** 3 / np.sum(x ** 2 + 1.0, axis=1, keepdims=True)) + np.sum(np.sum(x, axis=0, keepdims=True) ** 2)


def exp_log_tanh(x):
    return np.sum(np.log(1.0 + np.exp(np.tanh(x)))) + np.sum(np.exp(-x * x) * np.tanh(2.0 * x))


def softmax_cross_entropy(w):
    logits = X1 @ w
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y1 * log_probs, axis=1))


def with_other_helpers(x):
    taken = np.take(x, np.array([0, 4, 4, 1]))
    first, second = np.split(x, 2)
    pair = np.einsum("i,j->ij", first, second)
    return (np.sum(taken ** 3) + np.sum(pair ** 2) + np.sum(np.tensordot(first, second, axes=0) * pair)
            + max(x[0], x[1]) ** 3 + sum([x[2] ** 2, x[3] * x[4]]) + np.sum(np.array([x[0], x[1] ** 2]) ** 3)
            + np.sum(x.astype(np.float64) ** 3) + np.trace(np.outer(x, x)) ** 2)


def with_selections_and_pieces(x):
    m = x.reshape(2, 3)
    return (np.sum(np.sort(x) ** 3 * np.arange(6.0)) + np.median(m, axis=1) @ np.array([1.0, 2.0]) ** 2
            + np.sum(np.take_along_axis(m, np.array([[2, 0], [1, 1]]), 1) ** 3) + np.sum(np.repeat(x, 2) ** 3)
            + np.sum(np.tile(m, (2, 1)) ** 3) + np.sum(np.pad(m, 1, mode="edge") ** 3) + np.sum(np.diff(x ** 2) ** 2)
            + np.sum(np.diagonal(m) ** 3) + np.sum(np.column_stack([x[:2], m[:, :2]]) ** 3)
            + np.sum(np.append(x[:2], x[3:] ** 2) ** 3) + np.median(x) ** 3)


B1 = np.array([[1.0, 0.5], [-0.3, 2.0], [0.2, 0.1]])


def with_matrix_functions(x):
    a = x + 3.0 * np.eye(3)
    sign, logdet = np.linalg.slogdet(a @ a.T)
    factor = np.linalg.cholesky(a @ a.T + np.eye(3))
    return (np.linalg.det(a) ** 2 + np.sum(np.linalg.solve(a, B1) ** 2) + np.sum(np.linalg.solve(a, B1[:, 0]) * x[0])
            + logdet ** 2 + np.sum(factor ** 3))


def with_signal_functions(x):
    return (np.sum(np.sinc(x) ** 2) + np.sum(np.polyval(x[:3], x) ** 2)
            + np.polyval(np.array([1.0, -2.0, 0.5]), x[0]) ** 3
            + np.sum(np.convolve(x, x[:3] ** 2, mode="same") ** 2) + np.sum(np.correlate(x, x[1:3]) ** 2)
            + np.nanmean(x ** 3) ** 2)


def helper_matrix(rng):
    return rng.normal(size=(2, 3))


HELPER_CASES = [
    (with_norms, helper_matrix),
    (with_prods, helper_matrix),
    (with_extremes, helper_matrix),
    (with_moments, helper_matrix),
    (with_dot, helper_matrix),
    (with_joins, helper_matrix),
    (with_clip, helper_matrix),
    (with_axis_means, helper_matrix),
    (with_keepdims, helper_matrix),
    (exp_log_tanh, helper_matrix),
    (softmax_cross_entropy, lambda rng: W1 + 0.3 * rng.normal(size=W1.shape)),
    (with_other_helpers, lambda rng: rng.normal(size=6)),
    (with_selections_and_pieces, lambda rng: rng.normal(size=6)),
    (with_matrix_functions, lambda rng: 0.5 * rng.normal(size=(3, 3))),
    (with_signal_functions, lambda rng: rng.normal(size=4)),
]


@pytest.mark.parametrize("fn,make", HELPER_CASES, ids=[fn.__name__ for fn, _ in HELPER_CASES])
def test_hessian_through_runtime_helpers_matches_finite_differences(fn, make):
    assert_hessian_matches_finite_differences(fn, make, seed=4, trials=2)


@pytest.mark.parametrize("fn,make", HELPER_CASES, ids=[fn.__name__ for fn, _ in HELPER_CASES])
def test_reverse_over_reverse_through_runtime_helpers(fn, make):
    x = make(np.random.default_rng(5))
    H = tg.hessian(fn)(x)
    np.testing.assert_allclose(tg.jacobian(tg.grad(fn))(x), H, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(H).max()))
    v = np.random.default_rng(6).normal(size=x.shape)
    gradient, product = tg.hvp(fn, (x,), v)
    np.testing.assert_allclose(product.ravel(), H.reshape(x.size, x.size) @ v.ravel(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(gradient, tg.grad(fn)(x), rtol=1e-12, atol=1e-12)


def test_norm_and_prod_second_derivatives_in_closed_form():
    x = np.array([1.0, -2.0, 2.0])
    r = np.linalg.norm(x)
    np.testing.assert_allclose(tg.hessian(lambda x: np.linalg.norm(x))(x),
                               (np.eye(3) - np.outer(x, x) / r ** 2) / r, rtol=1e-12, atol=1e-12)
    x = np.array([2.0, 0.0, 3.0, 0.5])     # exact with a zero factor: d2/dxi dxj = prod of the others
    expected = np.array([[0.0 if i == j else np.prod(np.delete(x, [i, j])) for j in range(4)] for i in range(4)])
    np.testing.assert_allclose(tg.hessian(lambda x: np.prod(x))(x), expected, rtol=1e-12, atol=1e-12)


_W3 = np.array([0.5, 1.0, 2.0])


def spread_over_an_array(x):
    v = x * _W3
    return np.sum(np.sin(v) * v) + np.mean(np.exp(v) ** 2)


def test_third_derivative_through_array_code():
    third = tg.grad(tg.grad(tg.grad(spread_over_an_array)))
    second = tg.grad(tg.grad(spread_over_an_array))
    x, h = 0.7, 1e-4
    np.testing.assert_allclose(third(x), (second(x + h) - second(x - h)) / (2 * h), rtol=1e-6)


def largest_of_a_list(x):
    return max([x[0] * x[1], x[1] ** 2, np.sin(x[2])]) + np.sum(x ** 3)


def test_reverse_over_reverse_through_the_builtin_max_of_a_list():
    x = np.array([0.5, 1.3, 0.2])
    expected = np.diag([3.0, 2.0 + 7.8, 1.2])
    np.testing.assert_allclose(tg.jacobian(tg.grad(largest_of_a_list))(x), expected)
    np.testing.assert_allclose(tg.hessian(largest_of_a_list)(x), expected)


def nested_array(x):
    v = np.array([[x[0], x[1]], [x[1] * x[2], x[0] ** 2]])
    return np.sum(v ** 2)


def test_reverse_over_reverse_through_an_array_built_from_nested_lists():
    x = np.array([0.5, 1.3, 0.2])
    np.testing.assert_allclose(tg.jacobian(tg.grad(nested_array))(x), tg.hessian(nested_array)(x))


def softplus_primitive(x):
    return np.log1p(np.exp(x))


@tg.adjoint(softplus_primitive)
def _softplus_rule(g, ans, x):
    return g / (1.0 + np.exp(-x))


def scaled_product(a, b):
    return a * b * 2.0


@tg.adjoint(scaled_product)
def _scaled_product_rule(g, ans, a, b):
    return g * b * 2.0, g * a * 2.0


def uses_user_rules(x):
    return np.sum(softplus_primitive(x) * x) + np.sum(scaled_product(x, x * x))


def test_hessians_go_through_tg_adjoint_rules():
    # the rule is the user's code: the outer transform differentiates it through its source
    x = np.array([0.3, -1.2, 0.8])
    s = 1.0 / (1.0 + np.exp(-x))
    expected = np.diag(2 * s + x * s * (1 - s) + 12.0 * x)
    np.testing.assert_allclose(tg.hessian(uses_user_rules)(x), expected)


# ----- Hessians through the helpers of cumprod, eigh/eigvalsh, the FFTs, imag, matrix_power, multi_dot -----

_C4 = np.array([0.7, -1.2, 0.4, 1.5])


def with_cumprod(x):
    return np.sum(np.cumprod(x) * _C4) + np.sum(np.cumprod(np.reshape(x, (2, 2)), axis=0) ** 2)


def with_eigh(x):
    s = x + x.T + 6.0 * np.diag([1.0, 2.0, 3.0])
    w, v = np.linalg.eigh(s)
    return np.sum(np.linalg.eigvalsh(s) ** 3) * 0.1 + np.sum(w * _C4[:3]) + np.sum(v[:, 0] ** 2 * _C4[:3])


def with_ffts(x):
    return (np.sum(np.real(np.fft.fft(x * _C4)) ** 2) + np.sum(np.imag(np.fft.fft(x)) ** 3 * _C4)
            + np.sum(np.real(np.fft.rfft(x)) * np.imag(np.fft.rfft(x * _C4)))
            + np.sum(np.fft.irfft(np.fft.rfft(x) * np.fft.rfft(np.sin(x)), 4) * _C4)
            + np.sum(np.real(np.fft.ifft(np.sin(x))) ** 3))


def with_matrix_products(x):
    return (np.sum(np.linalg.matrix_power(x, 3) * _C4[:3]) + np.sum(np.linalg.matrix_power(x + 3.0 * np.eye(3), -2))
            + np.sum(np.linalg.multi_dot([x, x.T, np.sin(x)]) ** 2) + np.linalg.multi_dot([_C4[:3], x, x[0]]))


MORE_HELPER_CASES = [
    (with_cumprod, lambda rng: rng.normal(size=4)),
    (with_eigh, lambda rng: 0.5 * rng.normal(size=(3, 3))),
    (with_matrix_products, lambda rng: 0.5 * rng.normal(size=(3, 3))),
]


@pytest.mark.parametrize("fn,make", MORE_HELPER_CASES, ids=[fn.__name__ for fn, _ in MORE_HELPER_CASES])
def test_hessian_through_more_runtime_helpers_matches_finite_differences(fn, make):
    x, H, scale = assert_hessian_matches_finite_differences(fn, make, seed=4, trials=2)
    np.testing.assert_allclose(tg.jacobian(tg.grad(fn))(x), H, rtol=1e-8, atol=1e-8 * scale)


# ----- Hessians through helpers without rules: differentiated through their own source -----

def with_decompositions(x):
    q, r = np.linalg.qr(x)
    return (np.sum(np.linalg.svd(x, compute_uv=False) ** 3) + np.sum(q * r * _C4[:3]) + np.sum(r ** 2)
            + np.sum(np.linalg.pinv(x) ** 2))


def with_statistics(x):
    grid = np.array([0.0, 1.0, 2.0, 3.0])
    return (np.sum(np.cov(np.reshape(x, (2, 2))) ** 2) + np.average(x ** 2, weights=_C4 ** 2) ** 2
            + np.sum(np.interp(np.array([0.3, 1.2, 2.5]), grid, x) ** 2)
            + np.sum(np.linalg.lstsq(np.reshape(x, (2, 2)) + 3.0 * np.eye(2), _C4[:2], rcond=None)[0] ** 2))


SOURCE_HELPER_CASES = [
    (with_decompositions, lambda rng: 0.5 * rng.normal(size=(3, 3)) + 2.0 * np.eye(3)),
    (with_statistics, lambda rng: rng.normal(size=4)),
]


@pytest.mark.parametrize("fn,make", SOURCE_HELPER_CASES, ids=[fn.__name__ for fn, _ in SOURCE_HELPER_CASES])
def test_hessian_through_helpers_differentiated_through_their_source(fn, make):
    x, H, scale = assert_hessian_matches_finite_differences(fn, make, seed=5, trials=2)
    np.testing.assert_allclose(tg.jacobian(tg.grad(fn))(x), H, rtol=1e-7, atol=1e-7 * scale)


def test_hessian_of_cumprod_with_a_zero_factor():
    x = np.array([1.5, 0.0, 2.0, -0.5])
    H = tg.hessian(with_cumprod)(x)
    expected = numeric_hessian(with_cumprod, x)
    np.testing.assert_allclose(H, expected, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(expected).max()))


def test_real_part_of_a_real_values_cotangent_reaches_a_complex_input():
    # first derivatives: d[y] of the real y = Re(z) is 0.3 + 0.8j after y * (0.3 + 0.8j)
    def f(x):
        return np.sum(np.real((0.3 + 0.8j) * np.real(x * (1 + 2j))) + np.abs(x * (1 - 1j)) * np.imag(x * 2j))
    assert tg.gradcheck(f, np.array([0.5, -1.0, 2.0]))
    # the builtin abs of a complex number follows np.abs (it gave sign(z), not conj(z) / |z|)
    assert tg.grad(builtin_abs_squared)(np.complex128(3 + 4j)) == pytest.approx(6 - 8j)
    assert tg.gradcheck(builtin_abs_of_complex, 2.0)


def builtin_abs_squared(z):
    return abs(z) ** 2


def builtin_abs_of_complex(x):
    return abs(x * (1 + 1j) + 0.5j)


# ----- complex intermediate values of real inputs (JAX/autograd convention at every order) -----

def complex_modulus(x):
    return np.sum(np.abs(np.sin(x) + 1j * x ** 2) ** 2)


def complex_abs(x):
    return np.sum(np.abs(np.sin(x) + 1j * x ** 2) * _C4)


def with_angle(x):
    return np.sum(np.angle(np.cos(x) + 1j * x ** 3) * _C4) + np.sum(np.angle(np.exp(1j * x) * (2.0 - 1j), deg=True))


def parts_and_conjugates(x):
    z = np.sin(x) + 1j * x ** 2
    w = np.conj(z) * np.exp(0.5j * x)
    return (np.sum(np.real(z * w) * _C4) + np.sum(np.imag(w) ** 3) + np.sum(z.real * z.imag)
            + np.sum(np.real(np.conjugate(w) * z) ** 2))


def unit_circle(x):
    return np.sum(np.real(np.exp(1j * x)) * _C4) + np.sum(np.imag(np.exp(1j * x ** 2)) ** 2)


def reused_complex(x):
    # z is read three times and reaches a real output through a complex product: each real value's
    # cotangent may pick up an imaginary part that must not reach z (np.real reads the real part)
    z = x * (1 + 2j) + np.sin(x)
    y = np.real(z) * (0.3 + 0.8j)
    return np.sum(np.real(y * z)) + np.sum(np.abs(z * z)) + np.sum(np.real(y) ** 2)


_M4 = np.array([[1.0, 2.0j, 0.5, 0.0], [0.3 - 1j, 1.0, 2.0, 1j], [1j, 0.2, -1.0, 0.5], [0.0, 1.0, 1j, 2.0]])


def complex_products(x):
    # the helpers' buffers keep a complex cotangent complex (prod's second derivative, einsum)
    z = np.sin(x) + 1j * x ** 2 + 0.3
    return np.real(np.prod(z)) + np.real(np.einsum("i,ij,j->", np.conj(z), _M4, z)) + np.sum(np.abs(_M4 @ z) ** 2)


def complex_statistics(x):
    z = np.sin(x) + 1j * x ** 2 + 0.3
    return (np.var(z) + np.std(z * 1j, ddof=1) + np.real(np.vdot(z, _M4 @ z)) + np.imag(np.vdot(_M4[0], z))
            + np.sum(np.abs(np.convolve(z, _M4[0])) ** 2) + np.sum(np.abs(np.correlate(z, _M4[1] * z, "full"))))


def fft_power(x):
    return np.sum(np.abs(np.fft.fft(x)) ** 2)


def rfft_power(x):
    return np.sum(np.abs(np.fft.rfft(np.sin(x) * x)) ** 2 * _C4[:3])


def irfft_loss(x):
    return np.sum(np.fft.irfft(np.fft.rfft(x) * (1.0 + 2.0j) * np.fft.rfft(x ** 2)) ** 2 * _C4)


def ifft_loss(x):
    return np.sum(np.abs(np.fft.ifft(x ** 2 + 1j * x)) ** 3)


COMPLEX_CASES = [(fn, lambda rng: rng.normal(size=4)) for fn in (
    complex_modulus, complex_abs, with_angle, parts_and_conjugates, unit_circle, reused_complex, complex_products,
    complex_statistics, fft_power, rfft_power, irfft_loss, ifft_loss, with_ffts)]


@pytest.mark.parametrize("fn,make", COMPLEX_CASES, ids=[fn.__name__ for fn, _ in COMPLEX_CASES])
def test_second_derivatives_through_complex_values_match_finite_differences(fn, make):
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)   # real inputs, real results
        x, H, scale = assert_hessian_matches_finite_differences(fn, make, seed=5, trials=3)
        assert H.dtype == np.float64
        np.testing.assert_allclose(tg.jacobian(tg.grad(fn))(x), H, rtol=1e-8, atol=1e-8 * scale)
        v = np.random.default_rng(6).normal(size=x.shape)
        gradient, product = tg.hvp(fn, (x,), v)
        assert np.isrealobj(gradient) and np.isrealobj(product)
        np.testing.assert_allclose(product, H @ v, rtol=1e-8, atol=1e-8 * scale)
        np.testing.assert_allclose(gradient, tg.grad(fn)(x), rtol=1e-12, atol=1e-12)


def scalar_complex(x):
    return abs(np.exp(1j * x) + 2 * x ** 2) ** 2 + np.angle(np.exp(1j * x * x) + 0.5) + np.imag(np.conj(x + 1j) ** 3)


@pytest.mark.parametrize("x", [0.3, -1.1, 2.4])
def test_grad_of_grad_through_complex_values_of_a_float(x):
    gradient, eps = tg.grad(scalar_complex), 1e-5
    second = tg.grad(tg.grad(scalar_complex))(x)
    assert type(second) is float
    np.testing.assert_allclose(second, (gradient(x + eps) - gradient(x - eps)) / (2 * eps), rtol=1e-6)
    value, tangent = tg.jvp(tg.grad(scalar_complex), (x,), 1.0)   # real, like tg.grad's result
    assert type(value) is float and type(tangent) is float
    assert value == gradient(x)
    np.testing.assert_allclose(tangent, second, rtol=1e-12)


def third_through_complex(x):
    return (np.real(np.exp(1j * x) * (0.5 + 2j)) + np.imag((x + 1j) ** 3) * np.real(np.conj(x * 1j + 2.0) * x)
            + np.angle(np.exp(1j * x * x) + 0.5) + np.abs(np.sin(x) + 1j * x ** 2) ** 3 + abs(np.cos(x) - 2j * x))


@pytest.mark.parametrize("x", [0.3, 1.2])
def test_third_derivative_through_complex_values(x):
    # real/imag/conj/angle/abs and complex arithmetic (rt.conj_sign_derivative, the second
    # derivative of |z|, is differentiated through its source)
    second, eps = tg.grad(tg.grad(third_through_complex)), 1e-5
    np.testing.assert_allclose(tg.grad(second)(x), (second(x + eps) - second(x - eps)) / (2 * eps), rtol=1e-6)


def complex_norm(x):
    return np.linalg.norm(np.sin(x) + 1j * x ** 2)


def complex_norms(x):
    z = np.outer(np.sin(x), x) + 1j * np.outer(x, x ** 2)
    return np.linalg.norm(z, "fro") + np.sum(np.linalg.norm(z, axis=0)) + np.linalg.norm(z[0] * x) ** 2


def complex_three_norm(x):
    return np.linalg.norm(np.sin(x) + 1j * x, 3)


def complex_p_norms(x):
    z = np.outer(np.sin(x), x) + 1j * np.outer(x, np.cos(x))
    return (np.linalg.norm(z[0], 1) + np.linalg.norm(z[1], 1.5) + np.sum(np.linalg.norm(z, 4, axis=0))
            + np.linalg.norm(z[:, 0] * x, 3) ** 2)


@pytest.mark.parametrize("fn", [complex_norm, complex_norms, complex_three_norm, complex_p_norms])
def test_second_derivatives_of_complex_norms(fn):
    assert_hessian_matches_finite_differences(fn, lambda rng: rng.normal(size=3), seed=10, trials=3)


def test_third_derivatives_of_a_complex_p_norm():
    def f(s):
        return np.linalg.norm(np.array([np.sin(s) + 1j * s, 2.0 - 1j * s ** 2, 1j * np.cos(s)]), 3)
    third = tg.grad(tg.grad(tg.grad(f)))
    second = tg.grad(tg.grad(f))
    for s in (0.3, -0.8, 1.7):
        h = 1e-4
        assert np.isclose(third(s), (second(s + h) - second(s - h)) / (2 * h), rtol=1e-5, atol=1e-7)


def complex_inf_norms(x):
    z = np.outer(np.sin(x), x) + 1j * np.outer(x, np.cos(x))
    return (np.linalg.norm(np.sin(x) + 1j * x, np.inf) + np.linalg.norm(np.cos(x) * x - 2j * x ** 2, -np.inf)
            + np.sum(np.linalg.norm(z, np.inf, axis=0)) + np.linalg.norm(z[0], -np.inf) ** 2)


def test_second_derivatives_of_complex_inf_norms():
    # the gradient w conj(z) / |z| (w: the weights of the largest |z|) changes with z through
    # conj(z) / |z| alone, away from ties
    assert_hessian_matches_finite_differences(complex_inf_norms, lambda rng: rng.normal(size=3), seed=12, trials=3)


def complex_loss(z, w):
    return (np.sum(np.abs(np.sin(z) * z) ** 3) + np.real(np.sum(z * np.conj(z) * w)) + np.abs(np.vdot(z, z))
            + np.linalg.norm(z, 3) + np.real(np.sum(np.fft.fft(z) ** 2)))


def complex_loop_loss(z):
    total = 0.0
    for i in range(3):
        total = total + np.abs(np.sum(np.exp(z * 1j) * z)) ** 2 / (i + 1)
    return total


@pytest.mark.parametrize("fn", [complex_loss, complex_loop_loss])
def test_hvp_with_respect_to_complex_inputs_is_the_derivative_of_the_gradient(fn):
    # as jax.jvp(jax.grad(f)) and torch.func.jvp(torch.func.grad(f)): the change of the complex
    # gradient dL/da - i dL/db along a complex direction v (a real-linear map of v)
    rng = np.random.default_rng(4)
    gradient = tg.grad(fn)
    for _ in range(3):
        z = rng.normal(size=3) + 1j * rng.normal(size=3)
        rest = (rng.normal(size=3),) if fn is complex_loss else ()
        v = rng.normal(size=3) + 1j * rng.normal(size=3)
        g, product = tg.hvp(fn, (z, *rest), v)
        np.testing.assert_allclose(g, gradient(z, *rest), rtol=1e-12)
        h = 1e-5
        expected = (gradient(z + h * v, *rest) - gradient(z - h * v, *rest)) / (2 * h)
        np.testing.assert_allclose(product, expected, rtol=1e-6, atol=1e-8)
        value, tangent = tg.jvp(gradient, (z, *rest), v)
        np.testing.assert_allclose(tangent, product, rtol=1e-10, atol=1e-12)
        # the vjp of the gradient is the transposed map: Re<u, H v> = Re<H^T u, v>
        u = rng.normal(size=3) + 1j * rng.normal(size=3)
        _, pullback = tg.vjp(gradient, z, *rest)
        transposed = pullback(u)
        assert np.isclose(np.real(np.sum(u * product)), np.real(np.sum(transposed * v)), rtol=1e-10)


def test_hessians_and_jacobians_with_respect_to_complex_inputs_are_refused():
    # the Hessian of a real loss of z = a + ib is a real 2n x 2n matrix that input.shape + input.shape
    # cannot hold, and grad of grad would differentiate a complex value (jax.hessian and
    # torch.func.hessian refuse them too); the error says to use tg.hvp
    z = np.array([1.0 + 2.0j, 0.5 - 1.0j])
    def f(z):
        return np.sum(np.abs(z) ** 2)
    assert np.allclose(tg.grad(f)(z), 2 * np.conj(z))   # first derivatives are fine
    with pytest.raises(tg.NonDifferentiableError, match="tg.hessian with respect to a complex input.*tg.hvp"):
        tg.hessian(f)(z)
    with pytest.raises(tg.NonDifferentiableError, match="grad of grad with respect to a complex input.*tg.hvp"):
        tg.grad(tg.grad(lambda z: np.abs(z) ** 2))(np.complex128(1 + 1j))
    with pytest.raises(tg.NonDifferentiableError, match="tg.jacobian with respect to a complex input"):
        tg.jacobian(tg.grad(f))(z)
    with pytest.raises(tg.NonDifferentiableError, match="tg.jacobian with respect to a complex input"):
        tg.jacobian(lambda z: z ** 2)(z)


def test_a_complex_argument_that_is_not_differentiated_is_a_constant():
    z = np.array([1.0 + 2.0j, 0.5 - 1.0j])
    def g(x, c):
        return np.sum(np.abs(x * c) ** 2)
    np.testing.assert_allclose(tg.hessian(g)(np.array([0.5, -1.0]), z), np.diag(2 * np.abs(z) ** 2))


# ----- a tg.grad object called inside a differentiated function -----

def _energy(x):
    return np.sum(np.sin(x) * x ** 2) + 0.5 * np.sum(x[:-1] * x[1:])


grad_energy = tg.grad(_energy)
value_and_grad_energy = tg.value_and_grad(_energy)


def gradient_penalty(x):
    return np.sum(grad_energy(x) ** 2) + 0.1 * np.sum(x ** 2)


def value_plus_slope(x):
    value, slope = value_and_grad_energy(x)
    return value + np.sum(slope * x)


def test_a_function_calling_a_gradient_differentiates_through_its_generated_code():
    for seed in range(3):
        x = np.random.default_rng(seed).normal(size=4)
        assert tg.gradcheck(gradient_penalty, x)
        assert tg.gradcheck(value_plus_slope, x)
        # d/dx |g(x)|^2 = 2 H g
        expected = 2 * tg.hessian(_energy)(x) @ grad_energy(x) + 0.2 * x
        np.testing.assert_allclose(tg.grad(gradient_penalty)(x), expected, rtol=1e-10, atol=1e-12)


def _smooth(x):
    return np.sum(np.sin(x) * x ** 2) + np.sum(np.exp(0.3 * x)) * np.sum(x)


grad_smooth = tg.grad(_smooth)


def smooth_penalty(x):
    return np.sum(grad_smooth(x) ** 2)


@pytest.mark.parametrize("fn", [smooth_penalty, gradient_penalty])
def test_hessian_of_a_function_calling_a_gradient(fn):
    # third derivatives, through the generated gradient's own forward/backward pair; _energy's
    # gradient adds into slices of its buffer (dx[1:] += ...), which the outer code sees as new arrays
    assert_hessian_matches_finite_differences(fn, lambda rng: rng.normal(size=4), seed=6, trials=2)


def makes_a_gradient_inside(x):
    return tg.grad(_energy)(x) @ x


def test_making_a_gradient_inside_a_differentiated_function_says_how_to_fix_it():
    with pytest.raises(tg.UnsupportedSyntaxError, match=r"make it once outside \(grad_f = tg.grad\(f\)"):
        tg.grad(makes_a_gradient_inside)(np.ones(3))


# ----- tg.jacobian and tg.hessian objects, differentiated or called inside -----

def sine_cubes(x):
    return np.sum(np.sin(x) * x ** 3)


def _third(t):
    return -np.cos(t) * t ** 3 - 9 * np.sin(t) * t ** 2 + 18 * np.cos(t) * t + 6 * np.sin(t)


hessian_of_sine_cubes = tg.hessian(sine_cubes)


def laplacian(x):
    return np.trace(hessian_of_sine_cubes(x))


def spread(v):
    return np.sin(v) * np.sum(v)


jacobian_of_spread = tg.jacobian(spread)


def squared_jacobian(v):
    return np.sum(jacobian_of_spread(v) ** 2)


def test_the_jacobian_of_a_hessian_is_the_third_derivative_tensor():
    x = np.array([0.3, -0.7, 1.1])
    expected = np.zeros((3, 3, 3))
    for i in range(3):
        expected[i, i, i] = _third(x[i])
    np.testing.assert_allclose(tg.jacobian(tg.hessian(sine_cubes))(x), expected, atol=1e-12)


def test_hessian_and_jacobian_objects_called_inside_a_differentiated_function():
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(tg.grad(laplacian)(x), _third(x), rtol=1e-12)   # d/dx_i of the Laplacian
    for seed in range(2):
        assert tg.gradcheck(squared_jacobian, np.random.default_rng(seed).normal(size=3))


def _tree(fn, *trees):
    """`fn` applied leaf by leaf to tuples (nested) of arrays."""
    if isinstance(trees[0], tuple):
        return tuple(_tree(fn, *items) for items in zip(*trees))
    return fn(*trees)


def _central_jacobian(obj, args, position, eps=1e-6):
    """Central differences of `obj(*args)` (an array or nested tuples of them) with respect to
    args[position]: each output shaped `output.shape + args[position].shape`."""
    x = args[position]
    columns = []
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = eps
        plus = list(args)
        minus = list(args)
        plus[position] = x + step.reshape(x.shape)
        minus[position] = x - step.reshape(x.shape)
        columns.append(_tree(lambda p, m: (np.asarray(p) - np.asarray(m)) / (2 * eps), obj(*plus), obj(*minus)))
    return _tree(lambda *cs: np.moveaxis(np.stack(cs), 0, -1).reshape(np.shape(cs[0]) + x.shape), *columns)


def _assert_trees_close(actual, expected, **tolerance):
    assert type(actual) is type(expected) or not isinstance(expected, tuple)
    if isinstance(expected, tuple):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            _assert_trees_close(a, e, **tolerance)
    else:
        assert np.shape(actual) == np.shape(expected)
        np.testing.assert_allclose(actual, expected, **tolerance)


def times_square(a, b):
    return a ** 2 * b


def squares_times_cubes(a, b):
    return np.sum(a ** 2 * b ** 3)


jacobian_of_two_inputs = tg.jacobian(times_square, wrt=(0, 1))
hessian_of_two_inputs = tg.hessian(squares_times_cubes, wrt=(0, 1))


def _two_inputs(seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=3), rng.normal(size=3)


def _on_diagonal(values):
    """The 3 x 3 x 3 tensor with `values` on its diagonal [i, i, i]."""
    cube = np.zeros((3, 3, 3))
    for i in range(3):
        cube[i, i, i] = values[i]
    return cube


def _assert_jacobians_match_central_differences(obj, a, b):
    for position in (0, 1):
        _assert_trees_close(tg.jacobian(obj, wrt=position)(a, b), _central_jacobian(obj, (a, b), position),
                            rtol=1e-6, atol=1e-6)


def test_a_jacobian_object_of_a_tuple_wrt_differentiated_again():
    for seed in range(3):
        a, b = _two_inputs(seed)
        _assert_jacobians_match_central_differences(jacobian_of_two_inputs, a, b)
        # closed form: J = (diag(2ab), diag(a^2)); d/da of the blocks is 2b and 2a on the diagonal
        both = tg.jacobian(jacobian_of_two_inputs, wrt=(0, 1))(a, b)
        expected = (_on_diagonal(2 * b), _on_diagonal(2 * a)), (_on_diagonal(2 * a), np.zeros((3, 3, 3)))
        _assert_trees_close(both, expected, rtol=1e-12, atol=1e-12)


def test_a_jacobian_object_of_a_tuple_wrt_called_inside_a_differentiated_function():
    def loss(a, b):
        first, second = jacobian_of_two_inputs(a, b)
        return np.sum(np.sin(first) * second) + np.sum(second[1] ** 2)

    for seed in range(3):
        a, b = _two_inputs(seed)
        grads = tg.grad(loss, wrt=(0, 1))(a, b)
        for position in (0, 1):   # central differences of the loss, which calls the object itself
            np.testing.assert_allclose(grads[position], _central_jacobian(loss, (a, b), position),
                                       rtol=1e-6, atol=1e-7)
    # sum(J_b) = sum(a^2), so its gradient is (2a, 0)
    a, b = _two_inputs(5)
    grads = tg.grad(lambda a, b: np.sum(jacobian_of_two_inputs(a, b)[1]), wrt=(0, 1))(a, b)
    _assert_trees_close(grads, (2 * a, np.zeros(3)), rtol=1e-12, atol=1e-12)


def test_a_hessian_object_of_a_tuple_wrt_differentiated_again():
    for seed in range(3):
        a, b = _two_inputs(seed)
        _assert_jacobians_match_central_differences(hessian_of_two_inputs, a, b)
        # closed form: H = ((diag(2b^3), diag(6ab^2)), (diag(6ab^2), diag(6a^2 b))), so d/da is
        # ((0, 6b^2), (6b^2, 12ab)) on the diagonal
        third = tg.jacobian(hessian_of_two_inputs, wrt=0)(a, b)
        expected = ((np.zeros((3, 3, 3)), _on_diagonal(6 * b ** 2)),
                    (_on_diagonal(6 * b ** 2), _on_diagonal(12 * a * b)))
        _assert_trees_close(third, expected, rtol=1e-12, atol=1e-12)


def test_a_hessian_object_of_a_tuple_wrt_called_inside_a_differentiated_function():
    def mixed_trace(a, b):
        blocks = hessian_of_two_inputs(a, b)
        return np.trace(blocks[0][1]) + np.sum(blocks[1][1] * blocks[0][0])

    for seed in range(3):
        a, b = _two_inputs(seed)
        grads = tg.grad(mixed_trace, wrt=(0, 1))(a, b)
        for position in (0, 1):
            np.testing.assert_allclose(grads[position], _central_jacobian(mixed_trace, (a, b), position),
                                       rtol=1e-6, atol=1e-6)
    # trace(H_ab) = sum(6 a b^2): its gradient is (6 b^2, 12 a b)
    a, b = _two_inputs(7)
    grads = tg.grad(lambda a, b: np.trace(hessian_of_two_inputs(a, b)[0][1]), wrt=(0, 1))(a, b)
    _assert_trees_close(grads, (6 * b ** 2, 12 * a * b), rtol=1e-12)


def sine_cube(x):
    return np.sin(x) * x ** 3


def _fourth(t):
    return t ** 3 * np.sin(t) - 12 * t ** 2 * np.cos(t) - 36 * t * np.sin(t) + 24 * np.cos(t)


def test_fourth_derivatives_through_nested_objects():
    # a Hessian object of a Hessian object, and a Jacobian of a Jacobian of a Hessian object
    for t in (0.7, -1.3):
        assert np.isclose(tg.hessian(tg.hessian(sine_cube))(t), _fourth(t), rtol=1e-12)
    x = np.array([0.3, -0.7, 1.1])
    fourth = tg.jacobian(tg.jacobian(tg.hessian(sine_cubes)))(x)
    expected = np.zeros((3, 3, 3, 3))
    for i in range(3):
        expected[i, i, i, i] = _fourth(x[i])
    np.testing.assert_allclose(fourth, expected, atol=1e-12)
    np.testing.assert_allclose(tg.jacobian(tg.jacobian(tg.jacobian(tg.grad(sine_cubes))))(x), expected, atol=1e-12)


def not_square(x):
    return np.array([x[0] * x[1], np.sin(x[0]), x[1] ** 3])


def test_a_jacobian_object_of_a_function_with_more_outputs_than_inputs_differentiated_again():
    jacobian_of_not_square = tg.jacobian(not_square)
    for seed in range(3):
        x = np.random.default_rng(seed).normal(size=2)
        np.testing.assert_allclose(tg.jacobian(jacobian_of_not_square)(x),
                                   _central_jacobian(jacobian_of_not_square, (x,), 0), rtol=1e-6, atol=1e-7)


def scaled_cubes(x, scale=2.0):
    return scale * x ** 3


def cubes_with_keyword(x, *, scale=2.0):
    return scale * x ** 3


def cubes_of_all(*xs):
    return sum(x ** 3 for x in xs)


def test_jacobian_objects_of_functions_with_defaults_and_keyword_only_parameters():
    x = np.array([0.5, -1.5])
    second = tg.jacobian(tg.jacobian(scaled_cubes))(x)
    expected = np.zeros((2, 2, 2))
    for i in range(2):
        expected[i, i, i] = 2.0 * 6 * x[i]
    np.testing.assert_allclose(second, expected, rtol=1e-12)
    np.testing.assert_allclose(tg.jacobian(tg.jacobian(scaled_cubes))(x, 3.0), 1.5 * expected, rtol=1e-12)
    np.testing.assert_allclose(tg.jacobian(tg.jacobian(cubes_with_keyword))(x), expected, rtol=1e-12)
    hessian = tg.hessian(lambda x, *, scale=2.0: np.sum(scale * x ** 3))
    np.testing.assert_allclose(tg.grad(lambda x: np.trace(hessian(x)))(x), 12.0 * np.ones(2), rtol=1e-12)
    with pytest.raises(TypeError, match="variadic parameter 'xs'"):
        tg.jacobian(tg.jacobian(cubes_of_all))(x)


def test_objects_written_from_the_same_template_keep_their_own_functions():
    # two Hessian objects of functions with the same parameter names: the functions transgrad
    # writes for them have the same text, and each keeps its own compiled gradient
    def quartic(x):
        return np.sum(x ** 4)

    x = np.array([0.3, 0.5])
    of_sine_cubes = tg.jacobian(tg.hessian(sine_cubes))(x)
    of_quartic = tg.jacobian(tg.hessian(quartic))(x)
    np.testing.assert_allclose(of_sine_cubes[0, 0, 0], _third(0.3), rtol=1e-12)
    np.testing.assert_allclose(of_quartic[0, 0, 0], 24 * 0.3, rtol=1e-12)


def extends_a_list(x):
    items = []
    for k in range(3):
        items.extend([x[k] * x[k], np.sin(x[k])])
    total = 0.0
    for v in items:
        total = total + v * items[0]
    return total


def test_hessian_through_list_extend():
    # the gradient undoes items.extend(...) with rt.unextend, which becomes pure slices when the
    # gradient is differentiated again (normalize/generated.py)
    assert_hessian_matches_finite_differences(extends_a_list, lambda rng: rng.normal(size=3), seed=9, trials=2)


def real_times_a_complex_literal(x):
    y = np.outer(x, x) * 1j
    return np.sum(np.real(y @ np.outer(x, np.sin(x)))) + np.sum(np.imag(y) * x)


def test_a_real_gradient_receiving_complex_terms_is_accumulated_out_of_place():
    # dx gets a complex term from `* 1j`: `dx += term` would be refused by numpy (complex into a
    # float buffer), so code with complex literals accumulates with dx = dx + term
    x = np.array([0.3, -0.7, 1.1])
    assert tg.gradcheck(real_times_a_complex_literal, x)
    assert_hessian_matches_finite_differences(real_times_a_complex_literal, lambda rng: rng.normal(size=3),
                                              seed=11, trials=2)


def sine_times_cubes(a, b):
    return np.sum(np.sin(a) * b ** 3)


def test_a_gradient_compiled_for_each_wrt_is_differentiated_from_its_own_source():
    # the gradients for wrt=0 and wrt=1 are generated from one function: each keeps its own file
    # name, so differentiating the first again does not read the second's source
    a, b = np.array([0.3, 0.4]), np.array([1.2, 0.7])
    gradient_a, gradient_b = tg.grad(sine_times_cubes, wrt=0), tg.grad(sine_times_cubes, wrt=1)
    gradient_a(a, b)
    gradient_b(a, b)
    np.testing.assert_allclose(tg.jacobian(gradient_a, wrt=0)(a, b), np.diag(-np.sin(a) * b ** 3), rtol=1e-12)


# ----- an array element updated in place from its own old value -----
# The gradient code reads `out_1 = out[1]` (a view of out for a 2-d out) after it has put the old
# content back (`out[1] = stack.pop()`); normalize/generated.py copies such reads, so the aliasing
# check accepts the generated code and the outer transform sees values.

def readback_element(x):
    out = x * 1.0
    out[1] = out[1] * out[0]
    return np.sum(np.sin(out) * out)


def readback_row(x):          # x is 2-d: out[1] and out[0] are views
    out = x * 1.0
    out[1] = out[1] * out[0]
    return np.sum(out ** 3) + np.sum(out[1] * out[2])


def readback_slice(x):
    out = x * 1.0
    out[1:] = out[1:] * out[:-1]
    return np.sum(out ** 3)


def readback_loop(x):         # a cumulative product written by hand
    out = x * 1.0
    n = len(x)
    for i in range(1, n):
        out[i] = out[i] * out[i - 1]
    return np.sum(np.cos(out))


def readback_augmented(x):
    out = x * 1.0
    out[1] *= out[0]
    out[2] -= out[1] * out[0]
    return np.sum(out ** 2 * x)


def readback_transposed_view(x):   # a whole-array view read before the update
    out = x * 1.0
    total = np.sum(out.T ** 3)
    out[0] = out[0] * out[1]
    return total + np.sum(out ** 2)


READBACK_CASES = [
    (readback_element, lambda rng: rng.normal(size=3)),
    (readback_row, lambda rng: rng.normal(size=(3, 2))),
    (readback_slice, lambda rng: rng.normal(size=4)),
    (readback_loop, lambda rng: 0.8 * rng.normal(size=4)),
    (readback_loop, lambda rng: 0.8 * rng.normal(size=(4, 2))),
    (readback_augmented, lambda rng: rng.normal(size=3)),
    (readback_transposed_view, lambda rng: rng.normal(size=(2, 3))),
]
READBACK_IDS = ["element", "row", "slice", "loop", "loop_of_rows", "augmented", "transposed_view"]


@pytest.mark.parametrize("fn,make", READBACK_CASES, ids=READBACK_IDS)
def test_second_derivatives_through_an_update_that_reads_its_own_old_value(fn, make):
    x, H, scale = assert_hessian_matches_finite_differences(fn, make, seed=11, trials=3)
    np.testing.assert_allclose(tg.jacobian(tg.grad(fn))(x), H, rtol=1e-9, atol=1e-9 * scale)
    v = np.random.default_rng(12).normal(size=x.shape)
    gradient, product = tg.hvp(fn, (x,), v)
    np.testing.assert_allclose(gradient, tg.grad(fn)(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(product.ravel(), H.reshape(x.size, x.size) @ v.ravel(), rtol=1e-9,
                               atol=1e-9 * scale)


def test_the_gradient_code_reads_a_copy_of_what_it_updates_in_place():
    source = tg.hvp(readback_element, (np.ones(3),), np.ones(3)).source
    assert "rt.copy_input(out[1])" in source or "out_1 = rt.copy_input(" in source
    assert "copy_input" not in tg.grad(readback_element).source   # first-order code is unchanged


def built_from_a_scalar(s):
    out = np.array([s, 2.0 * s, s * s])
    out[1] = out[1] * out[0]          # 2 s**2
    return np.sum(out ** 2)           # s**2 + 5 s**4


E_AXIS = np.array([1.0, 2.0, 0.0])
F_AXIS = np.array([0.0, 0.0, 1.0])


def scaled_from_a_scalar(s):
    out = s * E_AXIS + (s * s) * F_AXIS
    out[1] = out[1] * s               # 2 s**2
    return np.sum(out ** 2) + np.sin(out[1])


@pytest.mark.parametrize("s", [0.7, -1.3, 2.1])
def test_second_and_third_derivatives_of_a_scalar_through_a_readback_update(s):
    second = tg.grad(tg.grad(built_from_a_scalar))
    third = tg.grad(second)
    assert second(s) == pytest.approx(2 + 60 * s ** 2, rel=1e-12)
    assert tg.hessian(built_from_a_scalar)(s) == pytest.approx(2 + 60 * s ** 2, rel=1e-12)
    assert third(s) == pytest.approx(120 * s, rel=1e-12)
    # the same through forward mode at the third order, and against differences of the second
    grad2 = tg.grad(tg.grad(scaled_from_a_scalar))
    eps = 1e-5
    expected = (grad2(s + eps) - grad2(s - eps)) / (2 * eps)
    assert tg.grad(grad2)(s) == pytest.approx(expected, rel=1e-6, abs=1e-6)
    assert tg.jvp(grad2, (s,), 1.0)[1] == pytest.approx(expected, rel=1e-6, abs=1e-6)


def built_from_a_list(s):
    v = np.array([s, 2 * s, s * s])
    return np.sum(np.sin(v) * v)


@pytest.mark.parametrize("s", [0.7, -1.3])
def test_third_and_fourth_derivatives_of_an_array_built_from_a_list(s):
    # the tangent of a number an item gradient holds may be None (zero) in the second-order code:
    # forward over reverse over reverse reads it as 0.0
    second = tg.grad(tg.grad(built_from_a_list))
    eps = 1e-5
    third = (second(s + eps) - second(s - eps)) / (2 * eps)
    assert tg.grad(second)(s) == pytest.approx(third, rel=1e-6)
    assert tg.jvp(second, (s,), 1.0)[1] == pytest.approx(third, rel=1e-6)
    reverse_third = tg.grad(second)
    fourth = (reverse_third(s + 1e-4) - reverse_third(s - 1e-4)) / 2e-4
    assert tg.grad(tg.grad(second))(s) == pytest.approx(fourth, rel=1e-5)


def named_like_the_template(k, i, value, rows, inner):
    return np.sum(k ** 2 * i + np.sin(value) * rows ** 3 + inner * k)


def test_objects_of_functions_whose_parameters_share_the_template_names():
    # the function written for a Jacobian or Hessian object renames its own loop index, lists and
    # globals when a parameter has the same name (k, i, value, rows, inner)
    rng = np.random.default_rng(5)
    args = [rng.normal(size=2), rng.normal(size=2), rng.normal(size=2), rng.normal(size=2), 0.5]
    hessian = tg.hessian(named_like_the_template, wrt=(0, 1))
    def loss(k, i, value, rows, inner):
        return np.sum(hessian(k, i, value, rows, inner)[0][1] * i)   # d2f/dk di = diag(2k)
    np.testing.assert_allclose(tg.grad(loss)(*args), 2 * args[1], rtol=1e-12)
    single = tg.hessian(named_like_the_template)
    def trace(k, i, value, rows, inner):
        return np.trace(single(k, i, value, rows, inner))            # sum(2 i)
    np.testing.assert_allclose(tg.grad(trace, wrt=1)(*args), 2 * np.ones(2), rtol=1e-12)
    jacobian = tg.jacobian(lambda k, i: k ** 2 * i)
    np.testing.assert_allclose(tg.jacobian(jacobian)(args[0], args[1])[0], np.diag([2 * args[1][0], 0]),
                               rtol=1e-12, atol=1e-12)


def product_of_three(s):
    return np.prod(np.array([s, 2 * s + 1, np.sin(s)]))


def cumulative_product(s):
    return np.sum(np.cumprod(np.array([s, 2 * s + 1, np.sin(s)])))


def cubed_matrix(s):
    return np.sum(np.linalg.matrix_power(np.array([[s, 1.0], [0.5, s * s]]), 3))


@pytest.mark.parametrize("fn", [product_of_three, cumulative_product, cubed_matrix])
def test_fourth_derivatives_through_the_third_order_helpers(fn):
    # prod_grad_dx, cumprod_grad_dx/dg and matrix_power_grad_da are differentiated through their
    # source: lists stacked at the end instead of writes into arrays, and list gradients popped from
    # the fresh copies the generated code makes of them
    third = tg.grad(tg.grad(tg.grad(fn)))
    fourth = tg.grad(third)
    for s in (0.7, -0.4):
        assert fourth(s) == pytest.approx((third(s + 1e-4) - third(s - 1e-4)) / 2e-4, rel=1e-5, abs=1e-6)


def test_derivatives_of_i0_at_zero_follow_its_series():
    # i0(x) = sum_k (x/2)^(2k) / (k!)^2: derivatives 0, 1/2, 0, 3/8, 0 at x = 0 (the slope of i1
    # near 0 is its Taylor series, not a constant that would make every higher derivative 0)
    derivative, values = lambda s: np.i0(s), []
    for _ in range(5):
        derivative = tg.grad(derivative)
        values.append(derivative(0.0))
    np.testing.assert_allclose(values, [0.0, 0.5, 0.0, 0.375, 0.0], atol=1e-12)


def test_derivatives_of_sinc_at_zero_follow_its_series():
    # sinc(x) = sum_k (-1)^k (pi x)^(2k) / (2k+1)!: derivatives 0, -pi^2/3, 0, pi^4/5 at 0
    derivative, values = lambda s: np.sinc(s), []
    for _ in range(4):
        derivative = tg.grad(derivative)
        values.append(derivative(0.0))
    np.testing.assert_allclose(values, [0.0, -np.pi ** 2 / 3, 0.0, np.pi ** 4 / 5], atol=1e-9)


def cubed_by_a_rule(x):
    return x ** 3


@tg.adjoint(cubed_by_a_rule)
def cubed_by_a_rule_adjoint(g, ans, x):
    return g * 3 * x ** 2


def product_by_a_rule(x, y):
    return x * y


@tg.adjoint(product_by_a_rule)
def product_by_a_rule_adjoint(g, ans, x, y):
    return g * y, g * x


def through_adjoint_rules(s):
    return np.sin(cubed_by_a_rule(s)) + product_by_a_rule(s, s * s)


def test_fourth_derivative_through_tg_adjoint_rules():
    # the cotangents a tg.adjoint rule returns may be None: in the gradient code differentiated
    # again, what reads them is guarded (it added None to a number at the fourth derivative)
    third = tg.grad(tg.grad(tg.grad(through_adjoint_rules)))
    for s in (0.7, -0.3):
        expected = (third(s + 1e-4) - third(s - 1e-4)) / 2e-4
        assert tg.grad(third)(s) == pytest.approx(expected, rel=1e-5)


KNOTS = np.array([-1.0, -0.2, 0.5, 1.5])
SAMPLES = np.array([-1.5, 0.1, 0.7, 2.0, 0.3])


def interpolated(s):
    return np.sum(np.sin(np.interp(SAMPLES * s, KNOTS, np.array([s, s * s, np.sin(s), 1.0]))))


def test_fourth_derivative_through_interp():
    # xp is a constant (np.interp's rule); in the generated code differentiated again it is saved and
    # restored for split backwards, which must not make it look varying to the rules that read it
    third = tg.grad(tg.grad(tg.grad(interpolated)))
    for s in (0.7, 1.1):
        expected = (third(s + 1e-4) - third(s - 1e-4)) / 2e-4
        assert tg.grad(third)(s) == pytest.approx(expected, rel=1e-5)
