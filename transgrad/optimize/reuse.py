"""Write a result into the memory of an array that is dead after the statement.

numpy elides temporaries in `6.0 / n * (x + 2)`: the multiplication reuses the buffer of
`x + 2`. Generated code names every value (`y = x + 2`, later `dy = 2 * dy_times_y * y`), so
numpy cannot tell that `y` is no longer needed and allocates a fresh array, which for large
arrays costs more than the arithmetic (fresh memory is mapped page by page). When the
compiler can see that

- the array was made by this function's own arithmetic (a fresh array nobody else holds),
- it is only ever read as an operand of arithmetic or for its shape (no view of it exists),
- it is dead after the statement, and
- it is surely an array (rank 1 or more, analysis/ranks.py) and the other operand a number (so
  the result has the array's shape),

the statement becomes `dy = rt.reuse(np.multiply, 2 * dy_times_y, y)`, which computes into
`y`'s memory when the array is large and the result keeps its dtype, and allocates otherwise.
"""
import gast
import numpy as np

from transgrad.optimize.liveness import _sweep, loads
from transgrad.syntax import build
from transgrad.syntax.walk import walk

_UFUNCS = {gast.Add: "add", gast.Sub: "subtract", gast.Mult: "multiply", gast.Div: "true_divide"}
_SHAPE_READS = {"shape", "size", "ndim", "zeros_like"}


def reuse_dead_operands(body, tail, params, is_number, is_array, np_name, rt_name):
    """The top-level statements with eligible results written into dead operands (in place)."""
    # only a name that is surely an array can be rewritten: finding none skips the walks below
    fresh = {name for name in _fresh_arrays(body, params, np_name) if is_array(build.name(name))}
    if not fresh:
        return body
    fresh -= _aliased(body + tail, np_name, rt_name)
    if not fresh:
        return body
    live_after = _live_after(body, tail)
    out = []
    for position, stmt in enumerate(body):
        rewritten = _rewrite(stmt, fresh, live_after[position], is_number, is_array, np_name, rt_name)
        out.append(rewritten or stmt)
    return out


def _rewrite(stmt, fresh, live, is_number, is_array, np_name, rt_name):
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.BinOp) and type(stmt.value.op) in _UFUNCS):
        return None
    value = stmt.value
    for array, number in ((value.right, value.left), (value.left, value.right)):
        if isinstance(array, gast.Name) and array.id in fresh and array.id not in live \
                and array.id != stmt.targets[0].id and is_number(number) and is_array(array):
            ufunc = build.dotted(f"{np_name}.{_UFUNCS[type(value.op)]}")
            call = gast.Call(func=build.dotted(f"{rt_name}.reuse"), args=[ufunc, value.left, value.right], keywords=[])
            stmt.value = gast.copy_location(call, value)
            return stmt
    return None


def _fresh_arrays(body, params, np_name):
    """Names bound once, at the top level, to the result of arithmetic or of a numpy ufunc."""
    counts = {}
    for stmt in body:
        for node in walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                counts[node.id] = counts.get(node.id, 0) + 1
    fresh = set()
    for stmt in body:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and \
                counts.get(stmt.targets[0].id) == 1 and stmt.targets[0].id not in params and \
                _makes_new_array(stmt.value, np_name):
            fresh.add(stmt.targets[0].id)
    return fresh


def _makes_new_array(value, np_name):
    if isinstance(value, gast.BinOp) or (isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub)):
        return True
    return (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
            and isinstance(value.func.value, gast.Name) and value.func.value.id == np_name
            and isinstance(getattr(np, value.func.attr, None), np.ufunc) and not value.keywords)


def _aliased(stmts, np_name, rt_name):
    """Names read anywhere other than as an arithmetic operand, a ufunc argument or for a shape:
    such a read may keep or return the object itself (a view, a list item, the result). The
    nodes are walked once and looked at twice: first what allows a read, then the reads."""
    nodes = [node for stmt in stmts for node in walk(stmt)]
    allowed = set()
    for node in nodes:
        kind = type(node)
        if kind is gast.BinOp:
            allowed.update(id(n) for n in (node.left, node.right))
        elif kind is gast.UnaryOp:
            allowed.add(id(node.operand))
        elif kind is gast.AugAssign:
            allowed.add(id(node.value))
        elif kind is gast.Call and type(node.func) is gast.Attribute and type(node.func.value) is gast.Name:
            _allow_call_arguments(node, allowed, np_name, rt_name)
    aliased = set()
    for node in nodes:
        kind = type(node)
        if kind is gast.Name and type(node.ctx) is gast.Load and id(node) not in allowed:
            aliased.add(node.id)
        elif kind is gast.AugAssign and type(node.target) is gast.Name:
            aliased.add(node.target.id)   # updated in place: its memory is someone's buffer
    return aliased


def _allow_call_arguments(call, allowed, np_name, rt_name):
    """The arguments of `call` that it only reads as numbers or for their shape."""
    module, attribute = call.func.value.id, call.func.attr
    if module == np_name and (isinstance(getattr(np, attribute, None), np.ufunc)
                              or attribute in _SHAPE_READS) and not call.keywords:
        allowed.update(id(a) for a in call.args)
    elif module == rt_name and attribute in ("unbroadcast", "buffer") and len(call.args) == 2:
        allowed.add(id(call.args[1]))
    elif module == rt_name and attribute == "zeros_like":
        allowed.update(id(a) for a in call.args)


def _nothing(stmt):
    return False


def _live_after(body, tail):
    """For each top-level statement, the names read after it (its successors, then `tail`)."""
    live = loads(tail)
    result = [None] * len(body)
    memo = {}   # what each simple statement stores and loads, found once (loops are swept often)
    for position in range(len(body) - 1, -1, -1):
        result[position] = live
        live, _ = _sweep([body[position]], live, _nothing, delete=False, memo=memo)
    return result


def free_dead_arrays(body, tail, params, is_array, np_name, rt_name):
    """`del` each array the code made as soon as nothing reads it again, so peak memory is what
    the computation needs at each point, not everything it ever made (a person writing a long
    gradient by hand would reuse the names, which frees the arrays the same way). Only names bound
    once, by a top-level assignment, surely arrays (analysis/ranks.py), and read only as operands
    (no other name can hold the same array, so `del` frees it) are deleted."""
    counts = {}
    for stmt in body:
        for node in walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                counts[node.id] = counts.get(node.id, 0) + 1
    candidates = {stmt.targets[0].id for stmt in body
                  if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                  and counts.get(stmt.targets[0].id) == 1 and stmt.targets[0].id not in params
                  and is_array(stmt.targets[0])}
    if not candidates:
        return body
    candidates -= _aliased(body + tail, np_name, rt_name)   # another name may hold the same array
    if not candidates:
        return body
    live_after = _live_after(body, tail)
    out, bound = [], set()
    for position, stmt in enumerate(body):
        out.append(stmt)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            bound.add(stmt.targets[0].id)
        dead = sorted(name for name in candidates & bound if name not in live_after[position])
        if dead and position < len(body) - 1:   # before the return, the function's end frees them
            out.append(gast.Delete(targets=[gast.Name(id=name, ctx=gast.Del(), annotation=None, type_comment=None)
                                            for name in dead]))
            candidates -= set(dead)
    return out
