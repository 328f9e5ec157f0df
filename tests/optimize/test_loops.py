"""optimize/loops.py: an adjoint loop that only scales a gradient by a number becomes one product."""
import textwrap

import gast
import numpy as np
import pytest

import transgrad as tg
from transgrad.optimize.loops import close_scaling_loops


def _closed(source):
    module = gast.parse(textwrap.dedent(source))
    return gast.unparse(gast.Module(body=close_scaling_loops(module.body, "rt"), type_ignores=[])).strip()


def test_a_scaling_loop_becomes_one_multiplication():
    before = """
        for _ in range(iterations):
            dy = dy * 2
        """
    assert _closed(before) == "dy = dy * rt.repeated_factor(2, iterations)"


@pytest.mark.parametrize("source", [
    "for _ in range(n):\n    dy = dy * w\n",              # the factor is not a number
    "for k in range(n):\n    dy = dy * 2 ** k\n",         # the counter is read
    "for _ in range(n):\n    dy = dy * 2\n    dx = dy\n",  # more than the scaling in the body
    "for _ in range(1, n):\n    dy = dy * 2\n",          # not range(N)
    "for _ in range(n):\n    dy = dy * 2\nelse:\n    dy = 0.0\n",   # an else block
    "for _ in range(n):\n    dy = dz * 2\n",              # not the same name
])
def test_other_loops_are_kept(source):
    assert _closed(source) == gast.unparse(gast.parse(source)).strip()


def doubling(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 2
    return y


def halving(x):
    for _ in range(5):
        x = 0.5 * x
    return np.sum(x * 3.0)


def test_generated_gradients_close_the_loop_and_stay_exact():
    x = np.array([0.3, -1.2, 0.5])
    value, pullback = tg.vjp(doubling, x)
    assert pullback.source.split("def doubling_backward")[1] == textwrap.dedent("""\
        (saved, dy):
            iterations, = saved
            # grad of line 40: y = y * 2
            dy = dy * rt.repeated_factor(2, iterations)
            # grad of line 38: y = x * 2
            dx = dy * 2
            return (dx,)
        """)
    trips = int(round(np.log2(value[0] / x[0]))) - 1
    cotangent = np.array([0.1, 1.0, 1e-4])
    np.testing.assert_array_equal(pullback(cotangent), cotangent * 2.0 ** (trips + 1))
    assert tg.gradcheck(halving, x)
    assert "dx = dx * rt.repeated_factor(0.5, 5)" in tg.grad(halving).source


def test_the_factor_of_many_trips_is_inf_like_repeated_multiplication():
    from transgrad import runtime as rt
    assert rt.repeated_factor(2, 0) == 1.0
    assert rt.repeated_factor(2, 2000) == float("inf")
    assert rt.repeated_factor(-2, 2001) == float("-inf")
    assert rt.repeated_factor(0.5, 3) == 0.125
    assert type(rt.repeated_factor(2, 3)) is float   # a Python float keeps float32 gradients float32
