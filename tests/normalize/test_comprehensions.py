"""Comprehensions become loops (golden), and differentiate correctly (finite differences)."""
import textwrap

import numpy as np
import pytest

import transgrad as tg


def weighted_squares(w, x):
    n = len(x)
    return sum(w[i] * x[i] ** 2 for i in range(n))


def filtered(x):
    ys = [np.sin(v) * v for v in x if v > 0]
    return np.sum(np.array(ys))


def nested_generators(x):
    return sum([a * b for a in x for b in x if a != b])


def dict_comprehension(x):
    d = {k: x[k] ** 2 for k in range(3)}
    return d[0] + d[1] * d[2]


def conditional_element(x):
    return sum([v if v > 0 else -2 * v for v in x])


def comprehension_in_a_branch(x, axes=None):
    # the comprehension reads axes[0]: it must run only when its branch is taken
    w = x if x.shape == (3,) else x.reshape([x.size if k == axes[0] else 1 for k in range(2)])
    return np.sum(np.sin(w) * w)


def test_a_comprehension_in_a_conditional_expression_runs_only_in_its_branch(after):
    assert after(comprehension_in_a_branch, "desugar") == textwrap.dedent("""
        def comprehension_in_a_branch(x, axes=None):
            if x.shape == (3,):
                choice = x
            else:
                choice_items = []
                for k_1 in range(2):
                    choice_items.append(x.size if k_1 == axes[0] else 1)
                choice = x.reshape(choice_items)
            w = choice
            return np.sum(np.sin(w) * w)""").strip()
    x = np.array([0.3, -1.2, 2.0])
    assert tg.gradcheck(comprehension_in_a_branch, x)
    assert tg.gradcheck(comprehension_in_a_branch, x.reshape(1, 3), (1,))


def test_generator_expression_becomes_a_loop_with_fresh_variables(after):
    assert after(weighted_squares, "desugar") == textwrap.dedent("""
        def weighted_squares(w, x):
            n = len(x)
            items = []
            for i_1 in range(n):
                items.append(w[i_1] * x[i_1] ** 2)
            return sum(items)""").strip()


@pytest.mark.parametrize("function", [filtered, nested_generators, dict_comprehension, conditional_element])
def test_comprehensions_match_finite_differences(function):
    for seed in range(3):
        x = np.random.default_rng(seed).uniform(-2, 2, 3)
        assert tg.gradcheck(function, x)


def test_both_arguments_of_a_generator_sum():
    w, x = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    dw, dx = tg.grad(weighted_squares, wrt=(0, 1))(w, x)
    np.testing.assert_allclose(dw, x ** 2)
    np.testing.assert_allclose(dx, 2 * w * x)
