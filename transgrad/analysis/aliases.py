"""Reject in-place updates that another variable would see.

transgrad differentiates values, not memory. `x[i] = v` and `items.append(v)`
change an object in place; if another variable refers to the same object
(`row = x[0]`, `y = x`, `y = x.T`, `y = x.reshape(...)`, a list holding it) and
is read after the update, the update silently changes that variable too, and
its gradient would be wrong. Such code is rejected with a hint to copy.
Parameters the function updates in place are copied on entry (see
`protect_inputs`), so a caller's arrays are never changed.
"""
import gast
import numpy as np

from transgrad.analysis.cfg import CFG
from transgrad.analysis.dataflow import solve
from transgrad.errors import UnsupportedSyntaxError
from transgrad.syntax import build
from transgrad.syntax.walk import walk

_VIEW_METHODS = {"reshape", "transpose", "ravel", "squeeze", "swapaxes", "view", "diagonal", "T", "real", "imag"}
_VIEW_FUNCTIONS = (np.reshape, np.transpose, np.ravel, np.squeeze, np.swapaxes, np.expand_dims, np.asarray,
                   np.atleast_1d, np.atleast_2d, np.atleast_3d, np.broadcast_to, np.moveaxis, np.flip,
                   np.fliplr, np.flipud, np.diagonal, np.real, np.imag, np.asanyarray)
IN_PLACE = ("setitem", "append", "extend")


def _relations(site, resolver, depths):
    """(same, contains): pairs of local names that refer to the same object (or overlapping array
    memory), and (container, element) pairs, created by this assignment."""
    op, value, target = site.operation, site.stmt.value, site.target
    local = resolver.locals
    container = depths.get(target) != 0
    if op.kind in ("append", "extend") or (op.kind == "setitem" and container):
        return [], [(target, n) for n in op.operands[1:]]
    if op.kind == "setitem":
        return [], []   # numpy copies the values into the array
    if isinstance(value, gast.Name) and value.id in local:
        return [(target, value.id)], []
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
        source = value.value.id
        if depths.get(source) == 0:
            return [(target, source)], []    # a view into the array
        return [], [(source, target)]         # an item of a container
    if isinstance(value, gast.Attribute) and isinstance(value.value, gast.Name) and value.attr in _VIEW_METHODS:
        return [(target, value.value.id)], []
    if isinstance(value, gast.Attribute) and isinstance(value.value, gast.Name) and value.value.id in local:
        return [], [(value.value.id, target)]   # an object holds its attribute
    if isinstance(value, (gast.Tuple, gast.List)):
        return [], [(target, e.id) for e in value.elts if isinstance(e, gast.Name) and e.id in local]
    if isinstance(value, gast.Dict):
        return [], [(target, e.id) for e in value.values if isinstance(e, gast.Name) and e.id in local]
    if isinstance(value, gast.Call):
        return _call_edges(value, target, resolver), []
    return [], []


def _call_edges(call, target, resolver):
    func, local = call.func, resolver.locals
    args = [a.id for a in call.args if isinstance(a, gast.Name) and a.id in local]
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in local:
        return [(target, func.value.id)] if func.attr in _VIEW_METHODS else []
    callee = resolver.resolve(func)
    if callee is not None and any(callee is f for f in _VIEW_FUNCTIONS):
        return [(target, args[0])] if args else []
    if site_is_library(callee):
        return []
    return [(target, a) for a in args]   # a user function may return (part of) its argument


def view_base(value, resolver):
    """The name of the array whose memory the expression `value` may be a view of (`a[i]`, `a.T`,
    `a.reshape(...)`, `np.transpose(a)`, ...), or None."""
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
        return value.value.id
    if isinstance(value, gast.Attribute) and isinstance(value.value, gast.Name) and value.attr in _VIEW_METHODS:
        return value.value.id
    if isinstance(value, gast.Call):
        func = value.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.attr in _VIEW_METHODS \
                and func.value.id in resolver.locals:
            return func.value.id
        callee = resolver.resolve(func)
        if callee is not None and value.args and isinstance(value.args[0], gast.Name) \
                and any(callee is f for f in _VIEW_FUNCTIONS):
            return value.args[0].id
    return None


def site_is_library(callee):
    module = getattr(callee, "__module__", None) or getattr(type(callee), "__module__", "")
    return callee is not None and (module or "").split(".")[0] in ("numpy", "math", "builtins", "transgrad")


