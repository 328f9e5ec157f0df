"""The registry of adjoint rules, looked up by the identity of the callee.

A built-in rule is a *template*: a Python function that is never called, only
read. Its first parameter is the primal result, the others mirror the callee's
signature, and its body assigns the gradient of each input with `d[x] = ...`,
reading the output's gradient as `d[y]`:

    @adjoint_template(np.sin)
    def sin(y, x):
        d[x] = d[y] * np.cos(x)

The reverse transform inlines the body with the user's names, so the generated
code reads `dx = dy * np.cos(x)`. Inside a template, `np`, `math` and `rt` (the
runtime) are the only free names. A rule may also be a plain callable
registered with `tg.adjoint`, called as `rule(g, ans, *args)`.
"""
import builtins
import functools
import inspect
import textwrap

import gast
import numpy as np
from transgrad.syntax.walk import walk


class _AdjointPlaceholder:
    """`d` in templates: `d[x]` is the gradient of x. Never evaluated."""

    def __getitem__(self, name):  # pragma: no cover - templates are read, not run
        raise RuntimeError("adjoint templates are read by the compiler, not called")


d = _AdjointPlaceholder()


class Rule:
    """How to differentiate one callable, operator, method or attribute.

    kind is "template" (inlined source), "callable" (a user's tg.adjoint rule)
    or "nondiff" (the result is a constant: integer, boolean or piecewise
    constant values).
    """

    def __init__(self, name, kind, function=None, convention=None, tuple_result=False):
        self.name = name
        self.kind = kind
        self.function = function
        self.convention = convention      # what the rule does at kinks, ties and singular points (docs)
        self.tuple_result = tuple_result  # the callee returns a tuple or list of arrays
        self._parsed = None

    def __repr__(self):
        return f"Rule({self.name!r}, {self.kind})"

    @property
    def parsed(self):
        """(FunctionDef, result parameter name, signature) of a template, parsed once."""
        if self._parsed is None:
            source = textwrap.dedent(inspect.getsource(self.function))
            node = gast.parse(source).body[0]
            node.decorator_list = []
            params = list(inspect.signature(self.function).parameters.values())
            signature = inspect.Signature(params[1:])
            self._parsed = (node, params[0].name, signature)
        return self._parsed

    @property
    def reads(self):
        """Template parameters the adjoint body reads as primal values (not inside d[...])."""
        node, result_name, signature = self.parsed
        adjoint_refs = {id(sub.slice) for sub in walk(node)
                        if isinstance(sub, gast.Subscript) and _is_d(sub.value)}
        names = {sub.id for sub in walk(node)
                 if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and id(sub) not in adjoint_refs}
        return names & (set(signature.parameters) | {result_name})

    @property
    def differentiable_params(self):
        """Template parameters whose gradient the body assigns."""
        node = self.parsed[0]
        return [t.slice.id for stmt in node.body for t in _targets(stmt)
                if isinstance(t, gast.Subscript) and _is_d(t.value)]


def _targets(stmt):
    return stmt.targets if isinstance(stmt, gast.Assign) else []


def _is_d(node):
    return isinstance(node, gast.Name) and node.id == "d"


# Rules by callee identity, ndarray method name and ndarray attribute name.
_by_callee = {}
_by_method = {}
_by_attribute = {}


def _key(callee):
    """Bound methods (np.add.at, scipy.stats.norm.logpdf) are new objects on every attribute
    access: they are keyed by their receiver and name instead."""
    receiver = getattr(callee, "__self__", None)
    if receiver is not None and not isinstance(receiver, type(np)) and hasattr(callee, "__name__"):
        return (id(receiver), callee.__name__)
    return id(callee)


def _same(registered, callee):
    if registered is callee:
        return True
    receiver = getattr(callee, "__self__", None)
    return receiver is not None and receiver is getattr(registered, "__self__", None) \
        and getattr(callee, "__name__", None) == getattr(registered, "__name__", None)


def adjoint_template(*callees, name=None, convention=None, tuple_result=False):
    """Register the decorated template as the adjoint of each callee.

    convention: one sentence on what the rule does at kinks, ties and singular
    points (docs/coverage.md prints it). tuple_result: the callee returns a
    tuple or list of arrays, and `d[y]` is a list of their gradients (None for
    an output that received none); the name of a parameter instead: the result
    has that argument's structure (a list for a list, an array for an array).
    """
    def register(template):
        for callee in callees:
            label = name or _display_name(callee)
            _by_callee[_key(callee)] = (callee, Rule(label, "template", template, convention, tuple_result))
        return template
    return register


def method_template(*method_names, convention=None):
    """Register a template for ndarray methods; its first input parameter is the array."""
    def register(template):
        for method in method_names:
            _by_method[method] = Rule(f"ndarray.{method}", "template", template, convention)
        return template
    return register


def attribute_template(attribute, convention=None):
    """Register a template for an ndarray attribute such as `.T`."""
    def register(template):
        _by_attribute[attribute] = Rule(f"ndarray.{attribute}", "template", template, convention)
        return template
    return register


