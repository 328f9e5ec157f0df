"""Local functions, lambdas and higher-order helpers are inlined; closures read current values."""
import numpy as np
import pytest

import transgrad as tg


def apply(f, v):
    return f(v) * 2.0


def compose(f, g, v):
    return f(g(v))


def with_lambda(x):
    square = lambda v: v * v  # noqa: E731
    return np.sum(square(x) + square(x * 2.0))


def with_def_defaults_and_branches(x, w):
    def layer(h, scale=0.5):
        z = h @ w
        if np.sum(z) > 0:
            return np.tanh(z) * scale
        return z * scale
    h = layer(x)
    h = layer(h.T, scale=2.0)
    return np.sum(h)


def higher_order(x):
    return np.sum(apply(np.sin, x) + apply(lambda v: v ** 3, x) + compose(np.exp, np.cos, x))


def closure_in_a_loop(x):
    total = 0.0

    def term(i):
        return x[i] * x[i - 1]
    for i in range(1, 3):
        total = total + term(i)
    return total


def late_binding(x):
    scale = 2.0
    f = lambda v: v * scale  # noqa: E731
    scale = 3.0
    return f(x)


def recursive_local(x):
    def down(v, n):
        if n == 0:
            return v
        return down(v * 2, n - 1)
    return down(x, 3)


def test_inlined_lambda_reads_like_the_expanded_code():
    source = tg.grad(with_lambda).source
    code = [line for line in source.splitlines()[1:] if not line.strip().startswith("#")]
    assert not any("lambda" in line or "square(" in line for line in code)   # expanded, not called
    np.testing.assert_allclose(tg.grad(with_lambda)(np.array([1.0, -2.0])), [10.0, -20.0])


@pytest.mark.parametrize("function, args, wrt", [
    (with_lambda, (np.array([[0.3, -0.2], [0.5, 0.1]]),), 0),
    (with_def_defaults_and_branches, (np.array([[0.3, -0.2], [0.5, 0.1]]), np.array([[1.0, -0.5], [0.2, 0.7]])),
     (0, 1)),
    (higher_order, (np.array([0.3, -0.2, 1.1]),), 0),
    (closure_in_a_loop, (np.array([0.5, 1.5, -0.7]),), 0),
])
def test_inlined_functions_match_finite_differences(function, args, wrt):
    assert tg.gradcheck(function, *args, wrt=wrt)


def test_closures_read_the_value_at_call_time_like_python():
    assert late_binding(1.0) == 3.0
    assert tg.grad(late_binding)(1.0) == 3.0


def test_recursion_among_local_functions_is_rejected_with_a_hint():
    with pytest.raises(tg.UnsupportedSyntaxError, match="module level"):
        tg.grad(recursive_local)(1.0)
