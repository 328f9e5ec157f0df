"""Fill a tangent template with the user's names, dropping the terms of inputs without a tangent.

A tangent template's body assigns `t[y] = ...` for its result and reads
`t[x]` for its inputs (rules/registry.py); it may first assign temporaries.
`instantiate_tangent` binds the parameters to the call's argument atoms and
replaces each `t[x]` by the name of x's tangent, or by a symbolic zero when x
carries none. The zero is then simplified away, as the reverse mode drops the
contributions of inactive inputs:

    t[z] = t[x1] * x2 + x1 * t[x2]     with only x1 varying:   z_dot = x1_dot * x2

A product, a quotient's numerator, a subscript, an attribute or a negation of
zero is zero; zero plus e is e. A call is linear in its tangent arguments
(tangents are linear in the input tangents), so a call whose tangent
arguments are all zero is zero, and one with only some of them zero gets a
literal 0.0 in their place (`np.where(c, x_dot, 0.0)`). A template result that
is entirely zero gives no tangent statement at all.
"""
import gast

from transgrad.syntax import build
from transgrad.syntax.templates import TemplateError, bind
from transgrad.syntax.walk import Transformer, walk

RESULT = "__transgrad_result__"   # stands for the primal result until the caller names it


class _Zero(gast.Name):
    """The symbolic zero tangent (never reaches generated code)."""


def _zero():
    return _Zero(id="__zero__", ctx=gast.Load(), annotation=None, type_comment=None)


def is_zero(node):
    return isinstance(node, _Zero)


class TangentInstance:
    """temps: statements the expression needs; expression: the result's tangent (None: zero)."""

    def __init__(self, temps, expression):
        self.temps = temps
        self.expression = expression

    def statements(self, target):
        return self.temps + [build.assign(target, self.expression)]


def instantiate_tangent(rule, args, keywords, tangent_of, namer, free_names):
    """A TangentInstance of the tangent template `rule` for `callee(*args, **keywords)`.

    tangent_of(atom) is the name of the atom's tangent, or None when it has none.
    The result parameter becomes RESULT in the expression; the caller renames it.
    """
    node, result_param, signature = rule.parsed
    mapping = bind(signature, args, keywords)
    renames, zeros, temps, expression = {}, set(), [], None
    for stmt in build.clone(node.body):
        if not isinstance(stmt, gast.Assign) or len(stmt.targets) != 1:
            raise TemplateError(f"tangent template {rule.name} may only contain single assignments")
        substitute = _Substitute(mapping, result_param, renames, zeros, free_names, tangent_of)
        value = _simplify(substitute.visit(stmt.value))
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript) and _is_t(target.value):
            expression = None if is_zero(value) else value
        elif is_zero(value):
            zeros.add(target.id)
        else:
            renames[target.id] = namer.fresh(target.id)
            temps.append(build.assign(renames[target.id], value))
    if expression is None:
        return TangentInstance([], None)
    return TangentInstance([plain(s) for s in _needed(temps, expression)], plain(expression))


def _needed(temps, expression):
    needed = {n.id for n in walk(expression) if isinstance(n, gast.Name)}
    kept = []
    for stmt in reversed(temps):
        if stmt.targets[0].id in needed:
            kept.insert(0, stmt)
            needed |= {n.id for n in walk(stmt.value) if isinstance(n, gast.Name)}
    return kept


def _is_t(node):
    return isinstance(node, gast.Name) and node.id == "t"


