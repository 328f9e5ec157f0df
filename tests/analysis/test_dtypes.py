"""analysis/dtypes.py: where a complex value may appear, gradients are added out of place, so that a
complex term reaching a real variable's gradient never meets numpy's casting error; a function it
proves real keeps its in-place `dx += term`."""
import warnings

import numpy as np
import pytest

import transgrad as tg
from transgrad.analysis.dtypes import may_be_complex
from transgrad.driver import normalize

PHASES = np.exp(1j * np.arange(3.0))
REAL_TABLE = np.arange(3.0)


def complex_of(function, complex_arguments=False):
    parsed, node, namer, resolver = normalize(function)
    return may_be_complex(node, resolver, complex_arguments)


def real_code(x):
    return np.sum(np.sin(x) * REAL_TABLE + x.astype(np.float32))


def literal(x):
    return np.real(np.sum(x * 2j))


def complex_global(x):
    return np.real(np.sum(x * PHASES))


def transform(x):
    return np.real(np.sum(x * np.fft.fft(x)))


def dtype_keyword(x):
    return np.real(np.sum(x * np.ones(3, dtype=np.complex128)))


def astype_complex(x):
    return np.real(np.sum(x.astype(complex) ** 2))


def helper_with_literal(x):
    return x * 1j


def calls_a_complex_helper(x):
    return np.real(np.sum(helper_with_literal(x)))


def real_helper(x):
    return np.cos(x) * 2.0


def calls_a_real_helper(x):
    return np.sum(real_helper(x))


@pytest.mark.parametrize("function", [literal, complex_global, transform, dtype_keyword, astype_complex,
                                      calls_a_complex_helper])
def test_complex_sources_are_found(function):
    assert complex_of(function)


@pytest.mark.parametrize("function", [real_code, calls_a_real_helper])
def test_real_code_is_proved_real(function):
    assert not complex_of(function)


def test_complex_arguments_are_part_of_the_specialisation_key():
    # the key records whether an argument may hold a complex value, so real calls keep in-place code
    gradient = tg.grad(lambda x, c: np.sum(x * c))
    x = np.ones(2)
    assert gradient._key([x], (x, np.ones(2)))[2] is False
    assert gradient._key([x], (x, np.ones(2) * 1j))[2] is True
    assert gradient._key([x], (x, [np.ones(2), (1.0, 2j)]))[2] is True
    assert gradient._key([x], (x,), {"c": np.ones(2) * 1j})[2] is True
    assert complex_of(real_code, complex_arguments=True)


# ----- end to end: complex terms reaching real gradients, without a complex literal -----

def through_an_argument(x, c):
    total = 0.0
    for i in range(2):
        total = total + np.real(np.sum(x * c)) + np.sum(x ** 2)
    return total


def through_slices(x, c):
    total = 0.0
    for i in range(2):
        total = total + np.real(np.sum(x[i:i + 2] * c[:2])) + np.sum(x[i:i + 2] ** 2)
    return total


def through_elements(x, c):
    total = 0.0
    for i in range(3):
        total = total + np.real(x[i] * c[i]) + x[i] ** 2
    return total


def through_a_transform(x, c):
    total = 0.0
    for i in range(2):
        total = total + np.real(np.sum(x * np.fft.fft(x) * c)) + np.sum(x ** 2)
    return total


def through_an_outer_product(x, c):
    total = 0.0
    for i in range(2):
        total = total + np.real(np.sum(np.outer(x, c) ** 2)) + np.sum(np.sin(x))
    return total


def through_a_fancy_index(x, c):
    picked = x[np.array([0, 2, 0])]
    return np.sum(np.abs(picked * c) ** 2) + np.sum(x[np.array([1, 1])] ** 2)


FUNCTIONS = [through_an_argument, through_slices, through_elements, through_a_transform,
             through_an_outer_product, through_a_fancy_index]


def _numeric_gradient(function, x, c, h=1e-6):
    return np.array([(function(x + h * e, c) - function(x - h * e, c)) / (2 * h) for e in np.eye(x.size)])


@pytest.mark.parametrize("function", FUNCTIONS)
def test_gradients_through_complex_arguments_match_finite_differences(function):
    rng = np.random.default_rng(7)
    gradient = tg.grad(function)
    for _ in range(4):
        x = rng.normal(size=3)
        c = rng.normal(size=3) + 1j * rng.normal(size=3)
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # no ComplexWarning from a complex term cast into a real slot
            g = gradient(x, c)
        assert g.dtype == np.float64
        np.testing.assert_allclose(g, _numeric_gradient(function, x, c), rtol=1e-6, atol=1e-7)
        # the same object called with a real c is specialised apart, and stays right
        real_c = rng.normal(size=3)
        np.testing.assert_allclose(gradient(x, real_c), _numeric_gradient(function, x, real_c), rtol=1e-6,
                                   atol=1e-7)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_second_derivatives_through_complex_arguments(function):
    rng = np.random.default_rng(8)
    x = rng.normal(size=3)
    c = rng.normal(size=3) + 1j * rng.normal(size=3)
    gradient = tg.grad(function)
    h = 1e-5
    expected = np.stack([(gradient(x + h * e, c) - gradient(x - h * e, c)) / (2 * h) for e in np.eye(3)], axis=1)
    np.testing.assert_allclose(tg.hessian(function)(x, c), expected, rtol=1e-5, atol=1e-6)
    _, pullback = tg.vjp(gradient, x, c)
    np.testing.assert_allclose(pullback(np.ones(3)), expected.T @ np.ones(3), rtol=1e-5, atol=1e-6)


def test_real_arguments_keep_in_place_accumulation_and_complex_ones_add_out_of_place():
    gradient = tg.grad(through_an_argument)
    x = np.array([0.5, -1.0, 2.0])
    gradient(x, np.array([1.0, 2.0, 3.0]))
    assert "dx += " in gradient.source
    gradient(x, np.array([1.0, 2.0, 3.0j]))
    assert "dx += " not in gradient.source and "dx = dx + " in gradient.source
