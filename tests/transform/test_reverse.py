"""The reverse transform: golden generated code, and gradients checked against finite differences."""
import textwrap

import inspect

import numpy as np
from hypothesis import assume, given, settings, strategies as st
from hypothesis.extra.numpy import arrays

import transgrad as tg


def tutorial(x):
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return out


def doubling(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 2
    return y


def branchy(x, y):
    if np.sum(x) > 0:
        z = x * y
    elif np.sum(x) < -1:
        z = np.sin(x)
    else:
        z = y * 1.0
    return np.sum(z)


def rnn(h, w, xs):
    for x in xs:
        h = np.tanh(h @ w + x)
    return np.sum(h)


def rosenbrock(x):
    total = 0.0
    for i in range(len(x) - 1):
        total = total + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2
    return total


def square(v):
    return v * v


def uses_helper_twice(x):
    a = square(x)
    b = square(a + x)
    return np.sum(b)


def power_recursive(x, n):
    if n == 0:
        return 1.0
    return x * power_recursive(x, n - 1)


def expected(text):
    return textwrap.dedent(text).lstrip()


def test_tutorial_gradient_reads_like_hand_written_code():
    grad = tg.grad(tutorial)
    np.testing.assert_allclose(grad(np.ones((2, 2))), np.full((2, 2), 4.5))
    line = inspect.getsourcelines(tutorial)[1]
    assert grad.source == expected(f"""
        def grad_tutorial(x):
            # line {line + 1}: y = x + 2
            y = x + 2
            dout = 1.0
            # grad of line {line + 3}: out = z.mean()
            dz = dout / x.size
            # grad of line {line + 2}: z = y * y * 3
            dy_times_y = dz * 3
            dy = rt.reuse(np.multiply, 2 * dy_times_y, y)
            # grad of line {line + 1}: y = x + 2
            dx = dy
            return dx
        """)


def test_while_loop_counts_iterations_and_records_only_what_the_adjoint_reads():
    value, pullback = tg.vjp(doubling, np.array([0.5, 0.2, -0.3]))
    source = pullback.source
    assert "iterations = iterations + 1" in source
    assert "stack" not in source   # the adjoint of y = y * 2 reads no y
    # the reversed loop only scales dy: optimize/loops.py closes it into one multiplication
    assert "dy = dy * rt.repeated_factor(2, iterations)" in source
    cotangent = np.array([0.1, 1.0, 0.0001])
    np.testing.assert_allclose(pullback(cotangent), 2048 * cotangent)
    np.testing.assert_allclose(pullback(cotangent), 2048 * cotangent)  # callable twice


def test_branches_record_only_the_test():
    source = tg.grad(branchy).source
    assert "stack" not in source   # nothing is overwritten, so nothing is pushed
    for x in (np.array([1.0, 2.0]), np.array([-3.0, 0.5]), np.array([-0.2, 0.1])):
        assert tg.gradcheck(branchy, x, np.array([0.3, -0.7]), wrt=(0, 1))


def test_range_loops_replay_backwards_with_reversed():
    source = tg.grad(rosenbrock).source
    assert "for i in reversed(range(" in source
    assert "dx[i] += " in source or "dx[i_plus_1] += " in source or "rt.add_at(dx" in source


def test_split_helper_calls_and_recursion():
    x = np.array([0.3, -1.2, 0.8])
    assert tg.gradcheck(uses_helper_twice, x)
    assert "square_forward" in tg.grad(uses_helper_twice).source
    assert np.isclose(tg.grad(power_recursive)(1.3, 5), 5 * 1.3 ** 4)


finite = st.floats(-2, 2, allow_nan=False, allow_infinity=False)


@settings(max_examples=20, deadline=None)
@given(arrays(np.float64, (4,), elements=finite))
def test_rosenbrock_matches_finite_differences(x):
    assert tg.gradcheck(rosenbrock, x, rtol=1e-4, atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(arrays(np.float64, (2, 3), elements=finite), arrays(np.float64, (3, 3), elements=finite),
       arrays(np.float64, (4, 2, 3), elements=finite))
def test_rnn_matches_finite_differences(h, w, xs):
    assert tg.gradcheck(rnn, h, w, xs, wrt=(0, 1, 2), rtol=1e-4, atol=1e-6)


@settings(max_examples=20, deadline=None)
@given(arrays(np.float64, (3,), elements=finite), arrays(np.float64, (3,), elements=finite))
def test_branches_match_finite_differences(x, y):
    assume(abs(np.sum(x)) > 1e-3 and abs(np.sum(x) + 1) > 1e-3)   # away from the branch boundaries
    assert tg.gradcheck(branchy, x, y, wrt=(0, 1), rtol=1e-4, atol=1e-6)


def rosenbrock_loop(x):
    total = 0.0
    for i in range(len(x) - 1):
        total += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def test_scalar_loop_bodies_are_recomputed_not_recorded_and_the_value_loop_goes():
    x = np.linspace(-1.0, 1.5, 7)
    g = tg.grad(rosenbrock_loop)
    g(x)
    code = [line.strip() for line in g.source.splitlines() if not line.strip().startswith("#")]
    assert not any("stack" in line for line in code)          # nothing pushed or popped
    assert not any(line.startswith("for i in range") for line in code)   # only the reversed loop
    assert tg.gradcheck(rosenbrock_loop, x)


def shifts_in_place(x):
    y = x * 1.0
    total = 0.0
    for i in range(len(y) - 1):
        y[i + 1] = y[i] * 0.5 + y[i + 1]
        total = total + y[i] * y[i + 1]
    return total


def test_values_the_loop_changes_are_recorded_not_recomputed():
    assert tg.gradcheck(shifts_in_place, np.array([0.3, -1.2, 0.8, 1.7, 0.4]))


def matrix_products(A, B, v):
    return np.sum(np.tanh(A @ B)) + np.sum((A @ v) ** 2) + np.sum(np.sin(v @ B))


def test_matrix_product_adjoints_are_written_out_when_ranks_are_known():
    rng = np.random.default_rng(0)
    A, B, v = rng.standard_normal((3, 4)), rng.standard_normal((4, 4)), rng.standard_normal(4)
    g = tg.grad(matrix_products, wrt=(0, 1, 2))
    g(A, B, v)
    # before: rt.matmul_grad_left(g, a, b) and rt.matmul_grad_right(g, a, b) for every product
    assert "matmul_grad" not in g.source
    assert "@ B.T" in g.source and "A.T @ " in g.source and "np.outer(" in g.source
    assert tg.gradcheck(matrix_products, A, B, v, wrt=(0, 1, 2))


def batched_product(A, B):
    return np.sum(np.matmul(A, B) ** 2)


def test_a_batched_product_keeps_the_general_helper():
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 5))
    g = tg.grad(batched_product, wrt=(0, 1))
    g(A, B)   # B's gradient sums over the batch: rt.matmul_grad_right does that
    assert "rt.matmul_grad_left" in g.source and "rt.matmul_grad_right" in g.source
    assert tg.gradcheck(batched_product, A, B, wrt=(0, 1))
