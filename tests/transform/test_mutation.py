"""In-place updates: subscript assignment, augmented subscript assignment, list append/extend.

Each is checked against finite differences; aliasing that would make a gradient
wrong is rejected; the caller's arrays are never changed.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

import transgrad as tg


def build_up(x):
    out = np.zeros(3)
    for i in range(3):
        out[i] = np.sin(x[i]) * x[i]
    return np.sum(out ** 2)


def overwrite_slots(x):
    y = x * 2.0
    y[0] = 5.0
    y[1:] = y[1:] * x[0]
    return np.sum(y * y)


def augmented_slot(x):
    y = x * 1.0
    y[1] += x[0] * 3
    y[-1] *= y[0]
    return np.sum(y ** 2)


def rows_of_a_matrix(x):
    m = np.zeros((2, 3))
    m[0] = x
    m[1] = x ** 2
    m[:, 0] = m[:, 1] * m[1, 2]
    return np.sum(m * m)


def boolean_mask(x):
    y = x * 1.0
    y[y < 0] = 0.0
    return np.sum(y * x)


def list_building(x):
    acc = []
    for i in range(3):
        acc.append(x[i] * x[i])
    more = [x[0], x[1]]
    acc.extend(more)
    total = 0.0
    for v in acc:
        total = total + v * 2
    return total


def sometimes_contributes(x, n):
    acc = []
    for i in range(n):
        acc.append(np.sin(x) * i)
    total = 0.0
    for i in range(n):
        if i % 2 == 0:
            total = total + acc[i] * acc[i]
    return total


def updates_its_argument(x):
    x[0] = x[1] * 3
    return np.sum(x ** 2)


def aliased_row(x):
    y = x * 1.0
    row = y[1:]
    y[1] = 0.0
    return np.sum(row) * x[0]


def aliased_list(x):
    a = [x * 1.0]
    b = a
    a.append(x * 2.0)
    return b[0][0] * x[1]


def augmented_alias(x):
    y = x * 1.0
    z = y
    y += 1.0
    return np.sum(z * x)


def closure_writes_enclosing(x):
    total = x

    def bump():
        nonlocal total
        total = total * 2
    bump()
    return total


def zeroed_slot(x):
    out = x * 1.0
    out[1] = 0.0          # a constant written into a slot: the gradient must see the zero
    return np.sum(out ** 2 * x)


CASES = [build_up, overwrite_slots, augmented_slot, rows_of_a_matrix, boolean_mask, list_building, zeroed_slot]


@pytest.mark.parametrize("function", CASES, ids=[f.__name__ for f in CASES])
@settings(max_examples=15, deadline=None)
@given(x=arrays(np.float64, (3,), elements=st.floats(-2, 2).filter(lambda v: abs(v) > 1e-3)))
def test_in_place_updates_match_finite_differences(function, x):
    assert tg.gradcheck(function, x, rtol=1e-4, atol=1e-6)


def test_gradients_that_are_sometimes_zero_never_leak_between_iterations():
    for n in range(1, 6):
        assert tg.gradcheck(sometimes_contributes, 0.7, n)


def test_a_parameter_updated_in_place_is_copied_so_the_callers_array_is_unchanged():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    np.testing.assert_allclose(tg.grad(updates_its_argument)(x), [0.0, 2 * 6.0 * 3 + 2 * 2.0, 6.0])
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("function, other", [(aliased_row, "row"), (aliased_list, "b"), (augmented_alias, "z")])
def test_an_update_another_variable_would_see_is_rejected(function, other):
    with pytest.raises(tg.UnsupportedSyntaxError, match=f"`{other}`") as caught:
        tg.grad(function)(np.array([1.0, 2.0, 3.0]))
    assert ".copy()" in str(caught.value)


def test_pullback_of_code_with_in_place_updates_can_be_called_twice():
    value, pullback = tg.vjp(build_up, np.array([0.3, -0.2, 0.9]))
    first = pullback(1.0)
    np.testing.assert_allclose(pullback(1.0), first)


def test_sorting_an_active_array_in_place_is_a_clear_error():
    def sorts(x):
        y = x * 1.0
        y.sort()
        return np.sum(y)
    with pytest.raises(tg.NonDifferentiableError, match=r"\.sort\(\)"):
        tg.grad(sorts)(np.ones(3))


def test_nonlocal_writes_from_a_local_function_are_rejected():
    with pytest.raises(tg.UnsupportedSyntaxError, match="nonlocal"):
        tg.grad(closure_writes_enclosing)(1.0)
