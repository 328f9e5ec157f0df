"""Desugar assignments and `with` blocks into a small core.

After this pass every assignment has exactly one target, a plain name or
`name[index]`: `a += b` becomes `a = a + b`, `x[i] += v` becomes
`x[i] = x[i] + v`, `a, b = t` becomes `a = t[0]; b = t[1]`
(through a temporary when `t` is an expression; `a, *rest = t` gives
`rest = list(t[1:])`), `a = b = e` becomes
`a = e; b = a`. `pass` and `del name` disappear. `np.add.at(a, i, v)` (and
`np.subtract.at`) becomes `a[...] = rt.added_at(a, i, v)`: the same update of
a, written as a subscript assignment the reverse transform knows how to undo. `with tg.no_grad():` stays a With node;
any other with statement is rejected by the fence.
"""
import gast
import numpy as np

from transgrad.syntax import build
from transgrad.syntax.walk import walk


class Desugar:
    def __init__(self, namer, resolve=None):
        self.namer = namer
        self.resolve = resolve or (lambda node: None)

    def block(self, stmts):
        out = []
        for stmt in stmts:
            out.extend(self.statement(stmt))
        return out

    def statement(self, stmt):
        if isinstance(stmt, (gast.Pass, gast.Delete)):
            return []   # `del name` frees memory in Python; the compiled code manages its own
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Subscript):
            return self.augmented_subscript(stmt)
        if isinstance(stmt, gast.AugAssign):
            value = gast.BinOp(left=build.name(stmt.target.id), op=stmt.op, right=stmt.value)
            assignment = build.assign(stmt.target.id, build.located(value, stmt), like=stmt)
            assignment.augmented = True   # numpy updates an array in place here: aliases.py checks
            return [assignment]
        if isinstance(stmt, gast.Assign):
            return self.assignment(stmt)
        if isinstance(stmt, gast.Expr) and self.is_scatter_add(stmt.value):
            return [self.scatter_add(stmt)]
        for field in ("body", "orelse"):
            if hasattr(stmt, field):
                setattr(stmt, field, self.block(getattr(stmt, field)))
        return [stmt]

    def augmented_subscript(self, stmt):
        """x[i] += v -> x[i] = x[i] + v, naming a computed index once so it is evaluated once."""
        out, target = [], stmt.target
        index = target.slice
        if not _simple_index(index):
            holder = self.namer.fresh("index")
            out.append(build.assign(holder, index, like=stmt))
            index = build.name(holder)
        read = build.subscript(target.value.id, build.clone(index))
        value = build.located(gast.BinOp(left=read, op=stmt.op, right=stmt.value), stmt)
        write = gast.Subscript(value=build.name(target.value.id), slice=index, ctx=gast.Store())
        out.append(build.located(gast.Assign(targets=[write], value=value, type_comment=None), stmt))
        return out

    def is_scatter_add(self, call):
        """np.add.at(a, indices, values) or np.subtract.at(...) on a local array `a`."""
        if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and call.func.attr == "at"
                and len(call.args) == 3 and not call.keywords and isinstance(call.args[0], gast.Name)):
            return False
        ufunc = self.resolve(call.func.value)
        return ufunc is np.add or ufunc is np.subtract

    def scatter_add(self, stmt):
        call = stmt.value
        array, indices, values = call.args
        if self.resolve(call.func.value) is np.subtract:
            values = build.located(gast.UnaryOp(op=gast.USub(), operand=values), stmt)
        added = build.located(build.call(build.dotted(f"{build.RUNTIME}.added_at"), build.name(array.id),
                                         indices, values), stmt)
        write = gast.Subscript(value=build.name(array.id), slice=build.const(Ellipsis), ctx=gast.Store())
        return build.located(gast.Assign(targets=[write], value=added, type_comment=None), stmt)

    def assignment(self, stmt):
        first, *others = stmt.targets
        out = self.unpack(first, stmt.value, stmt)
        source = first
        for target in others:
            out.extend(self.unpack(target, _as_load(source), stmt))
        return out

    def unpack(self, target, value, like):
        if isinstance(target, gast.Name):
            return [build.assign(target.id, value, like=like)]
        if isinstance(target, gast.Subscript):
            return [build.located(gast.Assign(targets=[target], value=value, type_comment=None), like)]
        # tuple or list target: name the value once, then take its items
        out = []
        if isinstance(value, gast.Name):
            holder = value.id
        else:
            holder = self.namer.fresh("_".join(_target_names(target)) or "items")
            out.append(build.assign(holder, value, like=like))
        starred = [i for i, e in enumerate(target.elts) if isinstance(e, gast.Starred)]
        after = len(target.elts) - starred[0] - 1 if starred else 0
        for position, element in enumerate(target.elts):
            if isinstance(element, gast.Starred):
                # a, *rest, b = t  ->  rest = list(t[1:-1]), a list as Python makes it
                rest = gast.Slice(lower=build.const(position), upper=build.const(-after) if after else None,
                                  step=None)
                item = build.located(build.call("list", build.located(build.subscript(holder, rest), like)), like)
                out.extend(self.unpack(element.value, item, like))
                continue
            index = position if not starred or position < starred[0] else position - len(target.elts)
            item = build.located(build.subscript(holder, index), like)
            out.extend(self.unpack(element, item, like))
        return out


def _simple_index(index):
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    return all(isinstance(p, (gast.Name, gast.Constant, gast.Slice)) for p in parts) and not any(
        isinstance(p, gast.Slice) and any(isinstance(getattr(p, f), (gast.Call, gast.BinOp))
                                          for f in ("lower", "upper", "step")) for p in parts)


def _target_names(target):
    return [n.id for n in walk(target) if isinstance(n, gast.Name)]


def _as_load(target):
    if isinstance(target, gast.Name):
        return build.name(target.id)
    return gast.Tuple(elts=[_as_load(e) for e in target.elts], ctx=gast.Load())


def desugar(function_node, namer, resolve=None):
    function_node.body = Desugar(namer, resolve).block(function_node.body)
    return function_node
