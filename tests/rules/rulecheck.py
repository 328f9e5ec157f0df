"""A tiny evaluator for adjoint templates, so rules can be checked without the compiler.

`run_template(rule, result, args, kwargs, cotangent)` binds the template's
parameters to numpy values, rewrites `d[name]` into a dictionary of gradients
and executes the body. `vjp_check` compares each input's gradient contracted
with a random direction against central finite differences of the primal
contracted with the same random cotangent: <g, J v> against <J^T g, v>.
"""
import ast
import builtins
import copy
import math

import gast
import numpy as np

from transgrad import runtime as rt

ALLOWED_FREE = {"np", "math", "rt"}


# ----- argument specifications -----


class A:
    """A random differentiable float array of `shape` with entries in [lo, hi]."""

    def __init__(self, shape, lo=-2.0, hi=2.0):
        self.shape, self.lo, self.hi = tuple(shape), lo, hi

    def make(self, rng, dtype):
        return rng.uniform(self.lo, self.hi, self.shape).astype(dtype)

    def __repr__(self):
        return f"A{self.shape}"


class F(A):
    """A random differentiable Python float."""

    def __init__(self, lo=-2.0, hi=2.0):
        super().__init__((), lo, hi)

    def make(self, rng, dtype):
        return float(rng.uniform(self.lo, self.hi))

    def __repr__(self):
        return "float"


class V:
    """A fixed differentiable array (for zeros, ties and other special points)."""

    def __init__(self, value):
        self.value = np.asarray(value, dtype=float)

    def make(self, rng, dtype):
        return self.value.astype(dtype)

    def __repr__(self):
        return f"V{self.value.tolist()}"


class C:
    """A constant argument (axis, shape, condition, ...): not differentiated."""

    def __init__(self, value):
        self.value = value

    def make(self, rng, dtype):
        return self.value

    def __repr__(self):
        if isinstance(self.value, np.ndarray):
            return f"C(array{self.value.shape})"
        return f"C({self.value!r})"


class Seq:
    """A list of differentiable specs (np.concatenate, builtins.sum, np.array)."""

    def __init__(self, *items):
        self.items = items

    def make(self, rng, dtype):
        return [item.make(rng, dtype) for item in self.items]

    def __repr__(self):
        return f"Seq{list(self.items)}"


def differentiable(spec):
    return not isinstance(spec, C)


def random_direction(spec, value, rng):
    if isinstance(spec, Seq):
        return [random_direction(s, v, rng) for s, v in zip(spec.items, value)]
    if isinstance(value, float):
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(value))


def perturb(spec, value, direction, eps):
    if isinstance(spec, Seq):
        return [perturb(s, v, dv, eps) for s, v, dv in zip(spec.items, value, direction)]
    return value + eps * direction


def contract(spec, value, gradient, direction):
    """<gradient, direction>, after checking the gradient has the input's structure and shape."""
    if isinstance(spec, Seq):
        assert isinstance(gradient, (list, tuple)), f"gradient of a list must be a list, got {type(gradient)}"
        assert len(gradient) == len(value)
        return builtins.sum(contract(s, v, g, dv) for s, v, g, dv in zip(spec.items, value, gradient, direction))
    assert np.shape(gradient) == np.shape(value), f"gradient shape {np.shape(gradient)} != input shape {np.shape(value)}"
    assert np.isrealobj(gradient)
    return float(np.sum(np.asarray(gradient, dtype=float) * direction))


def inner(a, b):
    """<cotangent, output>: Re(sum(g * y)) (the JAX/autograd pairing for complex outputs);
    tuple outputs pair item by item, skipping items without a cotangent (integers)."""
    if isinstance(b, (tuple, list)):
        return builtins.sum(inner(u, v) for u, v in zip(a, b) if u is not None)
    return float(np.real(np.sum(np.asarray(a) * np.asarray(b))))


def random_cotangent(result, rng, dtype):
    """A random cotangent shaped like `result` (complex for complex outputs, a list for tuples)."""
    if isinstance(result, (tuple, list)):
        return [random_cotangent(r, rng, dtype) if np.issubdtype(np.asarray(r).dtype, np.inexact) else None
                for r in result]
    if isinstance(result, float):
        return float(rng.standard_normal())
    g = rng.standard_normal(np.shape(result)).astype(dtype)
    if np.iscomplexobj(result):
        g = g + 1j * rng.standard_normal(np.shape(result)).astype(dtype)
    return g


# ----- the template evaluator -----


class _RewriteAdjoints(gast.NodeTransformer):
    def visit_Subscript(self, node):
        if isinstance(node.value, gast.Name) and node.value.id == "d":
            assert isinstance(node.slice, gast.Name), "d[...] must index with a parameter name"
            return gast.Subscript(value=gast.Name(id="__d", ctx=gast.Load(), annotation=None, type_comment=None),
                                  slice=gast.Constant(value=node.slice.id, kind=None), ctx=node.ctx)
        return self.generic_visit(node)


