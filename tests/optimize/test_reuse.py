"""optimize/reuse.py: results written into the memory of arrays the code no longer reads."""
import numpy as np
import pytest

import transgrad as tg
from transgrad import runtime as rt

N = 1 << 17   # above the size at which rt.reuse writes in place


def tutorial(x):
    y = x + 2
    z = y * y * 3
    return z.mean()


def test_large_gradients_reuse_a_dead_array_and_leave_the_input_alone():
    x = np.linspace(-1.0, 1.0, N)
    before = x.copy()
    g = tg.grad(tutorial)(x)
    np.testing.assert_allclose(g, 6.0 / N * (x + 2))
    np.testing.assert_array_equal(x, before)
    grad = tg.grad(tutorial)
    grad(x)
    assert "rt.reuse(np.multiply" in grad.source


def masked(x):
    mask = np.arange(x.size) % 2   # an integer array the function made
    return np.sum(x * mask) * 0.5


def test_an_integer_array_is_never_overwritten_with_floats():
    x = np.linspace(0.0, 1.0, N)
    np.testing.assert_allclose(tg.grad(masked)(x), 0.5 * (np.arange(N) % 2))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x = np.linspace(-1.0, 1.0, N).astype(dtype)
    g = tg.grad(tutorial)(x)
    assert g.dtype == dtype
    np.testing.assert_allclose(g, 6.0 / N * (x.astype(np.float64) + 2), rtol=1e-5)


def test_value_and_grad_keeps_returned_values_intact():
    def double_and_sum(x):
        y = x * 2.0
        return np.sum(y * 3.0)
    x = np.ones(N)
    value, grad = tg.value_and_grad(double_and_sum)(x)
    assert value == 6.0 * N
    np.testing.assert_allclose(grad, np.full(N, 6.0))


def test_reuse_falls_back_when_the_result_would_change_dtype_or_is_small():
    small = np.ones(3)
    out = rt.reuse(np.multiply, 2.0, small)
    assert out is not small and np.all(small == 1.0)
    ints = np.ones(N, dtype=np.int64)
    out = rt.reuse(np.multiply, 0.5, ints)
    assert out.dtype == np.float64 and np.all(ints == 1)
    big = np.ones(N)
    assert rt.reuse(np.multiply, 2.0, big) is big


def chain(x):
    return np.sum(np.sqrt(np.log(1 + np.exp(np.sin(x)))))


def test_arrays_are_freed_after_their_last_use():
    x = np.linspace(-1.0, 1.0, 50)
    g = tg.grad(chain)
    g(x)
    lines = [line.strip() for line in g.source.splitlines()]
    assert "del sin_x" in lines                      # sin_x is read once, by np.exp
    assert lines.index("del sin_x") == lines.index("exp_sin_x = np.exp(sin_x)") + 1
    assert tg.gradcheck(chain, x)


def deletes_a_temporary(x):
    t = np.sin(x)
    y = t * 2.0
    del t
    return np.sum(y * x)


def test_a_users_del_of_a_name_is_accepted():
    assert tg.gradcheck(deletes_a_temporary, np.linspace(-1.0, 1.0, 5))
