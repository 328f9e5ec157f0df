"""Golden tests: early exits become flags, loops get explicit indexes."""
import textwrap

import numpy as np


def early_return(x):
    if x > 0:
        return x * 2
    return -x


def loop_with_break_and_continue(x, n):
    s = 0.0
    for i in range(n):
        if i == 1:
            continue
        s = s + x
        if s > 3:
            break
    return s


def over_array(xs):
    total = 0.0
    for v in xs:
        total = total + v
    return total


def over_enumerate_and_zip(xs, ys):
    total = 0.0
    for i, x in enumerate(xs):
        total = total + i * x
    for a, b in zip(xs, ys):
        total = total + a * b
    return total


def expected(text):
    return textwrap.dedent(text).strip()


def test_early_return_sets_result_and_guards_the_rest(after):
    assert after(early_return, "control") == expected("""
        def early_return(x):
            result = None
            returned = False
            if x > 0:
                result = x * 2
                returned = True
            if not returned:
                result = -x
                returned = True
            return result""")


def test_break_and_continue_become_flags(after):
    assert after(loop_with_break_and_continue, "control") == expected("""
        def loop_with_break_and_continue(x, n):
            s = 0.0
            stop = False
            for i in range(n):
                skip = False
                if i == 1:
                    skip = True
                if not skip:
                    s = s + x
                    if s > 3:
                        stop = True
                if stop:
                    break
            return s""")


def test_loop_over_an_array_indexes_it(after):
    assert after(over_array, "control") == expected("""
        def over_array(xs):
            total = 0.0
            for index in range(len(xs)):
                v = xs[index]
                total = total + v
            return total""")


def test_enumerate_and_zip_index_their_sequences(after):
    assert after(over_enumerate_and_zip, "control") == expected("""
        def over_enumerate_and_zip(xs, ys):
            total = 0.0
            for index in range(len(xs)):
                i = index
                x = xs[index]
                total = total + i * x
            for index_1 in range(min(len(xs), len(ys))):
                a = xs[index_1]
                b = ys[index_1]
                total = total + a * b
            return total""")


def test_lowered_control_flow_differentiates_correctly():
    import transgrad as tg
    assert tg.grad(early_return)(3.0) == 2.0
    assert tg.grad(early_return)(-3.0) == -1.0
    assert tg.grad(loop_with_break_and_continue)(1.0, 10) == 4.0
    xs = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tg.grad(over_enumerate_and_zip, wrt=(0, 1))(xs, xs * 2)[0], [2.0, 5.0, 8.0])
