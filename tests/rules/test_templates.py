"""Adjoint templates evaluated directly (no compiler): VJP checks against finite differences."""
import builtins
import math
import warnings

import numpy as np
import pytest

from rule_table import ROWS, TUPLE_ROWS, row_id
from rulecheck import A, C, F, check_shape_of_template, free_names, run_template, vjp_check
from transgrad.rules import registry
import transgrad.rules  # noqa: F401  (registers every rule module)


def rule_and_primal(target):
    if isinstance(target, tuple) and target[0] == "method":
        name = target[1]
        return registry.lookup_method(name), lambda a, *args, **kw: getattr(a, name)(*args, **kw)
    if isinstance(target, tuple) and target[0] == "attr":
        name = target[1]
        return registry.lookup_attribute(name), lambda a: getattr(a, name)
    return registry.lookup(target), target


@pytest.mark.parametrize("row", ROWS + TUPLE_ROWS, ids=[row_id(r) for r in ROWS + TUPLE_ROWS])
def test_vjp_matches_finite_differences(row):
    target, specs, kwspecs = row
    rule, primal = rule_and_primal(target)
    assert rule is not None and rule.kind == "template", f"no template for {row_id(row)}"
    for seed in range(3):
        vjp_check(rule, primal, specs, kwspecs, seed)


# Rules whose gradients keep float32 inputs float32 without the compiler's final cast.
FLOAT32_EXEMPT = {
    np.float_power,  # numpy computes float_power in float64 by definition
    builtins.max, builtins.min, builtins.pow,
}
# Rules whose helpers compute in float64 (linear algebra, interpolation, scipy special functions):
# the compiler casts every finished gradient to its input's dtype (rt.float_like), which
# test_rule_table.py::test_float32_in_float32_out checks end to end.
FLOAT32_EXEMPT |= {np.fft.irfft, np.copysign, np.ldexp, np.polyval, np.interp, np.nanmean, np.average, np.trapezoid,
                   np.linalg.matrix_power, np.linalg.cholesky, np.linalg.eigvalsh, np.linalg.pinv}
try:
    import scipy.linalg
    import scipy.special
    FLOAT32_EXEMPT |= {scipy.special.polygamma, scipy.special.multigammaln, scipy.special.yn,
                       scipy.special.gammainc, scipy.special.gammaincc, scipy.special.betainc,
                       scipy.special.psi, scipy.special.digamma, scipy.linalg.det, scipy.linalg.cholesky}
except ImportError:  # pragma: no cover
    pass


def _exempt(target):
    try:
        return target in FLOAT32_EXEMPT
    except TypeError:
        return False


F32_ROWS = [r for r in ROWS if not _exempt(r[0]) and not any(isinstance(s, F) for s in r[1])
            and getattr(r[0], "__module__", "") not in ("math",) and r[0] is not builtins.float
            and r[0] is not builtins.sum and getattr(r[0], "__module__", "") != "transgrad.runtime" and not any(isinstance(s, F) for s in r[2].values())]


@pytest.mark.parametrize("row", F32_ROWS, ids=[row_id(r) for r in F32_ROWS])
def test_float32_stays_float32(row):
    target, specs, kwspecs = row
    rule, primal = rule_and_primal(target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        args, kwargs, grads, params = vjp_check(rule, primal, specs, kwspecs, 0, dtype=np.float32)

    def leaves(g):
        if isinstance(g, (list, tuple)):
            for item in g:
                yield from leaves(item)
        else:
            yield g

    for name in params.values():
        for leaf in leaves(grads[name]):
            assert np.asarray(leaf).dtype == np.float32, f"{rule.name}: gradient of {name} is {np.asarray(leaf).dtype}"


# ----- every template is well formed -----

TEMPLATES = ([(r.name, r) for _, r in registry.registered_callees() if r.kind == "template"]
             + [(r.name, r) for r in registry.registered_methods().values() if r.kind == "template"]
             + [(r.name, r) for r in registry.registered_attributes().values() if r.kind == "template"])


@pytest.mark.parametrize("name,rule", TEMPLATES, ids=[n for n, _ in TEMPLATES])
def test_template_is_well_formed(name, rule):
    check_shape_of_template(rule)
    assert free_names(rule) == set(), f"{name} reads undefined names {free_names(rule)}"
    assert rule.differentiable_params, f"{name} differentiates nothing"
    node, result_name, signature = rule.parsed
    assert result_name not in signature.parameters
    for parameter in signature.parameters.values():
        default = parameter.default
        assert default is parameter.empty or isinstance(default, (type(None), bool, int, float, str)), (
            f"{name}: default {default!r} of {parameter.name} is not a literal the compiler can inline")


# ----- conventions at kinks -----


def grads_of(callee, *args, g=1.0, **kwargs):
    rule, primal = rule_and_primal(callee)
    result = primal(*args, **kwargs)
    return run_template(rule, result, args, kwargs, g)[0]


def test_abs_at_zero_is_zero():
    x = np.array([-1.0, 0.0, 2.0])
    assert np.array_equal(grads_of(np.abs, x, g=np.ones(3))["x"], [-1.0, 0.0, 1.0])
    assert grads_of(builtins.abs, 0.0)["x"] == 0.0
    assert grads_of(math.fabs, 0.0)["x"] == 0.0


def test_maximum_ties_split_evenly():
    x1, x2 = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])
    g = grads_of(np.maximum, x1, x2, g=np.ones(3))
    assert np.array_equal(g["x1"], [0.5, 0.0, 1.0]) and np.array_equal(g["x2"], [0.5, 1.0, 0.0])
    g = grads_of(np.minimum, x1, x2, g=np.ones(3))
    assert np.array_equal(g["x1"], [0.5, 1.0, 0.0]) and np.array_equal(g["x2"], [0.5, 0.0, 1.0])
    g = grads_of(builtins.max, 2.0, 2.0)
    assert g["a"] == 0.5 and g["b"] == 0.5


