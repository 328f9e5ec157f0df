"""Golden tests: A-normal form, one operation per statement, temporaries named after what they hold."""
import textwrap

import numpy as np


def tutorial(x):
    y = x + 2
    z = y * y * 3
    return z.mean()


def nested_calls(x, w):
    return np.sum(np.tanh(x @ w) ** 2)


def conditional_expression(x):
    y = x * 2 if x > 0 else -x
    return y


def comparisons_stay_whole(x):
    if np.sum(x) > 0 and x[0] < 1:
        return x[0]
    return x[1]


def expected(text):
    return textwrap.dedent(text).strip()


def test_tutorial_in_anf(after):
    assert after(tutorial, "anf") == expected("""
        def tutorial(x):
            y = x + 2
            y_times_y = y * y
            z = y_times_y * 3
            z_mean = z.mean()
            return z_mean""")


def test_nested_calls_get_descriptive_temporaries(after):
    assert after(nested_calls, "anf") == expected("""
        def nested_calls(x, w):
            x_matmul_w = x @ w
            tanh_x_matmul_w = np.tanh(x_matmul_w)
            tanh_x_matmul_w_pow_2 = tanh_x_matmul_w ** 2
            sum_tanh_x_matmul_w_pow = np.sum(tanh_x_matmul_w_pow_2)
            return sum_tanh_x_matmul_w_pow""")


def test_conditional_expression_becomes_an_if_statement(after):
    assert after(conditional_expression, "anf") == expected("""
        def conditional_expression(x):
            if x > 0:
                y = x * 2
            else:
                y = -x
            return y""")


def test_comparisons_and_boolean_operators_are_kept_whole(after):
    text = after(comparisons_stay_whole, "anf")
    assert "if np.sum(x) > 0 and x[0] < 1:" in text