class _Substitute(Transformer):
    def __init__(self, mapping, result_param, renames, zeros, free_names, tangent_of):
        self.mapping = mapping
        self.result_param = result_param
        self.renames = renames
        self.zeros = zeros
        self.free_names = free_names
        self.tangent_of = tangent_of

    def visit_Subscript(self, node):
        if not _is_t(node.value):
            return self.generic_visit(node)
        parameter = getattr(node.slice, "id", None)
        if parameter == self.result_param or parameter not in self.mapping:
            raise TemplateError(f"a tangent template reads the tangents of its inputs, not t[{parameter}]")
        return self.tangent(self.mapping[parameter])

    def tangent(self, argument):
        if isinstance(argument, (gast.Tuple, gast.List)):
            items = [self.tangent(e) for e in argument.elts]
            if all(is_zero(i) for i in items):
                return _zero()
            items = [build.call(build.dotted(f"{self.free_names['rt']}.zero_tangent"), build.clone(e))
                     if is_zero(i) else i for i, e in zip(items, argument.elts)]
            return type(argument)(elts=items, ctx=gast.Load())
        name = self.tangent_of(argument)
        if name is not None:
            return _tangent_name(name)
        zero = _zero()
        # an optional argument left at None (np.interp's left=None) keeps None in a linear call
        zero.none = isinstance(argument, gast.Constant) and argument.value is None
        return zero

    def visit_Name(self, node):
        if node.id == self.result_param:
            return build.name(RESULT)
        if node.id in self.mapping:
            return build.clone(self.mapping[node.id])
        if node.id in self.zeros:
            return _zero()
        if node.id in self.renames:
            return build.name(self.renames[node.id])
        if node.id in self.free_names:
            return build.name(self.free_names[node.id])
        return node


class _TangentName(gast.Name):
    """A tangent variable in an instantiated template (so calls know which arguments are tangents)."""


def _tangent_name(name):
    return _TangentName(id=name, ctx=gast.Load(), annotation=None, type_comment=None)


def _carries(node):
    return any(isinstance(n, (_TangentName, _Zero)) for n in walk(node))


def _simplify(node):
    """Propagate symbolic zeros bottom-up (see the module docstring)."""
    if isinstance(node, (_Zero, _TangentName)) or not isinstance(node, gast.AST):
        return node
    for field in node._fields:
        value = getattr(node, field, None)
        if isinstance(value, list):
            setattr(node, field, [_simplify(v) for v in value])
        elif isinstance(value, gast.AST):
            setattr(node, field, _simplify(value))
    if isinstance(node, gast.BinOp):
        left, right = is_zero(node.left), is_zero(node.right)
        if isinstance(node.op, gast.Add):
            return node.right if left else node.left if right else node
        if isinstance(node.op, gast.Sub):
            if left and right:
                return _zero()
            return gast.UnaryOp(op=gast.USub(), operand=node.right) if left else node.left if right else node
        if isinstance(node.op, (gast.Mult, gast.MatMult)) and (left or right):
            return _zero()
        if isinstance(node.op, (gast.Div, gast.Pow, gast.Mod, gast.FloorDiv)) and left:
            return _zero()
        return node
    if isinstance(node, gast.UnaryOp):
        return _zero() if is_zero(node.operand) else node
    if isinstance(node, (gast.Subscript, gast.Attribute)):
        return _zero() if is_zero(node.value) else node
    if isinstance(node, gast.keyword):
        return node
    if isinstance(node, (gast.Call, gast.Tuple, gast.List, gast.IfExp)):
        parts = _linear_parts(node)
        carrying = [p for p in parts if _carries(p)]
        if carrying and all(is_zero(p) for p in carrying):
            return _zero()
        _replace_zeros(node)
    return node


def _linear_parts(node):
    if isinstance(node, gast.Call):
        return list(node.args) + [k.value for k in node.keywords] + [node.func]
    if isinstance(node, gast.IfExp):
        return [node.body, node.orelse]
    return list(node.elts)


def _replace_zeros(node):
    """The zero arguments of a call (or items, or branches) that also has a nonzero tangent one:
    0.0, or None for an optional argument the call leaves at None."""
    def literal(part):
        return build.const(None if getattr(part, "none", False) else 0.0) if is_zero(part) else part

    if isinstance(node, gast.Call):
        node.args = [literal(a) for a in node.args]
        for keyword in node.keywords:
            keyword.value = literal(keyword.value)
    elif isinstance(node, gast.IfExp):
        node.body, node.orelse = literal(node.body), literal(node.orelse)
    else:
        node.elts = [literal(e) for e in node.elts]


def plain(node):
    """The expression with its tangent names as ordinary gast Names (for emitting)."""
    for sub in walk(node):
        if isinstance(sub, _TangentName):
            sub.__class__ = gast.Name
    return node
