"""Recognise `np.trace(a @ b)` and `np.trace(x @ m @ x.T)` and compute them with fewer products.

trace(A B) is the sum of A * Bᵀ: the n³ product is never needed, neither for the value nor for
the gradient, whose adjoint is `g * Bᵀ` for A and `g * Aᵀ` for B (the identity matrix that
trace's adjoint produces, multiplied into the matrix product's adjoint). For
`trace(A @ B @ A.T)` that leaves the one product `A @ B` in the primal and two in the adjoint,
as a person would write it, instead of six.

The rewrite is made on the normalized function, before activity: `m = a @ b; t = np.trace(m)`
with both operands of rank 2 (analysis/ranks.py), no keywords, and `m` read nowhere else
becomes `t = rt.trace_matmul(a, b)`. When, in turn, a = x @ m and b = x.T (each read only there),
it becomes `t = rt.trace_quadratic(x, m)`: the gradient x (m + mᵀ) for x and xᵀ x for m is the two
products a person writes, and a gradient that does not return the value needs no product in the
primal at all.
"""
import gast
import numpy as np

from transgrad.syntax import build
from transgrad.syntax.walk import walk


def fuse_trace_of_products(function_node, sites, ranks, resolve):
    """Rewrite the function in place; True if anything changed (the caller collects sites again)."""
    products = {}
    reads = {}
    for node in walk(function_node):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            reads[node.id] = reads.get(node.id, 0) + 1
    assigned = {}
    for site in sites:
        assigned[site.target] = assigned.get(site.target, 0) + 1
    for site in sites:
        value = site.stmt.value if isinstance(site.stmt, gast.Assign) else None
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.MatMult) and \
                all(isinstance(v, gast.Name) and ranks.get(v.id) == 2 for v in (value.left, value.right)):
            products[site.target] = site
    changed = False
    for site in sites:
        value = site.stmt.value if isinstance(site.stmt, gast.Assign) else None
        if not (isinstance(value, gast.Call) and len(value.args) == 1 and not value.keywords
                and isinstance(value.args[0], gast.Name) and resolve(value.func) is np.trace):
            continue
        product = products.get(value.args[0].id)
        if product is None or reads.get(product.target) != 1 or assigned.get(product.target) != 1:
            continue
        left, right = product.stmt.value.left, product.stmt.value.right
        between = _between(function_node, product.stmt, site.stmt)
        if between is None or any(isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and n.id in
                                  (left.id, right.id) for s in between for n in walk(s)):
            continue   # not in one block, or an operand changes before the trace
        site.stmt.value = build.located(
            build.call(build.dotted(f"{build.RUNTIME}.trace_matmul"), build.name(left.id), build.name(right.id)),
            site.stmt)
        _remove(function_node, product.stmt)
        _fuse_quadratic(function_node, site.stmt, products, _transposes(sites, ranks, resolve), reads, assigned)
        changed = True
    return changed


def _transposes(sites, ranks, resolve):
    """{name: x} for each `name = x.T` or `name = np.transpose(x)` of a rank-2 x."""
    found = {}
    for site in sites:
        value = site.stmt.value if isinstance(site.stmt, gast.Assign) else None
        if isinstance(value, gast.Attribute) and value.attr == "T":
            source = value.value
        elif isinstance(value, gast.Call) and len(value.args) == 1 and not value.keywords \
                and resolve(value.func) is np.transpose:
            source = value.args[0]
        else:
            continue
        if isinstance(source, gast.Name) and ranks.get(source.id) == 2:
            found[site.target] = source.id
    return found


def _fuse_quadratic(function_node, trace_stmt, products, transposes, reads, assigned):
    """`t = rt.trace_matmul(xm, xt)` with `xm = x @ m` and `xt = x.T`, each read only there, becomes
    `t = rt.trace_quadratic(x, m)`: trace(x m xᵀ), whose gradient x (m + mᵀ) is one product."""
    left, right = trace_stmt.value.args
    product = products.get(left.id)
    if product is None or right.id not in transposes or any(
            reads.get(n) != 1 or assigned.get(n) != 1 for n in (left.id, right.id)):
        return
    x, m = product.stmt.value.left, product.stmt.value.right
    if transposes[right.id] != x.id:
        return
    transpose_stmt = next(s for s in walk(function_node) if isinstance(s, gast.Assign)
                          and any(isinstance(t, gast.Name) and t.id == right.id for t in s.targets))
    for first in (product.stmt, transpose_stmt):
        between = _between(function_node, first, trace_stmt)
        if between is None or any(isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and n.id in
                                  (x.id, m.id) for s in between for n in walk(s)):
            return
    trace_stmt.value = build.located(
        build.call(build.dotted(f"{build.RUNTIME}.trace_quadratic"), build.name(x.id), build.name(m.id)), trace_stmt)
    _remove(function_node, product.stmt)
    _remove(function_node, transpose_stmt)


def _between(function_node, first, second):
    """The statements between `first` and `second` if both are in one block in that order, else None."""
    for node in walk(function_node):
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if isinstance(block, list) and any(s is first for s in block):
                positions = {id(s): i for i, s in enumerate(block)}
                if id(second) not in positions or positions[id(second)] < positions[id(first)]:
                    return None
                return block[positions[id(first)] + 1:positions[id(second)]]
    return None


def _remove(function_node, stmt):
    for node in walk(function_node):
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if isinstance(block, list) and any(s is stmt for s in block):
                setattr(node, field, [s for s in block if s is not stmt])
                return