def program_order(function_node):
    """{statement id: (position in program order, ids of enclosing loops)}."""
    order = {}

    def visit(stmts, loops):
        for stmt in stmts:
            order[id(stmt)] = (len(order), loops)
            inner = loops + (id(stmt),) if isinstance(stmt, (gast.For, gast.While)) else loops
            for field in ("body", "orelse"):
                visit(getattr(stmt, field, []) or [], inner)
    visit(function_node.body, ())
    return order


def _reads(stmt):
    if isinstance(stmt, (gast.If, gast.While)):
        nodes = [stmt.test]
    elif isinstance(stmt, gast.For):
        nodes = [stmt.iter]
    else:
        nodes = [stmt]
    return {n.id for node in nodes for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def check_aliases(function_node, sites, resolver, parsed, depths):
    """Raise UnsupportedSyntaxError for an in-place update another live variable would see.

    An alias counts when it was made before the update (or in the same loop)
    and is read after it.
    """
    order = program_order(function_node)
    statements = [node for node in walk(function_node) if id(node) in order]
    live = live_after(function_node)
    relations = [(site.stmt, _relations(site, resolver, depths)) for site in sites]
    for site in sites:
        augmented = getattr(site.stmt, "augmented", False) and depths.get(site.target) == 0
        if site.operation.kind not in IN_PLACE and not augmented:
            continue
        same, containers = {}, {}
        for stmt, (pairs, holds) in relations:
            if not runs_before(order, stmt, site.stmt):
                continue
            if stmt is site.stmt:
                continue   # `a += b` rebinds a in the generated code; only earlier aliases matter
            for a, b in pairs:
                same.setdefault(a, set()).add(b)
                same.setdefault(b, set()).add(a)
            for holder, item in holds:
                containers.setdefault(item, set()).add(holder)
        for other in _affected(same, containers, site.target) - {site.target}:
            if other not in live.get(id(site.stmt), ()):
                continue   # rebound before it is read again: the alias is gone
            reader = _read_after(statements, order, site.stmt, other) or site.stmt
            if reader is not None:
                raise UnsupportedSyntaxError(
                    f"an in-place update of `{site.target}` that `{other}` would also see", parsed.span(site.stmt),
                    f"`{other}` refers to the same object and is read afterwards (line {reader.lineno}); "
                    f"make one of them a copy, e.g. `{other} = ....copy()`, or build a new array instead")


def runs_before(order, first, second):
    """Can `first` run before `second` (earlier in the code, or in a loop around both)?"""
    position, loops = order[id(first)]
    other_position, other_loops = order[id(second)]
    return position < other_position or bool(set(loops) & set(other_loops))


def _affected(same, containers, start):
    """Every name that sees a change to `start`'s object: the same object, and what holds it."""
    seen, todo = {start}, [start]
    while todo:
        name = todo.pop()
        for neighbour in same.get(name, set()) | containers.get(name, set()):
            if neighbour not in seen:
                seen.add(neighbour)
                todo.append(neighbour)
    return seen


def live_after(function_node):
    """{statement id: names read later before being rebound} (a backward dataflow problem).
    `x[i] = v` reads x and does not rebind it; a `for` header rebinds its target."""
    cfg = CFG(function_node)

    def transfer(node, live):
        stmt = node.stmt
        if node.kind in ("entry", "exit"):
            return live
        rebound = set()
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            rebound = {stmt.targets[0].id}
        elif isinstance(stmt, gast.For) and isinstance(stmt.target, gast.Name):
            rebound = {stmt.target.id}
        reads = _reads(stmt) | ({stmt.targets[0].value.id} if isinstance(stmt, gast.Assign)
                                and isinstance(stmt.targets[0], gast.Subscript) else set())
        return (live - rebound) | reads

    solution = solve(cfg, transfer, forward=False)
    return {id(node.stmt): solution[node][0] for node in cfg.nodes if node.kind not in ("entry", "exit")}


def _read_after(statements, order, update, name):
    for stmt in statements:
        if stmt is not update and runs_before(order, update, stmt) and name in _reads(stmt):
            return stmt
    return None


def protect_inputs(function_node, sites):
    """Copy, on entry, every parameter the function updates in place (`x = x.copy()`)."""
    params = [a.id for a in function_node.args.args + function_node.args.kwonlyargs]
    mutated = [p for p in params if any(s.operation.kind in IN_PLACE and s.target == p for s in sites)]
    copies = [build.assign(p, build.call(build.attribute(build.name(p), "copy")), like=function_node)
              for p in mutated]
    function_node.body[:0] = copies
    return bool(copies)
