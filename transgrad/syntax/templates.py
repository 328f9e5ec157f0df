"""Fill an adjoint template with the user's names.

A template's body assigns `d[x] = ...` for its inputs and reads `d[y]` for
its output (see rules/registry.py). `instantiate` binds the template's
parameters to the call's argument atoms, renames the template's own
temporaries, and returns the temporaries and one contribution per input, so
the caller can drop the contributions of inputs that carry no gradient.
"""
import inspect

import gast

from transgrad.syntax import build
from transgrad.syntax.walk import walk


class Instance:
    """temps: statements the contributions need; contributions: [(argument atom, expression)]."""

    def __init__(self, temps, contributions):
        self.temps = temps
        self.contributions = contributions

    def keep(self, wanted):
        """Only the contributions for which wanted(argument atom) holds, and the temps they need."""
        contributions = [(arg, expr) for arg, expr in self.contributions if wanted(arg)]
        if not self.temps:   # most instances: nothing to choose from, no need to walk the expressions
            return Instance([], contributions)
        needed = {n.id for _, expr in contributions for n in walk(expr) if isinstance(n, gast.Name)}
        temps = []
        for stmt in reversed(self.temps):
            if stmt.targets[0].id in needed:
                temps.insert(0, stmt)
                needed |= {n.id for n in walk(stmt.value) if isinstance(n, gast.Name)}
        return Instance(temps, contributions)


class TemplateError(Exception):
    """A call's arguments do not fit the rule (an unsupported keyword, too many arguments)."""


def bind(signature, args, keywords):
    """{template parameter: argument node}, with defaults filled in as constants."""
    try:
        bound = signature.bind(*args, **{k.arg: k.value for k in keywords})
    except TypeError as error:
        raise TemplateError(str(error).replace("got an unexpected keyword argument", "does not support the keyword"))
    mapping = {}
    for parameter in signature.parameters.values():
        if parameter.name in bound.arguments:
            value = bound.arguments[parameter.name]
            if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
                value = gast.Tuple(elts=list(value), ctx=gast.Load())
            mapping[parameter.name] = value
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            mapping[parameter.name] = gast.Tuple(elts=[], ctx=gast.Load())
        elif parameter.default is not inspect.Parameter.empty:
            mapping[parameter.name] = gast.Constant(value=parameter.default, kind=None)
    return mapping


_instances = {}   # (rule, names and constants involved) -> Instance without temporaries


def forget_instances():
    _instances.clear()


def _atom_key(node):
    if isinstance(node, gast.Name):
        return ("name", node.id)
    if isinstance(node, gast.Constant):
        return ("constant", type(node.value), repr(node.value))
    return None


def instantiate(rule, result, result_adjoint, args, keywords, namer, free_names):
    """An Instance of `rule` for `result = callee(*args, **keywords)`.

    result, result_adjoint: names of the primal result and of its gradient.
    free_names: {template free name such as 'np' or 'rt': name to use in generated code}.

    The reverse transform instantiates each rule several times while it looks for a fixed point;
    an instance that needs no temporary names depends only on the names and constants involved,
    so it is remembered and cloned.
    """
    atoms = [_atom_key(a) for a in args] + [(k.arg, _atom_key(k.value)) for k in keywords]
    key = None
    if None not in atoms and all(a[1] is not None for a in atoms[len(args):]):
        key = (id(rule), result, result_adjoint, tuple(atoms), tuple(sorted(free_names.items())))
        found = _instances.get(key)
        if found is not None and found[0] is rule:
            return Instance([], [(build.clone(arg), build.clone(expr)) for arg, expr in found[1].contributions])
    instance = _instantiate(rule, result, result_adjoint, args, keywords, namer, free_names)
    if key is not None and not instance.temps:
        if len(_instances) > 8192:
            _instances.clear()
        _instances[key] = (rule, Instance([], [(build.clone(arg), build.clone(expr))
                                               for arg, expr in instance.contributions]))
    return instance


def _instantiate(rule, result, result_adjoint, args, keywords, namer, free_names):
    node, result_param, signature = rule.parsed
    mapping = bind(signature, args, keywords)
    renames = {}
    temps, contributions = [], []
    fill = _Substitute(mapping, result_param, result, result_adjoint, renames, free_names)
    for stmt in node.body:   # the template itself is only read: its values are copied as they are filled
        if not isinstance(stmt, gast.Assign) or len(stmt.targets) != 1:
            raise TemplateError(f"template {rule.name} may only contain single assignments")
        value = build.clone(stmt.value, fill)
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript) and _is_d(target.value):
            contributions.append((mapping.get(target.slice.id), value))
        else:
            renames[target.id] = namer.fresh(target.id)
            temps.append(gast.Assign(targets=[gast.Name(id=renames[target.id], ctx=gast.Store(),
                                                        annotation=None, type_comment=None)],
                                     value=value, type_comment=None))
    return Instance(temps, [(arg, expr) for arg, expr in contributions if arg is not None])


def _is_d(node):
    return isinstance(node, gast.Name) and node.id == "d"


class _Substitute:
    """What build.clone puts in place of a template's names while it copies the template: the
    gradient of the result for `d[result]`, the call's arguments for the parameters, fresh names
    for the template's temporaries and generated-code names for its free names (np, rt)."""

    def __init__(self, mapping, result_param, result, result_adjoint, renames, free_names):
        self.mapping = mapping
        self.result_param = result_param
        self.result = result
        self.result_adjoint = result_adjoint
        self.renames = renames
        self.free_names = free_names

    def __call__(self, node):
        """The replacement of `node`, or None to copy it (and look inside)."""
        kind = type(node)
        if kind is gast.Name:
            return self._name(node)
        if kind is gast.Subscript and _is_d(node.value):
            if getattr(node.slice, "id", None) != self.result_param:
                raise TemplateError("templates may only read the gradient of the result")
            return build.name(self.result_adjoint)
        return None

    def _name(self, node):
        if node.id == self.result_param:
            return build.name(self.result)
        if node.id in self.mapping:
            return build.clone(self.mapping[node.id])
        if node.id in self.renames:
            return build.name(self.renames[node.id])
        if node.id in self.free_names:
            return build.name(self.free_names[node.id])
        return None
