"""Third derivatives through a sample of the rule table.

Each sampled row's scalar function f (as in test_second_order.py) gives g(x) = <grad f(x), u> for a
fixed direction u, written as a function that calls the tg.grad object of f; tg.hvp(g, x, w) is then
forward over reverse over reverse, the third derivative of f along u, w and each input direction,
checked against finite differences of tg.grad(g) along w. Every row with array and number inputs is
checked (rows with list inputs are left to the second-order tests).
"""
import warnings

import numpy as np
import pytest

import transgrad as tg
from rule_table import ROWS, TUPLE_ROWS, row_id
from test_rule_table import _param_specs, _wrt, generated  # noqa: F401  (the fixture)
from test_second_order import SCALAR_ROWS, _assert_close, _largest, _shifted, module_of, wrapped  # noqa: F401
from test_tangents import _random_like

ALL_ROWS = ROWS + TUPLE_ROWS


# np.sin of the tuple rt.rule_tuple makes of a bare array: its third derivative reads a None
# cotangent (TypeError); a tg.adjoint rule in your code goes through (test_higher_order.py)
KNOWN = {"transgrad.runtime.rule_tuple(A(3,),C(1))"}


def _case(index):
    """Every row: numpy, math, scipy and builtins, and the rt.* rows of the runtime helpers, which
    are first derivatives themselves (their third derivative is a fourth one of your code)."""
    name = row_id(ALL_ROWS[index])
    return pytest.param(index, id=name, marks=[pytest.mark.xfail(strict=True, raises=TypeError)]
                        if name in KNOWN else [])


SAMPLE = list(SCALAR_ROWS)


def _array_inputs(index):
    rng = np.random.default_rng(0)
    return all(isinstance(s.make(rng, np.float64), (float, np.ndarray)) for s in _param_specs[index])


SAMPLE = [i for i in SAMPLE if _array_inputs(i)]


@pytest.fixture(scope="module")
def along(wrapped, tmp_path_factory):  # noqa: F811
    """A module of `third_k(p0, ...)`: <grad second_k(p0, ...), u>, calling the tg.grad object
    `gradient_k` with the direction `u_k_i` of each input, both module globals set by the test."""
    sources = []
    for index in SAMPLE:
        count = len(_param_specs[index])
        params = ", ".join(f"p{k}" for k in range(count))
        terms = " + ".join(f"np.sum(g[{k}] * u_{index}_{k})" for k in range(count)) if count > 1 \
            else f"np.sum(g * u_{index}_0)"
        sources.append(f"def third_{index}({params}):\n    g = gradient_{index}({params})\n    return {terms}\n")
    return module_of(tmp_path_factory, "third_order_functions", "import numpy as np\n\n\n" + "\n\n".join(sources))


@pytest.mark.parametrize("index", [_case(i) for i in SAMPLE])
def test_third_derivative_matches_finite_differences(wrapped, along, index):  # noqa: F811
    fn, specs = getattr(wrapped, f"second_{index}"), _param_specs[index]
    rng = np.random.default_rng(index)
    wrt = _wrt(specs)
    as_tuple = isinstance(wrt, tuple)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradient = tg.grad(fn, wrt=wrt)
        for _ in range(5):
            values = [s.make(rng, np.float64) for s in specs]
            if _largest(gradient(*values)) < 1e3:
                break
        setattr(along, f"gradient_{index}", gradient)
        for k, value in enumerate(values):
            setattr(along, f"u_{index}_{k}", _random_like(value, rng))
        w = [_random_like(v, rng) for v in values]
        directional = getattr(along, f"third_{index}")
        second = tg.grad(directional, wrt=wrt)
        _, product = tg.hvp(directional, tuple(values), tuple(w) if as_tuple else w[0], wrt=wrt)
        _assert_close(product, lambda step: second(*_shifted(values, w, step)))
