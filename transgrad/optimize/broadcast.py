"""Keep broadcast scalars scalar in the adjoint, and read shapes from parameters.

The adjoint of a full reduction spreads one number over an array: for `out = z.mean()`,
`dz = np.broadcast_to(dout, np.shape(z)) / np.size(z)`. Materialising that array and then
multiplying it by constants (`dy_times_y = dz * 3`) costs a pass over memory each time, where a
person would multiply the number and touch the array once: `dy = 2 * dy_times_y * y`.

Two rewrites of the adjoint do that:

1. shape reads (`np.shape(z)`, `np.size(z)`, `np.ndim(z)`, the operand of `rt.unbroadcast`)
   read a parameter with the same shape instead (analysis/shapes.py), so the primal need not
   keep `z`;
2. a gradient that is a scalar broadcast to a known shape is kept as the scalar, "implicitly
   broadcast": arithmetic with other scalars stays scalar, arithmetic with an array of that very
   shape broadcasts by itself, and any other use reads `np.broadcast_to(scalar, shape)`, the
   value the original code had. Products of scalars are gathered so the array is multiplied once.

Only top-level statements define implicit scalars, and only names assigned once (and never
updated in place); their uses may be anywhere after.
"""
import gast
import numpy as np

from transgrad.syntax.build import clone, dotted
from transgrad.syntax.walk import Transformer, walk

_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div)
_SHAPE_READS = ("shape", "size", "ndim")


def read_shapes_from_parameters(stmts, sources, np_name, rt_name):
    """Rewrite shape reads of variables that have a parameter's shape (in place)."""
    for stmt in stmts:
        for node in walk(stmt):
            if not isinstance(node, gast.Call) or not isinstance(node.func, gast.Attribute) \
                    or not isinstance(node.func.value, gast.Name):
                continue
            module, attribute = node.func.value.id, node.func.attr
            if module == np_name and attribute in _SHAPE_READS and len(node.args) == 1:
                position = 0
            elif module == rt_name and attribute == "unbroadcast" and len(node.args) == 2:
                position = 1
            else:
                continue
            argument = node.args[position]
            if isinstance(argument, gast.Name) and argument.id in sources:
                argument.id = sources[argument.id]
    return stmts


class _ArrayAttributes(Transformer):
    """np.size(x) -> x.size and np.shape(x) -> x.shape for names that surely hold arrays: the same
    value, without a function call."""

    def __init__(self, np_name, is_array):
        self.np, self.is_array = np_name, is_array

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, gast.Attribute) and node.func.attr in ("size", "shape") and \
                isinstance(node.func.value, gast.Name) and node.func.value.id == self.np and \
                len(node.args) == 1 and not node.keywords and self.is_array(node.args[0]):
            return gast.copy_location(gast.Attribute(value=node.args[0], attr=node.func.attr, ctx=gast.Load()), node)
        return node


def array_attributes(stmts, np_name, is_array):
    """The statements with shape reads of arrays written as attributes (in place)."""
    transformer = _ArrayAttributes(np_name, is_array)
    return [transformer.visit(stmt) for stmt in stmts]


