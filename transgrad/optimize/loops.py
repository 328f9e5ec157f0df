"""Close adjoint loops that only scale a gradient by a constant.

The adjoint of `y = y * 2` in a loop that ran `iterations` times is the same multiplication,
once per trip:

    for _ in range(iterations):          ->    # grad of line 10: y = y * 2
        # grad of line 10: y = y * 2             dy = dy * rt.repeated_factor(2, iterations)
        dy = dy * 2

The product of the factors is a number, so the loop becomes one multiplication of the gradient
(as a person would write `v * factor` with `factor *= 2.0` counted in the forward loop).
Only a loop whose body is exactly that assignment (and line markers) is closed: its counter
unused, the factor a number literal.
"""
import gast

from transgrad.optimize.dce import is_marker
from transgrad.syntax import build
from transgrad.syntax.walk import walk


def close_scaling_loops(stmts, rt_name):
    """A copy of the statement list with scaling loops (at any depth) replaced by one multiplication."""
    out = []
    for stmt in stmts:
        closed = _closed(stmt, rt_name)
        if closed is not None:
            out += [s for s in stmt.body if is_marker(s)] + [closed]   # the line markers stay
            continue
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and not isinstance(stmt, gast.FunctionDef):
                setattr(stmt, field, close_scaling_loops(block, rt_name))
        out.append(stmt)
    return out


def _closed(stmt, rt_name):
    if not (isinstance(stmt, gast.For) and not stmt.orelse and isinstance(stmt.target, gast.Name)):
        return None
    count = _range_count(stmt.iter)
    body = [s for s in stmt.body if not is_marker(s)]
    if count is None or len(body) != 1:
        return None
    scaled = _scaling(body[0])
    if scaled is None:
        return None
    name, factor = scaled
    if any(isinstance(n, gast.Name) and n.id == stmt.target.id for n in walk(body[0])):
        return None
    total = build.call(build.dotted(f"{rt_name}.repeated_factor"), build.const(factor), count)
    product = gast.BinOp(left=build.name(name), op=gast.Mult(), right=total)
    return build.assign(name, build.located(product, stmt), like=stmt)


def _range_count(iterable):
    """N of `range(N)` or `reversed(range(N))` when N is a name or an integer literal."""
    if (isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Name) and iterable.func.id == "reversed"
            and len(iterable.args) == 1 and not iterable.keywords):
        iterable = iterable.args[0]
    if (isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Name) and iterable.func.id == "range"
            and len(iterable.args) == 1 and not iterable.keywords
            and isinstance(iterable.args[0], (gast.Name, gast.Constant))):
        return iterable.args[0]
    return None


def _scaling(stmt):
    """(name, factor) for `name = name * factor` or `name = factor * name` with a number factor."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)):
        return None
    name, value = stmt.targets[0].id, stmt.value
    if not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult)):
        return None
    for this, other in ((value.left, value.right), (value.right, value.left)):
        if isinstance(this, gast.Name) and this.id == name and isinstance(other, gast.Constant) \
                and type(other.value) in (int, float):
            return name, other.value
    return None