def free_names(rule):
    """Names a template body reads that are neither parameters, temporaries, `d` nor allowed modules."""
    node, result_name, signature = rule.parsed
    bound = set(signature.parameters) | {result_name, "d"}
    for stmt in node.body:
        for target in getattr(stmt, "targets", []):
            if isinstance(target, gast.Name):
                bound.add(target.id)
    loads = {n.id for n in gast.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
    return loads - bound - ALLOWED_FREE


def check_shape_of_template(rule):
    """The compiler accepts only single assignments to a name or to d[param]."""
    node, result_name, signature = rule.parsed
    for stmt in node.body:
        assert isinstance(stmt, gast.Assign) and len(stmt.targets) == 1, f"{rule.name}: not a single assignment"
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript):
            assert target.value.id == "d" and target.slice.id in signature.parameters, rule.name
        else:
            assert isinstance(target, gast.Name), rule.name


_compiled = {}


def _statements(rule):
    """[(parameter name or None for a temporary, code object)] for the template body."""
    if id(rule) not in _compiled:
        node = rule.parsed[0]
        statements = []
        for stmt in copy.deepcopy(node.body):
            target = stmt.targets[0]
            param = target.slice.id if isinstance(target, gast.Subscript) else None
            module = gast.gast_to_ast(gast.Module(body=[_RewriteAdjoints().visit(stmt)], type_ignores=[]))
            statements.append((param, compile(ast.fix_missing_locations(module), f"<template {rule.name}>", "exec")))
        _compiled[id(rule)] = statements
    return _compiled[id(rule)]


def run_template(rule, result, args, kwargs, cotangent, active=None):
    """{parameter name: gradient} for the template's differentiated parameters.

    Like the compiler, a contribution is evaluated only for an active input:
    those named in `active`, or (by default) every parameter bound to a value
    other than None. Temporaries always run.
    """
    node, result_name, signature = rule.parsed
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    if active is None:
        active = {name for name, value in bound.arguments.items() if value is not None}
    grads = {result_name: cotangent}
    env = {"np": np, "math": math, "rt": rt, "__d": grads, result_name: result, **bound.arguments}
    for param, code in _statements(rule):
        if param is None or param in active:
            exec(code, env)
    return {name: grads[name] for name in rule.differentiable_params if name in grads and name != result_name}, bound


def _spec(value):
    return value if isinstance(value, (A, V, C, Seq)) else C(value)


def vjp_check(rule, primal, specs, kwspecs, seed, dtype=np.float64, eps=1e-6, rtol=1e-5, atol=1e-6):
    """Check the rule against finite differences; returns the gradients (for further checks)."""
    rng = np.random.default_rng(seed)
    specs = [_spec(s) for s in specs]
    kwspecs = {k: _spec(s) for k, s in kwspecs.items()}
    args = [s.make(rng, dtype) for s in specs]
    kwargs = {k: s.make(rng, dtype) for k, s in kwspecs.items()}
    result = primal(*args, **kwargs)
    g = random_cotangent(result, rng, dtype)
    node, result_name, signature = rule.parsed
    bound = signature.bind(*args, **kwargs)
    active = {name for name, value in bound.arguments.items()
              if any(value is v for v, s in list(zip(args, specs)) + [(kwargs[k], kwspecs[k]) for k in kwargs]
                     if differentiable(s))}
    grads, bound = run_template(rule, result, args, kwargs, g, active)

    # which template parameter each differentiable argument is bound to
    param_of = {}
    for name, value in bound.arguments.items():
        for position, arg in enumerate(args):
            if value is arg and differentiable(specs[position]):
                param_of[("pos", position)] = name
        for key, arg in kwargs.items():
            if value is arg and differentiable(kwspecs[key]):
                param_of[("kw", key)] = name
        if isinstance(value, tuple):  # *args parameters
            for position, arg in enumerate(args):
                if any(v is arg for v in value) and differentiable(specs[position]):
                    raise AssertionError("differentiable varargs are not supported by templates")

    checked = 0
    for (kind, key), name in param_of.items():
        spec = specs[key] if kind == "pos" else kwspecs[key]
        value = args[key] if kind == "pos" else kwargs[key]
        assert name in grads, f"{rule.name}: no gradient for differentiable input {name!r}"
        direction = random_direction(spec, value, rng)

        def moved(step):
            new_args, new_kwargs = list(args), dict(kwargs)
            if kind == "pos":
                new_args[key] = perturb(spec, value, direction, step)
            else:
                new_kwargs[key] = perturb(spec, value, direction, step)
            return primal(*new_args, **new_kwargs)

        if dtype == np.float64:
            numeric = (inner(g, moved(eps)) - inner(g, moved(-eps))) / (2 * eps)
            analytic = contract(spec, value, grads[name], direction)
            assert np.isclose(analytic, numeric, rtol=rtol, atol=atol), (
                f"{rule.name}: input {name!r}: adjoint gives {analytic!r}, finite differences {numeric!r}")
        checked += 1
    assert checked == len(param_of) and checked > 0
    return args, kwargs, grads, param_of
