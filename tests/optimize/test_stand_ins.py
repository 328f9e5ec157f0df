"""optimize/stand_ins.py: elementwise results read only for their shape are not computed."""
import textwrap

import numpy as np
import pytest

import transgrad as tg
from transgrad import runtime as rt


def cross_entropy(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def product(a, b):
    return np.sum(a * b + a)


def test_the_loss_terms_are_stand_ins_and_the_gradient_is_unchanged():
    rng = np.random.default_rng(0)
    w, X, y = rng.standard_normal(3), rng.standard_normal((20, 3)), (rng.random(20) > 0.5) * 1.0
    g = tg.grad(cross_entropy)
    # before: log_p = np.log(p); y_times_log_p = y * log_p; ... (five passes over the data that
    # only the loss value needs); after: their shapes alone
    g(w, X, y)
    code = "\n".join(line for line in g.source.splitlines() if not line.strip().startswith("#"))
    assert "log_p = rt.stand_in(p)" in code and "np.log" not in code
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    np.testing.assert_allclose(g(w, X, y), X.T @ (p - y) / len(y), rtol=1e-12, atol=1e-14)
    assert tg.gradcheck(cross_entropy, w, X, y)


def test_a_value_read_for_more_than_its_shape_is_computed():
    g = tg.grad(product, wrt=(0, 1))
    g(np.ones(3), np.ones(3))
    assert g.source.splitlines()[2:4] == ["    a_times_b = rt.stand_in(a, b)",
                                         "    a_times_b_plus_a = rt.stand_in(a_times_b, a)"]
    value_and_grad = tg.value_and_grad(product, wrt=(0, 1))
    value_and_grad(np.ones(3), np.ones(3))
    assert "a_times_b = a * b" in value_and_grad.source   # the value is returned: it is computed


@pytest.mark.parametrize("shapes, dtype", [(((3, 1), (1, 4)), np.float64), (((2, 3), ()), np.float32),
                                           (((5,), (5,)), np.float32)])
def test_a_stand_in_has_the_broadcast_shape_and_dtype(shapes, dtype):
    operands = [np.ones(shape, dtype=dtype) for shape in shapes]
    standing = rt.stand_in(*operands)
    assert standing.shape == np.broadcast_shapes(*shapes) and standing.dtype == dtype
    assert standing.strides == (0,) * standing.ndim and not standing.flags.writeable
    assert rt.stand_in(np.ones(3, dtype=np.float32), 2.0).dtype == np.float32


def test_the_tutorial_example_reads_like_its_page():
    g = tg.grad(product, wrt=(0, 1))
    g(np.ones(2), np.ones(2))
    assert g.source == textwrap.dedent("""\
        def grad_product(a, b):
            # line 17: return np.sum(a * b + a)
            a_times_b = rt.stand_in(a, b)
            a_times_b_plus_a = rt.stand_in(a_times_b, a)
            dsum_a_times_b_plus_a = 1.0
            # grad of line 17: return np.sum(a * b + a)
            da_times_b_plus_a = np.broadcast_to(dsum_a_times_b_plus_a, a_times_b_plus_a.shape)
            da_times_b = rt.unbroadcast(da_times_b_plus_a, a_times_b)
            da = rt.unbroadcast(da_times_b_plus_a, a)
            da = da + rt.unbroadcast(da_times_b * b, a)
            db = rt.unbroadcast(da_times_b * a, b)
            return (da, db)
        """)
