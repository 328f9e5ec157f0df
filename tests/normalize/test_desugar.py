"""Golden tests: desugar turns assignments into single-name targets."""
import textwrap

import numpy as np


def augmented(x):
    x += 2
    x *= x
    return x


def unpacking(p):
    a, (b, c) = p
    return a * b * c


def chained(x):
    a = b = x * 2
    return a + b


def starred(p):
    first, *middle, last = p
    return first * last + sum(middle)


def expected(text):
    return textwrap.dedent(text).strip()


def test_augmented_assignment_becomes_binary_operation(after):
    assert after(augmented, "desugar") == expected("""
        def augmented(x):
            x = x + 2
            x = x * x
            return x""")


def test_nested_tuple_unpacking_indexes_each_item(after):
    assert after(unpacking, "desugar") == expected("""
        def unpacking(p):
            a = p[0]
            b_c = p[1]
            b = b_c[0]
            c = b_c[1]
            return a * b * c""")


def test_chained_assignment_assigns_the_first_target_then_copies(after):
    assert after(chained, "desugar") == expected("""
        def chained(x):
            a = x * 2
            b = a
            return a + b""")


def test_starred_unpacking_collects_the_middle_in_a_list(after):
    assert after(starred, "desugar") == expected("""
        def starred(p):
            first = p[0]
            middle = list(p[1:-1])
            last = p[-1]
            return first * last + sum(middle)""")


def test_desugared_functions_keep_their_meaning():
    import transgrad as tg
    assert tg.grad(augmented)(3.0) == 2 * (3.0 + 2)
    assert tg.grad(unpacking)((2.0, (3.0, 4.0))) == (12.0, (8.0, 6.0))
    assert np.isclose(tg.grad(chained)(1.5), 4.0)
    assert tg.grad(starred)((2.0, 3.0, 4.0, 5.0)) == (5.0, 1.0, 1.0, 2.0)
    np.testing.assert_allclose(tg.grad(starred)(np.array([2.0, 3.0, 4.0, 5.0])), [5.0, 1.0, 1.0, 2.0])
