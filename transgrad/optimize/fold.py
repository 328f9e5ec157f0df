"""Fold constants that adjoint templates leave behind, so generated code reads like hand-written code.

    dh = rt.unbroadcast(dh_pow_2 * 2 * h ** (2 - 1), h)
 -> dh = rt.unbroadcast(dh_pow_2 * 2 * h, h)

Only arithmetic on number literals is folded, runtime reductions over every
axis become plain numpy (`np.broadcast_to(g, np.shape(x))`, `np.size(x)`), and
`e ** 1`, `e * 1`, `1 * e` and `e / 1` simplify to `e`; adjoint values are always floating point, so
none of these changes a result's dtype or value.
"""
import operator

import gast

from transgrad.syntax.walk import Transformer

_FOLDABLE = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul, gast.Pow: operator.pow}


def _number(node):
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _runtime_call(node, name):
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and node.func.attr == name
            and isinstance(node.func.value, gast.Name))


def _is_none(node):
    return isinstance(node, gast.Constant) and node.value is None


def _is_false(node):
    return isinstance(node, gast.Constant) and node.value is False


class Fold(Transformer):
    """numpy_name: what generated code calls numpy (usually `np`)."""

    def __init__(self, numpy_name="np"):
        self.np = numpy_name

    def visit_Call(self, node):
        """Reductions over every axis need no axis logic: rt.unreduce(g, x, None, False) spreads g over
        x's shape, rt.reduced_size(x, None) is x's size."""
        self.generic_visit(node)
        if _runtime_call(node, "unreduce") and len(node.args) == 4 and _is_none(node.args[2]) \
                and _is_false(node.args[3]):
            shape = gast.Call(func=_dotted(self.np, "shape"), args=[node.args[1]], keywords=[])
            return gast.Call(func=_dotted(self.np, "broadcast_to"), args=[node.args[0], shape], keywords=[])
        if _runtime_call(node, "reduced_size") and len(node.args) == 2 and _is_none(node.args[1]):
            return gast.Call(func=_dotted(self.np, "size"), args=[node.args[0]], keywords=[])
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right = _number(node.left), _number(node.right)
        folder = _FOLDABLE.get(type(node.op))
        if folder and left is not None and right is not None and abs(left) < 1e6 and abs(right) < 64:
            return gast.Constant(value=folder(left, right), kind=None)
        if right == 1 and isinstance(node.op, (gast.Pow, gast.Mult, gast.Div)):
            return node.left
        if left == 1 and isinstance(node.op, gast.Mult):
            return node.right
        return node


def _dotted(module, attribute):
    return gast.Attribute(value=gast.Name(id=module, ctx=gast.Load(), annotation=None, type_comment=None),
                          attr=attribute, ctx=gast.Load())


def fold(stmts, numpy_name="np"):
    """The statements with constant arithmetic folded (in place)."""
    folder = Fold(numpy_name)
    return [folder.visit(stmt) for stmt in stmts]
