"""The forward transform's generated code (golden strings) and the zero tangents it drops."""
import numpy as np

import transgrad as tg
from transgrad.driver import Compiler


def _source(fn, wrt=("x",)):
    return Compiler({}).compile(fn, wrt, "jvp").source


def tutorial(x):
    y = x + 2
    z = y * y * 3
    return z.mean()


def doubling(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 2
    return y


def constant_operand(x, w):
    a = np.sin(w) * x
    b = np.exp(w)
    return a * b


def loop_carried(x):
    s = 0.0
    for i in range(3):
        s = s + x[i] * x[i]
    return s


def in_place(x):
    out = np.zeros(3)
    out[0] = x * 2
    return out


def test_tutorial_golden():
    assert _source(tutorial) == (
        "def jvp_tutorial(x_dot, x):\n"
        "    # line 13: y = x + 2\n"
        "    y = x + 2\n"
        "    y_dot = x_dot\n"
        "    # line 14: z = y * y * 3\n"
        "    y_times_y = y * y\n"
        "    y_times_y_dot = y_dot * y + y * y_dot\n"
        "    z = y_times_y * 3\n"
        "    z_dot = y_times_y_dot * 3\n"
        "    # line 15: return z.mean()\n"
        "    z_mean = z.mean()\n"
        "    z_mean_dot = np.mean(z_dot, None, keepdims=False)\n"
        "    return (z_mean, z_mean_dot)\n")


def test_while_loop_keeps_its_shape_and_records_nothing():
    source = _source(doubling)
    assert "while np.linalg.norm(y) < 1000:\n        # line 21: y = y * 2\n        y = y * 2\n" \
           "        y_dot = y_dot * 2\n" in source
    assert "append" not in source and "pop" not in source and "iterations" not in source


def test_terms_of_constants_drop_out():
    source = _source(constant_operand)
    assert "a_dot = sin_w * x_dot\n" in source       # no term for np.sin(w), which has no tangent
    assert "    b_dot =" not in source and "w_dot" not in source and "cos" not in source
    assert "a_times_b_dot = a_dot * b\n" in source


def test_loop_carried_variable_starts_at_zero_before_the_loop():
    source = _source(loop_carried)
    assert "    s = 0.0\n    # line 33: for i in range(3):\n    s_dot = 0.0\n    for i in range(3):" in source \
        or "    s_dot = rt.zero_tangent(s)\n    for i in range(3):" in source


def test_in_place_update_gets_a_tangent_buffer():
    source = _source(in_place)
    assert "out_dot = rt.zero_tangent(out)\n    out[0] = x_times_2\n    out_dot[0] = x_times_2_dot\n" in source
    value, tangent = tg.jvp(in_place, (1.5,), 1.0)
    assert np.array_equal(tangent, [2.0, 0.0, 0.0])
