"""analysis/ranks.py: the ranks the compiler works out, and gradients that stay right for every
kind of input a function is called with (the cache specialises on the arguments' ranks)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import transgrad as tg
from transgrad.analysis.activity import collect_sites
from transgrad.analysis.ranks import ranks
from transgrad.driver import normalize

SCALE = 0.5
TABLE = np.arange(6.0).reshape(2, 3)


def ranks_of(function, **param_ranks):
    parsed, node, namer, resolver = normalize(function)
    sites = collect_sites(node, resolver, lambda w: True)
    return ranks(node, sites, param_ranks, resolver.resolve)


def scalars_and_arrays(a, x, n):
    b = a * SCALE + 1.0
    c = math.exp(b)
    y = x * b
    total = np.sum(y)
    for i in range(n):
        v = x[i]
        w = x[i + 1] * v
        total = total + w * c
    m = TABLE[0]
    return total + np.sum(m)


def test_ranks_follow_the_code():
    found = ranks_of(scalars_and_arrays, a=0, x=1, n=0)
    assert found["b"] == 0 and found["c"] == 0 and found["y"] == 1 and found["total"] == 0
    assert found["i"] == 0 and found["v"] == 0 and found["w"] == 0
    assert found["m"] == 1 and found["SCALE"] == 0 and found["TABLE"] == 2


def test_unknown_inputs_make_unknown_ranks():
    found = ranks_of(scalars_and_arrays, a=None, x=None, n=None)
    assert "b" not in found and "y" not in found and "v" not in found
    assert found["i"] == 0


def changes_rank(x):
    y = x * 2.0
    y = np.sum(y)
    return y


def test_a_name_assigned_two_ranks_is_unknown():
    assert "y" not in ranks_of(changes_rank, x=1)
    assert ranks_of(changes_rank, x=0)["y"] == 0


def broadcasting(a, b):
    c = a * b + a
    d = np.maximum(c, b) - 2.0 * a
    return np.sum(d * c)


SHAPES = [None, (), (1,), (3,), (2, 1), (2, 3)]


def make(shape, rng):
    if shape is None:
        return float(rng.uniform(0.5, 1.5))
    return rng.uniform(0.5, 1.5, size=shape)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(SHAPES), st.sampled_from(SHAPES), st.integers(0, 2 ** 16))
def test_gradients_are_right_for_every_mix_of_numbers_and_arrays(shape_a, shape_b, seed):
    # one function, called with numbers, 0-d arrays and broadcasting arrays in every combination:
    # each combination gets its own specialised code, and dropping rt.unbroadcast is never wrong
    rng = np.random.default_rng(seed)
    a, b = make(shape_a, rng), make(shape_b, rng)
    assert tg.gradcheck(broadcasting, a, b, wrt=(0, 1))


def scaled(x):
    return np.sum(x * SCALE_GLOBAL)


SCALE_GLOBAL = 2.0


def test_rebinding_a_global_number_to_an_array_recompiles():
    global SCALE_GLOBAL
    g = tg.grad(scaled)
    x = np.ones((2, 3))
    np.testing.assert_allclose(g(x), np.full((2, 3), 2.0))
    SCALE_GLOBAL = np.array([1.0, 2.0, 3.0])
    try:
        np.testing.assert_allclose(g(x), np.tile([1.0, 2.0, 3.0], (2, 1)))
    finally:
        SCALE_GLOBAL = 2.0


def rosenbrock(x):
    total = 0.0
    for i in range(len(x) - 1):
        total += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def test_scalar_code_has_no_unbroadcast_and_indexes_in_place():
    g = tg.grad(rosenbrock)
    x = np.linspace(-1.0, 1.5, 6)
    g(x)
    assert "unbroadcast" not in g.source and "add_at" not in g.source
    assert tg.gradcheck(rosenbrock, x)


def test_the_same_function_on_a_list_is_compiled_apart_and_agrees():
    # a list has no rank: its code keeps every rt.unbroadcast, and gives the array's numbers
    g = tg.grad(rosenbrock)
    values = [0.5, 1.0, -0.3, 0.8]
    from_array = g(np.array(values))
    from_list = g(values)
    assert "unbroadcast" in g.source and isinstance(from_list, list)
    np.testing.assert_allclose(from_list, from_array)
    np.testing.assert_allclose(g(np.array(values)), from_array)   # the array's code is still cached right
