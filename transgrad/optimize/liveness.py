"""Backward liveness over generated code, and removal of assignments nobody reads.

Generated code is structured (blocks of assignments, `if`, `for`, `while`), so liveness is
computed block by block, iterating loop bodies to a fixed point. `sweep` deletes the
assignments a predicate allows to delete once their target is dead; the optimizer uses it
for pass-through copies in the adjoint (copies.py) and for primal values that neither the
rest of the primal nor the adjoint reads (dead_primal).
"""
import gast


def sweep(stmts, live, removable):
    """(names live before the block, the block without the removable assignments whose target is
    dead). `live`: names read after the block."""
    _sweep(stmts, live, removable, delete=False)
    return _sweep(stmts, live, removable, delete=True)


def _sweep(stmts, live, removable, delete):
    out = []
    for stmt in reversed(stmts):
        if removable(stmt) and _target(stmt) not in live:
            if delete:
                continue
        if isinstance(stmt, gast.If):
            body_live, body = _sweep(stmt.body, live, removable, delete)
            else_live, orelse = _sweep(stmt.orelse, live, removable, delete)
            if delete:
                stmt.body, stmt.orelse = body or [gast.Pass()], orelse
            live = body_live | else_live | loads([stmt.test])
        elif isinstance(stmt, (gast.For, gast.While)):
            header = loads([stmt.iter] if isinstance(stmt, gast.For) else [stmt.test])
            head = live | header
            while True:
                body_live, _ = _sweep(stmt.body, head, removable, False)
                new = live | body_live | header
                if new == head:
                    break
                head = new
            if delete:
                stmt.body = _sweep(stmt.body, head, removable, True)[1] or [gast.Pass()]
            live = head
        elif isinstance(stmt, gast.With):
            live, body = _sweep(stmt.body, live, removable, delete)
            if delete:
                stmt.body = body or [gast.Pass()]
        else:
            live = (live - stores(stmt)) | loads([stmt])
        out.append(stmt)
    return live, out[::-1]


def _target(stmt):
    return stmt.targets[0].id if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) else None


def stores(stmt):
    """Names a simple statement binds (an augmented assignment's target is also read: see loads)."""
    return {n.id for n in gast.walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


def loads(nodes):
    """Names read anywhere in the nodes (an augmented assignment's target is read too)."""
    found = set()
    for tree in nodes:
        for node in gast.walk(tree):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                found.add(node.id)
            elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
                found.add(node.target.id)
    return found
