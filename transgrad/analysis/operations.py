"""What each normalized assignment does, as far as differentiation is concerned.

`classify` reads one A-normal-form assignment `t = value` and returns an
Operation: which rule differentiates it and which operand names a gradient
flows to. Activity analysis and the reverse transform both read it, so they
can never disagree about a statement.
"""
import inspect
import operator
import sys

import gast
import numpy as np

from transgrad import markers
from transgrad.rules import registry

BINARY = {
    gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
    gast.Div: operator.truediv, gast.Pow: operator.pow, gast.MatMult: operator.matmul,
    gast.Mod: operator.mod, gast.FloorDiv: operator.floordiv, gast.BitAnd: operator.and_,
    gast.BitOr: operator.or_, gast.BitXor: operator.xor, gast.LShift: operator.lshift,
    gast.RShift: operator.rshift,
}
UNARY = {gast.USub: operator.neg, gast.UAdd: operator.pos, gast.Invert: operator.invert,
         gast.Not: operator.not_}


class Operation:
    """kind is one of:
    copy      t = a
    rule      a registered template or tg.adjoint callable (`rule`, with `bound` inputs)
    subscript t = a[index]
    getattr   t = a.name on a plain object (a pytree node)
    setitem   a[index] = v (the site's target is a)
    append    a.append(v) / extend: a.extend(vs)
    mutation  another in-place method on a local (an error when the local carries a gradient)
    display   t = (a, b) / [a, b] / {k: a}
    call      a user function, differentiated through (`callee`)
    constant  the result never carries a gradient
    unknown   a callable with no rule (an error if a gradient must flow through it)
    """

    def __init__(self, kind, operands=(), rule=None, callee=None, label=None, args=(), keywords=()):
        self.kind = kind
        self.operands = list(operands)
        self.rule = rule
        self.callee = callee
        self.label = label
        self.args = list(args)          # atom nodes, in template-binding order
        self.keywords = list(keywords)  # gast keyword nodes

    def __repr__(self):
        return f"Operation({self.kind}, {self.operands}, {self.label})"


def names(nodes):
    return [n.id for n in nodes if isinstance(n, gast.Name)]


def classify(value, resolver, no_grad=False):
    """The Operation performed by an assignment's right-hand side."""
    if no_grad:
        return Operation("constant")
    if isinstance(value, gast.Name):
        return Operation("copy", [value.id]) if value.id in resolver.locals else Operation("constant")
    if isinstance(value, gast.BinOp):
        return _rule_operation(registry.lookup(BINARY[type(value.op)]), [value.left, value.right], [],
                               _op_label(value.op))
    if isinstance(value, gast.UnaryOp):
        return _rule_operation(registry.lookup(UNARY[type(value.op)]), [value.operand], [],
                               _op_label(value.op))
    if isinstance(value, gast.Call):
        return _call(value, resolver)
    if isinstance(value, gast.Attribute):
        if value.value is not None and isinstance(value.value, gast.Name) and value.value.id in resolver.locals:
            rule = registry.lookup_attribute(value.attr)
            if rule is None:   # an attribute of a plain object (or an array attribute with no rule)
                return Operation("getattr", [value.value.id], label=f".{value.attr}")
            return _rule_operation(rule, [value.value], [], f".{value.attr}", unknown_ok=False)
        return Operation("constant")
    if isinstance(value, gast.Subscript):
        return Operation("subscript", names([value.value]))
    if isinstance(value, (gast.Tuple, gast.List)):
        return Operation("display", names(value.elts))
    if isinstance(value, gast.Dict):
        return Operation("display", names(value.values))
    return Operation("constant")


def classify_store(stmt, resolver, no_grad=False):
    """`x[index] = v`: x's new value depends on its old value and on v."""
    target = stmt.targets[0]
    operands = [target.value.id] + [n for n in names([stmt.value]) if n in resolver.locals]
    if no_grad:
        return Operation("constant")
    return Operation("setitem", operands, label="subscript assignment")


# methods that change their receiver in place, which the reverse transform cannot undo
_MUTATING = {"sort", "fill", "resize", "put", "itemset", "setfield", "partition", "insert", "remove",
             "pop", "clear", "reverse", "update", "setdefault", "popitem", "__setitem__", "__iadd__"}


