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
    """{name: parameter with the same shape}. `params`: parameters never reassigned;
    `elementwise_rule(rule)`: is a rule elementwise (its result has its operands' broadcast shape)?"""
    source = {p: p for p in params if ranks.get(p) is not None and ranks[p] >= 1}
    assignments = {}
    for site in sites:
        assignments.setdefault(site.target, []).append(site)
    for _ in range(len(sites) + 1):
        changed = False
        for name, found in assignments.items():
            if name in source or len(found) != 1 or not isinstance(found[0].stmt, gast.Assign) \
                    or not isinstance(found[0].stmt.targets[0], gast.Name):
                continue
            parameter = _same_shape_as(found[0], source, ranks, elementwise_rule)
            if parameter is not None:
                source[name] = parameter
                changed = True
        if not changed:
            break
    return source


def _same_shape_as(site, source, ranks, elementwise_rule):
    op, value = site.operation, site.stmt.value
    if op.kind == "copy":
        return source.get(op.operands[0])
    if op.kind != "rule" or op.rule.kind != "template":
        return None
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.MatMult):
        return None
    if not isinstance(value, (gast.BinOp, gast.UnaryOp)) and not (isinstance(value, gast.Call) and
                                                                  elementwise_rule(op.rule)):
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
