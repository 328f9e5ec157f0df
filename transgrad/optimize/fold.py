"""Fold constants that adjoint templates leave behind, so generated code reads like hand-written code.

    dh = rt.unbroadcast(dh_pow_2 * 2 * h ** (2 - 1), h)
 -> dh = rt.unbroadcast(dh_pow_2 * 2 * h, h)

Only arithmetic on number literals is folded, and `e ** 1`, `e * 1`, `1 * e`
and `e / 1` simplify to `e`; adjoint values are always floating point, so
none of these changes a result's dtype or value.
"""
import operator

import gast

_FOLDABLE = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul, gast.Pow: operator.pow}


def _number(node):
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


class Fold(gast.NodeTransformer):
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


def fold(stmts):
    """The statements with constant arithmetic folded (in place)."""
    folder = Fold()
    return [folder.visit(stmt) for stmt in stmts]