# numpy functions that write into their first argument (np.add.at is desugared to a subscript assignment)
_WRITES_FIRST_ARGUMENT = (np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis)


def _writes_into(call, resolver):
    """The local a library call statement writes into (np.copyto(a, x), np.multiply.at(a, ...),
    np.sin(x, out=a)), or None."""
    out = next((k.value for k in call.keywords if k.arg == "out"), None)
    if isinstance(out, gast.Tuple) and out.elts:
        out = out.elts[0]
    if isinstance(out, gast.Name) and out.id in resolver.locals:
        return out.id
    if not (call.args and isinstance(call.args[0], gast.Name) and call.args[0].id in resolver.locals):
        return None
    callee = resolver.resolve(call.func)
    ufunc_method = isinstance(getattr(callee, "__self__", None), np.ufunc)
    if ufunc_method or any(callee is f for f in _WRITES_FIRST_ARGUMENT):
        return call.args[0].id
    return None


def classify_update(call, resolver, no_grad=False):
    """`items.append(v)` / `items.extend(vs)` on a local list, or another in-place update (an error if active)."""
    written = _writes_into(call, resolver)
    if written is not None:
        label = gast.unparse(call.func).strip()
        read = [n.id for arg in call.args + [k.value for k in call.keywords] for n in gast.walk(arg)
                if isinstance(n, gast.Name)]   # the written value may be an expression: np.copyto(a, x + 1)
        return Operation("mutation", [written] + read, label=f"{label}, which writes into `{written}`")
    func = call.func
    if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
            and func.value.id in resolver.locals):
        return None
    receiver = func.value.id
    if func.attr in ("append", "extend") and len(call.args) == 1 and not call.keywords:
        if no_grad:
            return Operation("constant")
        return Operation(func.attr, [receiver] + names(call.args), label=f".{func.attr}()")
    if func.attr in _MUTATING:
        return Operation("mutation", [receiver], label=f"the in-place method .{func.attr}()")
    return None


def _call(value, resolver):
    func = value.func
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in resolver.locals:
        rule = registry.lookup_method(func.attr)
        return _rule_operation(rule, [func.value] + value.args, value.keywords, f"method .{func.attr}()")
    callee = resolver.resolve(func)
    label = gast.unparse(func).strip()
    if getattr(type(callee), "__transgrad_compiled__", False):
        callee = _generated_for_call(callee)
    if callee is markers.detach or callee is markers.stop_gradient:
        return Operation("constant")
    rule = registry.lookup(callee) if callee is not None else None
    if rule is not None:
        return _rule_operation(rule, value.args, value.keywords, label)
    if callee is not None and inspect.isfunction(callee) and not is_library(callee):
        arg_names = names(value.args) + names(k.value for k in value.keywords)
        return Operation("call", arg_names, callee=callee, label=label, args=value.args,
                         keywords=value.keywords)
    return Operation("unknown", names(value.args) + names(k.value for k in value.keywords), label=label)


def _generated_for_call(compiled):
    """A tg.grad object called inside the function is differentiated through its generated code."""
    from transgrad import higher   # analysis is imported by the compiler that higher.py drives
    return higher.generated_for_call(compiled)


def _rule_operation(rule, args, keywords, label, unknown_ok=True):
    operand_names = names(args) + names(k.value for k in keywords)
    if rule is None:
        return Operation("unknown", operand_names, label=label)
    if rule.kind == "nondiff":
        return Operation("constant", label=label)
    return Operation("rule", operand_names, rule=rule, label=label, args=args, keywords=keywords)


def is_library(function):
    """Library code is not differentiated through: numpy, scipy and the standard library are
    reached through rules only (their source uses constructs transgrad does not differentiate, and
    a missing rule should be reported at the user's call, not inside the library)."""
    module = getattr(function, "__module__", "") or ""
    if module == "transgrad.runtime":
        return False
    package = module.split(".")[0]
    return package in ("numpy", "scipy", "transgrad") or package in sys.stdlib_module_names


def _op_label(op):
    return {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**",
            gast.MatMult: "@", gast.Mod: "%", gast.USub: "unary -", gast.UAdd: "unary +"}.get(type(op), type(op).__name__)
