"""Elementwise results the gradient reads only for their shape are not computed.

    log_p = np.log(p)                      log_p = rt.stand_in(p)
    y_times_log_p = y * log_p        ->    y_times_log_p = rt.stand_in(y, log_p)
    ...                                    ...
    dlog_p = rt.unbroadcast(dy_times_log_p * y, y_times_log_p)

The adjoint of `y * np.log(p)` reads `y_times_log_p` only to sum a gradient back to its shape
(`rt.unbroadcast`, `np.shape`, `.size`). An elementwise result has its operands' broadcast shape,
so a zero-strided stand-in of that shape (`rt.stand_in`, no memory, no arithmetic) serves every such
read, and the work of computing the value is gone: for a logistic-regression loss that is most of
the passes over the data the primal made. analysis/shapes.py proves the same when the shape is one
parameter's; this pass needs no proof, because the stand-in is made from the operands themselves.
"""
import gast

from transgrad.syntax import build
from transgrad.syntax.walk import walk

_SHAPE_ATTRIBUTES = ("shape", "size", "ndim")


def stand_in_for_shapes(primal, rest, elementwise, ranks, np_name, rt_name):
    """The primal with each top-level elementwise assignment (statement ids in `elementwise`) whose
    value every later statement (`primal`, then `rest`) reads only for its shape replaced by
    `rt.stand_in(operands)`; a result of unknown rank or a number is left alone. One pass from the
    last assignment back: a stand-in reads its operands for their shape only, so an operand's own
    assignment, met later, may become a stand-in too."""
    parents, loads, stores = {}, {}, {}
    for stmt in primal + rest:
        _index(stmt, parents, loads)
        for node in walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                stores[node.id] = stores.get(node.id, 0) + 1
    for stmt in reversed(primal):
        if id(stmt) not in elementwise:
            continue
        target = stmt.targets[0]
        if not isinstance(target, gast.Name) or stores.get(target.id) != 1 or (ranks.get(target.id) or 0) < 1:
            continue
        reads = loads.get(target.id, [])
        if not reads or not all(_shape_read(n, parents.get(id(n)), np_name, rt_name) for n in reads):
            continue
        operands = [n.id for n in _operands(stmt.value) if isinstance(n, gast.Name)]
        if not operands:
            continue
        for node in walk(stmt.value):   # the value's reads are gone
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                loads[node.id] = [n for n in loads[node.id] if n is not node]
        stmt.value = build.located(build.call(build.dotted(f"{rt_name}.stand_in"), *map(build.name, operands)), stmt)
        _index(stmt.value, parents, loads)
    return primal


def _index(node, parents, loads):
    """Record each node's parent and each name's loads below `node`."""
    for sub in walk(node):
        for child in gast.iter_child_nodes(sub):
            parents[id(child)] = sub
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
            loads.setdefault(sub.id, []).append(sub)


def _operands(value):
    if isinstance(value, gast.BinOp):
        return [value.left, value.right]
    if isinstance(value, gast.UnaryOp):
        return [value.operand]
    if isinstance(value, gast.Call):
        return list(value.args) + [k.value for k in value.keywords]
    return []


def _shape_read(node, parent, np_name, rt_name):
    """Is this load of a name inside `x.shape`, `np.shape(x)`, `rt.unbroadcast(g, x)` or a stand-in?"""
    if isinstance(parent, gast.Attribute):
        return parent.value is node and parent.attr in _SHAPE_ATTRIBUTES
    if not (isinstance(parent, gast.Call) and isinstance(parent.func, gast.Attribute)
            and isinstance(parent.func.value, gast.Name)):
        return False
    module, function = parent.func.value.id, parent.func.attr
    if module == np_name and function in _SHAPE_ATTRIBUTES:
        return len(parent.args) == 1 and parent.args[0] is node
    if module == rt_name and function == "unbroadcast":
        return len(parent.args) == 2 and parent.args[1] is node
    return module == rt_name and function == "stand_in"
