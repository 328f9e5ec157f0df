"""Repeated eigenvalues and singular values: the gradient through the vectors is undetermined there;
transgrad drops the tied pairs and warns, and says nothing when only the values are used."""
import warnings

import numpy as np
import pytest

import transgrad as tg

TIED = np.diag([2.0, 2.0, 3.0])
W = np.arange(1.0, 10.0).reshape(3, 3)


def through_vectors(a):
    w, v = np.linalg.eigh(a)
    return np.sum(W * (v @ np.diag(w) @ v.T))


def through_singular_vectors(a):
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    return np.sum(W * (u @ np.diag(s) @ vt))


def values_only(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w ** 2)


@pytest.mark.parametrize("function", [through_vectors, through_singular_vectors])
def test_ties_through_the_vectors_warn(function):
    with pytest.warns(RuntimeWarning, match="repeated"):
        tg.grad(function)(TIED)


def test_ties_through_the_values_only_are_exact_and_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(tg.grad(values_only)(TIED), 2 * TIED)


def test_distinct_values_do_not_warn():
    a = np.diag([1.0, 2.0, 3.0]) + 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tg.gradcheck(through_vectors, a)