class ImplicitBroadcasts:
    """is_scalar(node): is an expression surely a number (rank 0)? has_shape(node, shape_node):
    does an array expression surely have that shape? is_array(node): is a gradient an array?"""

    def __init__(self, np_name, is_scalar, has_shape, is_array=lambda node: False, rt_name="rt"):
        self.np = np_name
        self.rt = rt_name
        self.is_scalar = is_scalar
        self.has_shape = has_shape
        self.is_array = is_array   # is a gradient surely an array (not a list or dict of them)?
        self.implicit = {}     # name -> the shape expression it is implicitly broadcast to
        self.materialized = set()

    def run(self, stmts, tail):
        """The statements rewritten; a scalar is kept implicit only if no use has to broadcast it
        (otherwise the original array is clearer and no slower)."""
        if not any(_is_attribute(node.func, self.np, "broadcast_to") for stmt in stmts for node in walk(stmt)
                   if isinstance(node, gast.Call)):
            return stmts   # nothing is spread over an array: nothing to keep as a number
        allowed = _assigned_once(stmts + tail)
        while True:
            self.implicit, self.materialized = {}, set()
            trial_stmts, trial_tail = clone(stmts), clone(tail)
            out = self.rewrite(trial_stmts, trial_tail, allowed)
            if not self.materialized:
                tail[:] = trial_tail
                return out
            allowed -= self.materialized

    def rewrite(self, stmts, tail, allowed):
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                    stmt.targets[0].id in allowed:
                lazy = self.lazy(stmt.value)
                if lazy is not None:
                    stmt.value, self.implicit[stmt.targets[0].id] = lazy
                    out.append(stmt)
                    continue
            out.append(self.materialize(stmt))
        for stmt in tail:
            self.materialize(stmt)
        return out

    def lazy(self, node):
        """(scalar expression, shape) when `node` is a scalar broadcast to a shape, else None."""
        if isinstance(node, gast.Name) and node.id in self.implicit:
            return node, self.implicit[node.id]
        if isinstance(node, gast.Call) and _is_attribute(node.func, self.np, "broadcast_to") and \
                len(node.args) == 2 and not node.keywords and self.scalar(node.args[0]):
            return node.args[0], node.args[1]
        if isinstance(node, gast.Call) and _is_attribute(node.func, self.rt, "unbroadcast") and len(node.args) == 2:
            inner = self.lazy(node.args[0])   # the identity when x has the shape it is spread over
            if inner is not None and self.shaped(node.args[1], inner[1]):
                return inner
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            inner = self.lazy(node.operand)
            return (gast.UnaryOp(op=gast.USub(), operand=inner[0]), inner[1]) if inner else None
        if isinstance(node, gast.BinOp) and isinstance(node.op, _ARITHMETIC):
            left, right = self.lazy(node.left), self.lazy(node.right)
            if left and right and _same(left[1], right[1]):
                return gast.BinOp(left=left[0], op=node.op, right=right[0]), left[1]
            if left and self.scalar(node.right):
                return gast.BinOp(left=left[0], op=node.op, right=node.right), left[1]
            if right and self.scalar(node.left):
                return gast.BinOp(left=node.left, op=node.op, right=right[0]), right[1]
        return None

    def scalar(self, node):
        if isinstance(node, gast.Name) and node.id in self.implicit:
            return False
        if isinstance(node, (gast.BinOp,)):
            return self.scalar(node.left) and self.scalar(node.right)
        if isinstance(node, gast.UnaryOp):
            return self.scalar(node.operand)
        return self.is_scalar(node)

    def shaped(self, node, shape):
        """Does an array expression surely have `shape`: a name known to have it, or arithmetic
        and numpy ufuncs of such arrays and numbers ((1 - t ** 2), np.cos(x) * y)?"""
        if isinstance(node, gast.Name):
            return node.id not in self.implicit and self.has_shape(node, shape)
        if isinstance(node, gast.BinOp) and isinstance(node.op, _ARITHMETIC + (gast.Pow,)):
            sides = (node.left, node.right)
            return any(self.shaped(n, shape) for n in sides) and \
                all(self.shaped(n, shape) or self.scalar(n) for n in sides)
        if isinstance(node, gast.UnaryOp):
            return self.shaped(node.operand, shape)
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and not node.keywords and \
                isinstance(node.func.value, gast.Name) and node.func.value.id == self.np and \
                isinstance(getattr(np, node.func.attr, None), np.ufunc) and node.args:
            return any(self.shaped(n, shape) for n in node.args) and \
                all(self.shaped(n, shape) or self.scalar(n) for n in node.args)
        return False

    def number(self, node):
        """A number at run time: a scalar expression, or an implicit scalar itself."""
        return (isinstance(node, gast.Name) and node.id in self.implicit) or self.scalar(node)

    def materialize(self, stmt):
        """Uses of implicit scalars: kept where numpy broadcasts them right, else broadcast."""
        if not self.implicit:
            return stmt
        return _Materialize(self).visit(stmt)


