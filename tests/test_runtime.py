"""runtime: the helpers generated code calls, checked as properties."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import array_shapes, arrays, broadcastable_shapes

from transgrad import runtime as rt


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_unbroadcast_is_the_adjoint_of_broadcasting(data):
    shape = data.draw(array_shapes(min_dims=0, max_dims=3, max_side=3))
    target = data.draw(broadcastable_shapes(shape, min_dims=0, max_dims=3, max_side=3))
    out_shape = np.broadcast_shapes(shape, target)
    x = data.draw(arrays(np.float64, target, elements=st.floats(-3, 3)))
    g = data.draw(arrays(np.float64, out_shape, elements=st.floats(-3, 3)))
    # <g, broadcast(x)> == <unbroadcast(g), x>
    lhs = np.sum(g * np.broadcast_to(x, out_shape))
    rhs = np.sum(rt.unbroadcast(g, x) * x)
    assert np.isclose(lhs, rhs)
    assert np.shape(rt.unbroadcast(g, x)) == target


def test_unbroadcast_to_a_python_float_gives_a_scalar():
    assert np.ndim(rt.unbroadcast(np.ones(3), 2.0)) == 0


def test_add_treats_none_as_zero_and_adds_containers_leafwise():
    assert rt.add(None, 2.0) == 2.0
    assert rt.add({"a": 1.0, "b": None}, {"a": 2.0, "b": 3.0}) == {"a": 3.0, "b": 3.0}
    assert rt.add([1.0, None], [None, 2.0]) == [1.0, 2.0]


def test_add_at_accumulates_repeated_indices():
    buffer = np.zeros(3)
    rt.add_at(buffer, np.array([0, 0, 2]), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(buffer, [3.0, 0.0, 3.0])


def test_zeros_like_keeps_float32_and_structure():
    assert rt.zeros_like(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert rt.zeros_like({"w": 1.0}) == {"w": None}
    assert rt.zeros_like((1.0, 2.0)) == [None, None]


def test_scalar_seed_rejects_non_scalar_outputs():
    import pytest
    with pytest.raises(ValueError, match="tg.vjp"):
        rt.scalar_seed(np.ones(3))
    assert rt.scalar_seed(np.float32(2.0)).dtype == np.float32
