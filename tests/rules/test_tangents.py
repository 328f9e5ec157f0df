"""Tangent rules (forward mode) against the adjoint rules.

Every rule that has an adjoint has a tangent and vice versa (the registries
are compared), and every row of the rule table goes through tg.jvp and tg.vjp
end to end, checked with the inner-product identity <u, J v> = <J^T u, v>
for random u and v: the two modes must agree on the same Jacobian.
"""
import warnings

import numpy as np
import pytest

import transgrad as tg
from rule_table import ROWS, TUPLE_ROWS, row_id
from rulecheck import Seq
from test_rule_table import _param_specs, _sources, _wrt, generated  # noqa: F401  (the fixture)
from transgrad.rules import registry


def _builtin(rule):
    """A template of transgrad's own rule modules (tests register rules of their own)."""
    return rule.kind == "template" and rule.function.__module__.startswith("transgrad.rules.")


def _adjoint_keys():
    callees = {registry._key(c) for c, rule in registry.registered_callees() if _builtin(rule)}
    methods = {m for m, rule in registry.registered_methods().items() if _builtin(rule)}
    attributes = {a for a, rule in registry.registered_attributes().items() if _builtin(rule)}
    return callees, methods, attributes


# Adjoint rules whose tangent is not written yet. The test fails both when another rule lacks a
# tangent and when one listed here gains it, so the list stays true. The scipy rules are checked
# too when scipy is installed (their rules, adjoint and tangent, are registered only then).
NOT_YET = set()


def test_every_adjoint_has_a_tangent_and_every_tangent_an_adjoint():
    callees, methods, attributes = _adjoint_keys()
    tangent_callees, tangent_methods, tangent_attributes = registry.registered_tangents()
    names = {registry._key(c): rule.name for c, rule in registry.registered_callees()}
    tangent_keys = {registry._key(c) for c in tangent_callees}
    missing = {names[k] for k in callees - tangent_keys}
    assert sorted(n for n in missing if n not in NOT_YET) == [], "adjoint rules without a tangent"
    assert sorted(NOT_YET - missing) == [], "rules listed in NOT_YET that have a tangent now"
    assert sorted(registry._display_name(c) for c in tangent_callees if registry._key(c) not in callees) == [], \
        "tangent rules without an adjoint"
    assert sorted(methods ^ set(tangent_methods)) == [], "ndarray methods with only one of the two rules"
    assert sorted(attributes ^ set(tangent_attributes)) == [], "ndarray attributes with only one of the two rules"


def _rule_of(target):
    if isinstance(target, tuple):
        return (registry.lookup_method if target[0] == "method" else registry.lookup_attribute)(target[1])
    return registry.lookup(target)


def _random_like(value, rng):
    if isinstance(value, list):
        return [_random_like(v, rng) for v in value]
    if isinstance(value, float):
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(value)).astype(np.asarray(value).dtype)


def _inner(a, b):
    if isinstance(a, (list, tuple)):
        return sum(_inner(x, y) for x, y in zip(a, b))
    return float(np.sum(np.real(np.conj(np.asarray(a)) * np.asarray(b))))


def _check_row(fn, specs, seed):
    rng = np.random.default_rng(seed)
    values = [s.make(rng, np.float64) for s in specs]
    wrt = _wrt(specs)
    tangents = [_random_like(v, rng) for v in values]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, tangent_out = tg.jvp(fn, values, tuple(tangents) if isinstance(wrt, tuple) else tangents[0], wrt=wrt)
        reference, pullback = tg.vjp(fn, *values, wrt=wrt)
        cotangent = _random_like(value if isinstance(value, (np.ndarray, list)) else float(value), rng)
        grads = pullback(np.asarray(cotangent) if isinstance(value, np.ndarray) else cotangent)
    grads = grads if isinstance(wrt, tuple) else (grads,)
    assert np.shape(tangent_out) == np.shape(value)
    np.testing.assert_allclose(value, reference, rtol=1e-12, atol=1e-12)
    forward, backward = _inner(cotangent, tangent_out), _inner(grads, tangents)
    assert abs(forward - backward) <= 1e-7 * (1 + abs(forward) + abs(backward)), (forward, backward)


@pytest.mark.parametrize("index", range(len(ROWS) + len(TUPLE_ROWS)), ids=[row_id(r) for r in ROWS + TUPLE_ROWS])
def test_jvp_agrees_with_vjp(generated, index):  # noqa: F811
    specs = _param_specs[index]
    rule = _rule_of((ROWS + TUPLE_ROWS)[index][0])
    if rule is not None and rule.name in NOT_YET:
        pytest.skip(f"{rule.name} has no tangent rule yet")
    _check_row(getattr(generated, f"row_{index}"), specs, seed=index)
