"""Backward liveness over generated code, and removal of assignments nobody reads.

Generated code is structured (blocks of assignments, `if`, `for`, `while`), so liveness is
computed block by block, iterating loop bodies to a fixed point. `sweep` deletes the
assignments a predicate allows to delete once their target is dead; the optimizer uses it
for pass-through copies in the adjoint (copies.py) and for primal values that neither the
rest of the primal nor the adjoint reads (dead_primal).
"""
import gast

from transgrad.optimize.dce import is_marker
from transgrad.syntax.walk import walk


def sweep(stmts, live, removable):
    """(names live before the block, the block without the removable assignments whose target is
    dead). `live`: names read after the block."""
    memo = {}
    _sweep(stmts, live, removable, delete=False, memo=memo)
    return _sweep(stmts, live, removable, delete=True, memo=memo)


def _sweep(stmts, live, removable, delete, memo=None):
    """One backward pass; delete=False only computes liveness. `memo`: {id(statement): (stores,
    loads)} of simple statements, shared by the passes of one sweep."""
    memo = {} if memo is None else memo
    out = []
    for stmt in reversed(stmts):
        if removable(stmt) and _target(stmt) not in live:
            if delete:
                continue
        if isinstance(stmt, gast.If):
            body_live, body = _sweep(stmt.body, live, removable, delete, memo)
            else_live, orelse = _sweep(stmt.orelse, live, removable, delete, memo)
            if delete:
                stmt.body, stmt.orelse = body or [gast.Pass()], orelse
            live = body_live | else_live | loads([stmt.test])
        elif isinstance(stmt, (gast.For, gast.While)):
            header = loads([stmt.iter] if isinstance(stmt, gast.For) else [stmt.test])
            head = live | header
            while True:
                body_live, _ = _sweep(stmt.body, head, removable, False, memo)
                new = live | body_live | header
                if new == head:
                    break
                head = new
            if delete:
                stmt.body = _sweep(stmt.body, head, removable, True, memo)[1] or [gast.Pass()]
            live = head
        elif isinstance(stmt, gast.With):
            live, body = _sweep(stmt.body, live, removable, delete, memo)
            if delete:
                stmt.body = body or [gast.Pass()]
        else:
            effect = memo.get(id(stmt))
            if effect is None:
                effect = memo[id(stmt)] = effect_of(stmt)
            live = (live - effect[0]) | effect[1]
        out.append(stmt)
    return live, out[::-1]


def _target(stmt):
    return stmt.targets[0].id if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) else None


def stores(stmt):
    """Names a simple statement binds (an augmented assignment's target is also read: see loads)."""
    return effect_of(stmt)[0]


def loads(nodes):
    """Names read anywhere in the nodes (an augmented assignment's target is read too)."""
    found = set()
    for tree in nodes:
        found |= effect_of(tree)[1]
    return found


def effect_of(stmt):
    """(stores(stmt), loads([stmt])) in one walk: liveness asks for both of every statement it
    crosses."""
    stored, loaded = set(), set()
    for node in walk(stmt):
        kind = type(node)
        if kind is gast.Name:
            ctx = type(node.ctx)
            if ctx is gast.Store:
                stored.add(node.id)
            elif ctx is gast.Load:
                loaded.add(node.id)
        elif kind is gast.AugAssign and type(node.target) is gast.Name:
            loaded.add(node.target.id)
    return stored, loaded


def remove_faint(stmts, needed, removable):
    """The block without removable assignments whose value never reaches `needed` (names read
    after the block) or a statement that stays, even through loops: `total = total + term` in a
    loop feeds only itself, which liveness alone cannot see. A `for` over range whose body becomes
    empty goes too."""
    useful = set(needed)
    kept_loads = []
    for node in _all_statements(stmts):
        if not removable(node) and not isinstance(node, (gast.For, gast.While, gast.If, gast.With)):
            kept_loads.append(node)
        elif isinstance(node, gast.For):
            kept_loads.append(node.iter)
        elif isinstance(node, (gast.While, gast.If)):
            kept_loads.append(node.test)
    useful |= loads(kept_loads)
    assignments = [node for node in _all_statements(stmts) if removable(node)]
    changed = True
    while changed:
        changed = False
        for node in assignments:
            if _target(node) in useful:
                new = loads([node.value]) - useful
                if new:
                    useful |= new
                    changed = True
    return _drop(stmts, lambda node: removable(node) and _target(node) not in useful)


def _all_statements(stmts):
    for stmt in stmts:
        yield stmt
        for field in ("body", "orelse"):
            yield from _all_statements(getattr(stmt, field, None) or [])


def _drop(stmts, dead):
    out = []
    for stmt in stmts:
        if dead(stmt):
            continue
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if block:
                setattr(stmt, field, _drop(block, dead))
        if isinstance(stmt, gast.For) and not [s for s in stmt.body if not is_marker(s)] and not stmt.orelse \
                and isinstance(stmt.iter, gast.Call) and isinstance(stmt.iter.func, gast.Name) \
                and stmt.iter.func.id == "range":
            continue
        if isinstance(stmt, (gast.If, gast.For, gast.While, gast.With)) and not stmt.body:
            stmt.body = [gast.Pass()]
        out.append(stmt)
    return out
