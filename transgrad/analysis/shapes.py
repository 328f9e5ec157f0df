"""Which variables surely have the shape of a parameter.

`y = x + 2`, `z = y * y * 3`, `u = np.tanh(z)`: elementwise operations whose other operands are
rank 0 (analysis/ranks.py), or have the same shape themselves, keep the shape. When such a chain
starts at a parameter the function never reassigns, the adjoint can read that parameter's shape
(`np.shape(x)`) instead of keeping `z` alive just for its shape, and the primal need not compute
`z` at all if nothing else reads it (optimize/shapes.py, emit/assemble.py).
"""
import gast
import numpy as np


def shape_sources(sites, ranks, params, elementwise_rule):
    """{name: the variable whose shape it surely has}. The sources are the parameters never
    reassigned (`params`) and the arrays assigned once at the top level of the function (both keep
    their value from their definition on, so the adjoint can read their shape);
    `elementwise_rule(rule)`: is a rule elementwise (its result has its operands' broadcast shape)?"""
    source = {p: p for p in params if ranks.get(p) is not None and ranks[p] >= 1}
    assignments = {}
    for site in sites:
        assignments.setdefault(site.target, []).append(site)
    for site in sites:   # program order: a variable's operands come before it
        if len(assignments[site.target]) != 1 or not isinstance(site.stmt, gast.Assign) \
                or not isinstance(site.stmt.targets[0], gast.Name) or site.target in source:
            continue
        found = _same_shape_as(site, source, ranks, elementwise_rule)
        if found is None and site.top_level and site.loop_depth == 0 and (ranks.get(site.target) or 0) >= 1:
            found = site.target   # a source itself: later elementwise results may share its shape
        if found is not None:
            source[site.target] = found
    return source


def is_elementwise(site, elementwise_rule):
    """Is the site an elementwise operation (its result has its operands' broadcast shape)?"""
    op, value = site.operation, site.stmt.value
    if op.kind != "rule" or op.rule.kind != "template" or not isinstance(site.stmt, gast.Assign):
        return False
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.MatMult):
        return False
    return isinstance(value, (gast.BinOp, gast.UnaryOp)) or (isinstance(value, gast.Call) and elementwise_rule(op.rule))


def _same_shape_as(site, source, ranks, elementwise_rule):
    op = site.operation
    if op.kind == "copy":
        return source.get(op.operands[0])
    if not is_elementwise(site, elementwise_rule):
        return None
    operands = list(op.args) + [k.value for k in op.keywords]
    found = set()
    for operand in operands:
        if isinstance(operand, gast.Constant) and isinstance(operand.value, (int, float, complex, bool, np.generic)):
            continue
        if isinstance(operand, gast.Name) and ranks.get(operand.id) == 0:
            continue
        if isinstance(operand, gast.Name) and operand.id in source:
            found.add(source[operand.id])
            continue
        return None
    return found.pop() if len(found) == 1 else None