class _Materialize(Transformer):
    def __init__(self, owner):
        self.owner = owner

    def visit_BinOp(self, node):
        owner = self.owner
        if isinstance(node.op, _ARITHMETIC):
            for side in ("left", "right"):
                other = node.right if side == "left" else node.left
                lazy = owner.lazy(getattr(node, side))
                if lazy is not None and owner.shaped(other, lazy[1]):
                    # scalar op array-of-that-shape: numpy broadcasts the scalar by itself
                    setattr(node, side, lazy[0])
                    setattr(node, "right" if side == "left" else "left", self.visit(other))
                    return _gather_scalars(node, owner)
        self.generic_visit(node)
        return _gather_scalars(node, owner)

    def visit_AugAssign(self, node):
        lazy = self.owner.lazy(node.value)
        # dx[index] += g: g is the gradient of x[index], so it has the shape of those slots
        fits = isinstance(node.target, gast.Subscript) or self.owner.shaped(node.target, lazy[1]) if lazy else False
        if lazy is not None and isinstance(node.op, gast.Add) and fits:
            node.value = lazy[0]
            node.target = self.visit(node.target)
            return node
        self.generic_visit(node)
        return node

    def visit_Call(self, node):
        # rt.add_at(dx, index, g): g is the gradient of x[index] and np.add.at broadcasts it there
        if isinstance(node.func, gast.Attribute) and node.func.attr == "add_at" and len(node.args) == 3 \
                and self.owner.is_array(node.args[0]):
            lazy = self.owner.lazy(node.args[2])
            if lazy is not None:
                node.args[:2] = [self.visit(a) for a in node.args[:2]]
                node.args[2] = lazy[0]
                return node
        self.generic_visit(node)
        return node

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.owner.implicit:
            self.owner.materialized.add(node.id)
            shape = self.owner.implicit[node.id]
            return gast.Call(func=dotted(f"{self.owner.np}.broadcast_to"), args=[node, clone(shape)], keywords=[])
        return node


def _gather_scalars(node, owner):
    """c * (s * y) -> (c * s) * y when c and s are numbers: the array is multiplied once."""
    if isinstance(node.op, gast.Mult) and isinstance(node.right, gast.BinOp) and isinstance(node.right.op, gast.Mult) \
            and owner.number(node.left) and owner.number(node.right.left):
        return gast.BinOp(left=gast.BinOp(left=node.left, op=gast.Mult(), right=node.right.left), op=gast.Mult(),
                          right=node.right.right)
    return node


def _same(a, b):
    return gast.dump(a) == gast.dump(b)


def _is_attribute(node, module, attribute):
    return (isinstance(node, gast.Attribute) and node.attr == attribute and isinstance(node.value, gast.Name)
            and node.value.id == module)


def _assigned_once(stmts):
    """Names bound exactly once, by a plain assignment, and never updated in place."""
    counts, excluded = {}, set()
    for stmt in stmts:
        for node in walk(stmt):
            if isinstance(node, gast.Assign):
                for target in node.targets:
                    if isinstance(target, gast.Name):
                        counts[target.id] = counts.get(target.id, 0) + 1
                    elif isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                        excluded.add(target.value.id)
            elif isinstance(node, gast.AugAssign):
                base = node.target.value if isinstance(node.target, gast.Subscript) else node.target
                if isinstance(base, gast.Name):
                    excluded.add(base.id)
            elif isinstance(node, gast.For) and isinstance(node.target, gast.Name):
                excluded.add(node.target.id)
    return {name for name, count in counts.items() if count == 1 and name not in excluded}
