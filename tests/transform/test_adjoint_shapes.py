"""What the reverse transform emits for one assignment: first writes assign, later ones add in place,
unbroadcast only where shapes may differ, equal contributions merged."""
import numpy as np

import transgrad as tg


def scalar_operands(x):
    y = x * 3.0 + 2.0
    return np.sum(y * y)


def two_arrays(x, w):
    return np.sum(x * w)


def used_twice(x):
    a = np.sin(x)
    b = np.cos(x)
    return np.sum(a * b + x)


def test_no_unbroadcast_when_the_other_operand_is_a_number_or_the_same_variable():
    source = tg.grad(scalar_operands).source
    assert "unbroadcast" not in source
    assert "2 * (" in source    # y * y: one contribution, doubled
    np.testing.assert_allclose(tg.grad(scalar_operands)(np.array([1.0, 2.0])), 2 * (3 * np.array([1.0, 2.0]) + 2) * 3)


def test_operands_that_may_broadcast_keep_unbroadcast():
    source = tg.grad(two_arrays, wrt=(0, 1)).source
    assert "rt.unbroadcast(" in source
    dx, dw = tg.grad(two_arrays, wrt=(0, 1))(np.ones((2, 3)), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(dw, [2.0, 2.0, 2.0])


def test_second_contribution_adds_in_place_into_an_owned_buffer():
    source = tg.grad(used_twice).source
    assert "dx = dx + " in source and "dx += " in source   # the first sum makes a buffer of its own
    x = np.array([0.3, 1.2])
    expected = np.cos(x) ** 2 - np.sin(x) ** 2 + 1
    np.testing.assert_allclose(tg.grad(used_twice)(x), expected)