def test_max_reduction_ties_split_equally():
    x = np.array([[3.0, 1.0, 3.0], [0.0, 2.0, 2.0]])
    assert np.allclose(grads_of(np.max, x, g=1.0)["a"], [[0.5, 0, 0.5], [0, 0, 0]])
    assert np.allclose(grads_of(np.max, x, axis=1, g=np.ones(2))["a"], [[0.5, 0, 0.5], [0, 0.5, 0.5]])
    assert np.allclose(grads_of(np.min, x, axis=0, g=np.ones(3))["a"], [[0, 1, 0], [1, 0, 1]])
    assert grads_of(builtins.max, [1.0, 4.0, 4.0])["a"] == [0.0, 0.5, 0.5]


def test_sqrt_at_zero_is_inf_like_numpy():
    with np.errstate(divide="ignore"):
        assert np.isinf(grads_of(np.sqrt, np.array(0.0), g=np.array(1.0))["x"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert grads_of(math.sqrt, 0.0)["x"] == math.inf


def test_norm_at_zero_is_zero():
    assert np.array_equal(grads_of(np.linalg.norm, np.zeros(3))["x"], np.zeros(3))
    g = grads_of(np.linalg.norm, np.array([[0.0, 0.0], [3.0, 4.0]]), axis=1, g=np.ones(2))["x"]
    assert np.allclose(g, [[0, 0], [0.6, 0.8]])
    assert grads_of(math.hypot, 0.0, 0.0) == {"x": 0.0, "y": 0.0}
    assert np.array_equal(grads_of(np.hypot, np.zeros(2), np.zeros(2), g=np.ones(2))["x1"], [0.0, 0.0])


def test_clip_bounds_inclusive_for_the_input():
    a = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    g = grads_of(np.clip, a, -0.5, 0.5, g=np.ones(5))
    assert np.array_equal(g["a"], [0, 1, 1, 1, 0])


def test_prod_with_zeros_is_exact():
    x = np.array([2.0, 0.0, 3.0])
    assert np.array_equal(grads_of(np.prod, x)["a"], [0.0, 6.0, 0.0])


def test_matrix_spectral_norm_is_refused():
    for kwargs in ({"ord": 2}, {"ord": 2, "axis": (0, 1)}, {"ord": "nuc"}, {"ord": 1}):
        with pytest.raises(ValueError):
            grads_of(np.linalg.norm, np.ones((2, 2)), **kwargs)


def test_builtin_sum_gives_a_list():
    g = grads_of(builtins.sum, [1.0, np.ones(3)], g=np.arange(3.0))
    assert isinstance(g["iterable"], list) and g["iterable"][0] == 3.0
    assert np.array_equal(g["iterable"][1], np.arange(3.0))


def test_evaluator_catches_a_wrong_rule():
    """The checker must be able to fail: a deliberately wrong template is caught."""

    def wrong_sin(y, x):
        d[x] = d[y] * np.sin(x)  # noqa: F821  (should be cos)

    rule = registry.Rule("wrong", "template", wrong_sin)
    with pytest.raises(AssertionError):
        vjp_check(rule, np.sin, [A((3,))], {}, 0)

    def wrong_shape(z, x1, x2):
        d[x1] = d[z] * x2  # noqa: F821  (forgot rt.unbroadcast)

    rule = registry.Rule("wrong_shape", "template", wrong_shape)
    with pytest.raises(AssertionError):
        vjp_check(rule, np.multiply, [A((3, 1)), C(np.ones((1, 4)))], {}, 0)


d = registry.d
