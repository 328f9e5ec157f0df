"""Copy propagation in the adjoint: `a = b` followed by reads of `a` reads `b` instead.

The reverse transform names every contribution (`dz_part = dz`, `dDT_times_dz = dz_part`,
`dx = dy`) so that each rule's adjoint is written on its own; once the rules are inlined
most of those names only pass a value on. Within one block, a read of `a` after `a = b`
becomes a read of `b` until either is assigned again; a copy whose name is then never
read is deleted. Nested blocks start afresh (a loop body runs many times), so only
straight-line code is rewritten.
"""
import gast

from transgrad.optimize.liveness import loads, sweep, stores
from transgrad.syntax.walk import walk


def propagate_copies(stmts, keep=()):
    """The statements with copies propagated. `keep`: statements that run after them (the return),
    left as they are, so the gradients keep the names of the parameters (`dx = dy; return dx`)."""
    stmts = _block(list(stmts))
    return sweep(stmts, loads(list(keep)), _is_copy)[1]


def _block(stmts):
    out = []
    copies = {}    # a -> b for `a = b` still valid
    for stmt in stmts:
        _substitute(stmt, copies)
        for field in ("body", "orelse"):
            if getattr(stmt, field, None):
                setattr(stmt, field, _block(getattr(stmt, field)))
        assigned = set() if _is_copy(stmt) and stmt.targets[0].id == stmt.value.id else stores(stmt)
        for name in list(copies):
            if name in assigned or copies[name] in assigned:
                del copies[name]
        if _is_copy(stmt) and stmt.targets[0].id == stmt.value.id:
            continue   # a = a, left by propagation
        if _is_copy(stmt):
            copies[stmt.targets[0].id] = stmt.value.id
        out.append(stmt)
    return out


def _substitute(stmt, copies):
    """Replace reads of copied names in the parts of `stmt` evaluated before it assigns anything."""
    if not copies:
        return
    if isinstance(stmt, (gast.For,)):
        parts = [stmt.iter]
    elif isinstance(stmt, (gast.If, gast.While)):
        parts = [stmt.test] if isinstance(stmt, gast.If) else []   # a while test runs again later
    elif isinstance(stmt, gast.AugAssign):
        parts = [stmt.value]
    elif isinstance(stmt, gast.Assign):
        parts = [stmt.value] + [t for t in stmt.targets if not isinstance(t, gast.Name)]
    elif isinstance(stmt, (gast.Expr, gast.Return)):
        parts = [stmt.value] if stmt.value is not None else []
    else:
        parts = []
    for part in parts:
        for node in walk(part):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in copies:
                node.id = copies[node.id]


def _is_copy(stmt):
    return (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Name))