def non_differentiable(*callees, convention=None):
    """Declare callees whose results are constants (integers, booleans, piecewise constants)."""
    for callee in callees:
        _by_callee[_key(callee)] = (callee, Rule(_display_name(callee), "nondiff", convention=convention))


def non_differentiable_methods(*method_names):
    for method in method_names:
        _by_method[method] = Rule(f"ndarray.{method}", "nondiff")


def non_differentiable_attributes(*attributes):
    for attribute in attributes:
        _by_attribute[attribute] = Rule(f"ndarray.{attribute}", "nondiff")


def register_callable(callee, rule_function):
    """A user's rule from tg.adjoint: called as rule(g, ans, *args) in generated code."""
    _by_callee[_key(callee)] = (callee, Rule(_display_name(callee), "callable", rule_function))


def lookup(callee):
    """The Rule for a callee object, or None."""
    try:
        entry = _by_callee.get(_key(callee))
    except TypeError:
        return None
    if entry is not None and _same(entry[0], callee):
        return entry[1]
    return None


def lookup_method(method_name):
    return _by_method.get(method_name)


def lookup_attribute(attribute):
    return _by_attribute.get(attribute)


def registered_callees():
    """Every (callee, Rule) pair, for coverage reports."""
    return [entry for entry in _by_callee.values()]


def registered_methods():
    return dict(_by_method)


def registered_attributes():
    return dict(_by_attribute)


def _display_name(callee):
    module = getattr(callee, "__module__", None) or ""
    name = getattr(callee, "__qualname__", None) or getattr(callee, "__name__", None) or repr(callee)
    if module.startswith("numpy.linalg"):
        return f"np.linalg.{name}"
    if module.startswith("numpy") or type(callee).__name__ == "ufunc":
        return f"np.{getattr(callee, '__name__', name)}"
    if module in ("math", "builtins", "_operator", "operator"):
        return f"{module.strip('_')}.{name}" if module != "builtins" else name
    return f"{module}.{name}" if module else name


def is_elementwise(rule):
    """Is the rule's callee elementwise (numpy ufuncs, np.where, np.clip, the math module, abs,
    min, max, pow)? Its result then has the broadcast shape of its operands."""
    return id(rule) in _elementwise_rules()


@functools.lru_cache(maxsize=1)
def _elementwise_rules():
    found = set()
    for callee, rule in registered_callees():
        if isinstance(callee, np.ufunc) or getattr(callee, "__module__", None) == "math" or any(
                callee is f for f in (np.where, np.clip, builtins.abs, builtins.min, builtins.max, builtins.pow)):
            found.add(id(rule))
    return frozenset(found)


# ----- tangent rules (forward mode) -----
# A tangent template mirrors an adjoint template: its first parameter is the
# primal result, the others mirror the callee's signature, and its body assigns
# the result's tangent with `t[y] = ...`, reading the inputs' tangents as
# `t[x]`. An input without a tangent is a symbolic zero: the forward transform
# drops the terms it would multiply, so `t[z] = t[x1] * x2 + x1 * t[x2]`
# becomes `z_dot = x1_dot * x2` when only x1 varies.


class _TangentPlaceholder:
    """`t` in tangent templates: `t[x]` is the tangent of x. Never evaluated."""

    def __getitem__(self, name):  # pragma: no cover - templates are read, not run
        raise RuntimeError("tangent templates are read by the compiler, not called")


t = _TangentPlaceholder()

_tangent_by_callee = {}
_tangent_by_method = {}
_tangent_by_attribute = {}


def tangent_template(*callees, name=None):
    """Register the decorated template as the tangent rule of each callee (same callees as its adjoint)."""
    def register(template):
        for callee in callees:
            _tangent_by_callee[_key(callee)] = (callee, Rule(name or _display_name(callee), "template", template))
        return template
    return register


def tangent_method_template(*method_names):
    def register(template):
        for method in method_names:
            _tangent_by_method[method] = Rule(f"ndarray.{method}", "template", template)
        return template
    return register


def tangent_attribute_template(attribute):
    def register(template):
        _tangent_by_attribute[attribute] = Rule(f"ndarray.{attribute}", "template", template)
        return template
    return register


def lookup_tangent(rule):
    """The tangent Rule registered for the same callee, method or attribute as the adjoint `rule`, or None."""
    for table, adjoints in ((_tangent_by_method, _by_method), (_tangent_by_attribute, _by_attribute)):
        for key, adjoint_rule in adjoints.items():
            if adjoint_rule is rule:
                return table.get(key)
    for key, (callee, adjoint_rule) in _by_callee.items():
        if adjoint_rule is rule:
            entry = _tangent_by_callee.get(key)
            return entry[1] if entry is not None and _same(entry[0], callee) else None
    return None


def registered_tangents():
    """(callees, methods, attributes) that have a tangent rule, for the registry comparison test."""
    return ([callee for callee, _ in _tangent_by_callee.values()], dict(_tangent_by_method),
            dict(_tangent_by_attribute))
