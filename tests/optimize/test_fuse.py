"""optimize/fuse.py: np.trace(a @ b) is computed without the product, and np.trace(x @ m @ x.T)
with one, with the same gradient."""
import textwrap

import numpy as np
import pytest

import transgrad as tg


def quadratic_form_trace(A, B):
    return np.trace(A @ B @ A.T)


def trace_of_product(P, Q):
    return np.trace(P @ Q) * 2.0


def product_used_twice(P, Q):
    M = P @ Q
    return np.trace(M) + np.sum(M)


def test_trace_of_a_chain_needs_the_two_products_a_person_would_write():
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((4, 3)), rng.standard_normal((3, 3))
    g = tg.grad(quadratic_form_trace, wrt=(0, 1))
    dA, dB = g(A, B)
    np.testing.assert_allclose(dA, A @ (B + B.T))
    np.testing.assert_allclose(dB, A.T @ A)
    # before: A_matmul_B = A @ B; A_T = A.T; t = A_matmul_B @ A_T; np.trace(t): six products in the
    # gradient without fusion, three with trace(a @ b) alone; after: x (m + mᵀ) and xᵀ x
    assert g.source == textwrap.dedent("""\
        def grad_quadratic_form_trace(A, B):
            dtrace_A_matmul_B_matmul = 1.0
            # grad of line 12: return np.trace(A @ B @ A.T)
            dA = rt.trace_quadratic_grad(dtrace_A_matmul_B_matmul, A, B)
            dB = dtrace_A_matmul_B_matmul * np.matmul(np.swapaxes(A, 0, 1), A)
            return (dA, dB)
        """)
    assert tg.gradcheck(quadratic_form_trace, A, B, wrt=(0, 1))


def quadratic_form_with_transpose_call(X, M):
    XM = X @ M
    XT = X.T
    return np.trace(XM @ XT) + 1.0


def transposed_other_matrix(X, M, Y):
    return np.trace(X @ M @ Y.T)


def test_trace_of_x_m_xt_is_fused_only_for_the_same_x():
    rng = np.random.default_rng(3)
    X, M, Y = rng.standard_normal((3, 4)), rng.standard_normal((4, 4)), rng.standard_normal((3, 4))
    g = tg.grad(quadratic_form_with_transpose_call, wrt=(0, 1))
    g(X, M)
    assert "trace_quadratic" in g.source
    assert tg.gradcheck(quadratic_form_with_transpose_call, X, M, wrt=(0, 1))
    h = tg.grad(transposed_other_matrix, wrt=(0, 1, 2))
    h(X, M, Y)
    assert "trace_quadratic" not in h.source and "trace_matmul" in h.source
    assert tg.gradcheck(transposed_other_matrix, X, M, Y, wrt=(0, 1, 2))


@pytest.mark.parametrize("n, k, m", [(3, 4, 3), (3, 4, 5), (5, 4, 3), (1, 2, 1)])
def test_square_and_rectangular_products_match_finite_differences(n, k, m):
    rng = np.random.default_rng(n * 100 + m)
    assert tg.gradcheck(trace_of_product, rng.standard_normal((n, k)), rng.standard_normal((k, m)), wrt=(0, 1))


def test_a_product_read_elsewhere_is_kept():
    rng = np.random.default_rng(1)
    P, Q = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    g = tg.grad(product_used_twice, wrt=(0, 1))
    g(P, Q)
    assert "trace_matmul" not in g.source
    assert tg.gradcheck(product_used_twice, P, Q, wrt=(0, 1))


def batched_trace(P, Q):
    return np.sum(np.trace(P @ Q))


def test_batched_operands_are_left_to_np_trace():
    # np.trace of a stack traces its first two axes, not each matrix: not a trace of products
    rng = np.random.default_rng(2)
    P, Q = rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 3, 3))
    g = tg.grad(batched_trace, wrt=(0, 1))
    g(P, Q)
    assert "trace_matmul" not in g.source
    assert tg.gradcheck(batched_trace, P, Q, wrt=(0, 1))
