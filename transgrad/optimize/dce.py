"""Drop gradient resets that nothing reads.

The reverse transform resets a gradient (`dx = None`) where its variable is
assigned, because an earlier assignment of the same variable may still
receive contributions. At the top level of the adjoint sweep, a reset that no
later statement reads is dead:

    dresult = None        # removed: nothing after it mentions dresult
    return rt.buffer(dx, x)
"""
import gast
from transgrad.syntax.walk import walk


def remove_dead_resets(stmts, tail=()):
    """A copy of a top-level statement list without resets of gradients never read afterwards."""
    kept = []
    later = set(_names(tail))
    for stmt in reversed(stmts):
        if _is_reset(stmt) and stmt.targets[0].id not in later:
            continue
        if is_marker(stmt) and (not kept or is_marker(kept[-1])):
            continue  # a line comment whose code is gone
        kept.append(stmt)
        later |= set(_names([stmt]))
    return list(reversed(kept))


def is_marker(stmt):
    """A `# line N` / `# grad of line N` marker the code generator turns into a comment."""
    return (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant)
            and isinstance(stmt.value.value, str) and stmt.value.value.startswith("__transgrad_"))


def _is_reset(stmt):
    return (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Constant) and stmt.value.value is None)


def _names(stmts):
    for stmt in stmts:
        for node in walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                yield node.id
