"""How many dimensions each variable has, where the compiler can tell (None where it cannot).

The gradient is compiled for the kinds of inputs it is called with: a Python
number has rank 0, an ndarray its ndim (the cache keys on them, see api.py).
From there ranks follow the code: arithmetic broadcasts to the largest rank,
ufuncs keep their operands' rank, full reductions and the `math` module give
rank 0, indexing with integers drops one dimension per integer, a `for` loop
over `range` counts with ints. Module-level numbers and arrays the function
reads are ranks too (the resolver guards them, so rebinding one recompiles).

What it buys: `rt.unbroadcast(g, x)` is the identity when nothing but rank-0
values broadcast against x, so it can be dropped, and x no longer has to be
recorded just for its shape; a subscript with rank-0 indices is a basic index
whose gradient can be added in place (`dx[i + 1] += g`).
"""
import builtins
import math

import gast
import numpy as np

from transgrad import markers, runtime
from transgrad.syntax.walk import walk

_REDUCTIONS = (np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin, np.std, np.var,
               np.linalg.norm, np.average, np.median, np.ptp, np.nansum, np.nanmean)
_REDUCING_METHODS = {"sum", "mean", "prod", "max", "min", "std", "var", "ptp", "item"}
_SHAPE_KEEPING_METHODS = {"copy", "conj", "conjugate", "astype"}
_NUMBER_BUILTINS = (builtins.float, builtins.int, builtins.len, builtins.round, builtins.complex, builtins.bool)
_NUMBERS = (int, float, complex, bool, np.generic)


def constant_rank(value):
    """The rank of a value known when compiling (a literal, a global), or None."""
    if isinstance(value, _NUMBERS):
        return 0
    if isinstance(value, np.ndarray):
        return value.ndim
    return None


def ranks(function_node, sites, param_ranks, resolve):
    """{name: rank} for the locals whose rank is known (every assignment of such a name gives it),
    and for the globals and closure variables the function reads that hold numbers or arrays."""
    assignments = [site for site in sites if isinstance(site.stmt, gast.Assign)
                   and isinstance(site.stmt.targets[0], gast.Name)]
    other_writes = {site.target for site in sites if site not in assignments and site.operation.kind not in
                    ("setitem",)}
    loop_targets = {}
    for node in walk(function_node):
        if isinstance(node, gast.For) and isinstance(node.target, gast.Name):
            loop_targets[node.target.id] = 0 if _is_range(node.iter, resolve) else None
    locals_ = {site.target for site in sites} | set(param_ranks) | set(loop_targets)
    counts = {}
    for site in sites:
        counts[site.target] = counts.get(site.target, 0) + 1
    tuple_lengths = {site.target: len(site.stmt.value.elts) for site in assignments   # shapes: (n, m)
                     if isinstance(site.stmt.value, gast.Tuple) and counts[site.target] == 1}
    unknown = {name for name, rank in {**param_ranks, **loop_targets}.items() if rank is None} | other_writes
    while True:
        known = {name: rank for name, rank in {**param_ranks, **loop_targets}.items()
                 if rank is not None and name not in unknown}
        conflict, outer = _solve(assignments, known, unknown, locals_, resolve, tuple_lengths)
        if conflict is None:
            return {**outer, **known}
        unknown.add(conflict)


_MADE_FROM_A_SHAPE = (np.zeros, np.ones, np.empty, np.full)


def _shape_rank(shape, shape_rank, lookup):
    """The rank of an array made from `shape`: its length for a tuple, 1 for a number."""
    if isinstance(shape, gast.Tuple):
        return len(shape.elts)
    if isinstance(shape, gast.Name) and shape.id in lookup.tuple_lengths:
        return lookup.tuple_lengths[shape.id]
    return 1 if shape_rank == 0 else None


def _solve(assignments, known, unknown, locals_, resolve, tuple_lengths=None):
    """Fill `known` optimistically; return a name found with two ranks (or with an unknown one)."""
    lookup = _Lookup(known, unknown, locals_, resolve)
    lookup.tuple_lengths = tuple_lengths or {}
    for _ in range(len(assignments) + 1):
        changed = False
        for site in assignments:
            if site.target in unknown:
                continue
            rank = _expression_rank(site.stmt.value, lookup)
            if rank is _UNSET:
                continue
            old = known.get(site.target, _UNSET)
            if rank is None or (old is not _UNSET and old != rank):
                return site.target, lookup.outer
            if old is _UNSET:
                known[site.target] = rank
                changed = True
        if not changed:
            break
    for site in assignments:   # still open: a cycle with no known start
        if site.target not in unknown and _expression_rank(site.stmt.value, lookup) is _UNSET:
            return site.target, lookup.outer
    return None, lookup.outer


_UNSET = object()   # a local whose rank is not worked out yet


class _Lookup:
    def __init__(self, known, unknown, locals_, resolve):
        self.known, self.unknown, self.locals, self.resolve = known, unknown, locals_, resolve
        self.tuple_lengths = {}   # names assigned once from a tuple display: a shape's rank
        self.outer = {}   # globals and closure variables with a rank

    def name(self, node):
        if node.id in self.known:
            return self.known[node.id]
        if node.id in self.unknown:
            return None
        if node.id in self.locals:
            return _UNSET
        value = self.resolve(node)
        rank = constant_rank(value) if value is not None else None
        if rank is not None:
            self.outer[node.id] = rank
        return rank


def _is_range(node, resolve):
    return isinstance(node, gast.Call) and resolve(node.func) is builtins.range


def _expression_rank(node, lookup):
    if isinstance(node, gast.Constant):
        return 0 if isinstance(node.value, (int, float, complex, bool)) else None
    if isinstance(node, gast.Name):
        return lookup.name(node)
    if isinstance(node, gast.UnaryOp):
        return _expression_rank(node.operand, lookup)
    if isinstance(node, gast.BinOp):
        left, right = (_expression_rank(n, lookup) for n in (node.left, node.right))
        if left is _UNSET or right is _UNSET:
            return _UNSET
        if left is None or right is None:
            return None
        if isinstance(node.op, gast.MatMult):
            return _matmul_rank(left, right)
        return max(left, right)
    if isinstance(node, gast.Subscript):
        return _subscript_rank(node, lookup)
    if isinstance(node, gast.Attribute):
        if node.attr in ("T", "real", "imag") and isinstance(node.value, gast.Name):
            return _expression_rank(node.value, lookup)
        if node.attr in ("shape", "ndim", "size") and isinstance(node.value, gast.Name):
            receiver = _expression_rank(node.value, lookup)
            if receiver is None or receiver is _UNSET:
                return receiver
            return 1 if node.attr == "shape" else 0   # a tuple of ints indexes like a 1-d array
        return None
    if isinstance(node, gast.Call):
        return _call_rank(node, lookup)
    return None


def _reduced_rank(rank, args, keywords):
    """The rank after a reduction over `axis` (an int or a tuple of ints, or every axis), with
    `keepdims`; None for anything else (ddof, dtype... are fine, other arguments are not)."""
    options = {k.arg: k.value for k in keywords}
    if args:
        if len(args) > 1 or "axis" in options:
            return None
        options["axis"] = args[0]
    axis, keepdims = options.pop("axis", None), options.pop("keepdims", None)
    options.pop("ddof", None)
    if options:
        return None
    if keepdims is not None:
        if not isinstance(keepdims, gast.Constant) or not isinstance(keepdims.value, bool):
            return None
        if keepdims.value:
            return rank
    if axis is None or isinstance(axis, gast.Constant) and axis.value is None:
        return 0
    if isinstance(axis, gast.UnaryOp) and isinstance(axis.op, gast.USub):
        axis = axis.operand
    if isinstance(axis, gast.Constant) and type(axis.value) is int:
        return rank - 1 if rank >= 1 else None
    if isinstance(axis, gast.Tuple) and all(isinstance(e, gast.Constant) and type(e.value) is int for e in axis.elts):
        return rank - len(axis.elts) if rank >= len(axis.elts) else None
    return None


def _matmul_rank(left, right):
    if left == 0 or right == 0 or left > 2 or right > 2:
        return None
    return {(1, 1): 0, (1, 2): 1, (2, 1): 1, (2, 2): 2}[(left, right)]


def _subscript_rank(node, lookup):
    base = _expression_rank(node.value, lookup)
    if base is None or base is _UNSET:
        return base
    parts = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
    dropped, fancy = 0, False
    for part in parts:
        if isinstance(part, gast.Slice):
            continue
        index = _index_rank(part, lookup)
        if index is _UNSET:
            return _UNSET
        if index not in (0, 1):
            return None
        # an integer drops its axis; 1-d index arrays (integer or boolean) together make one axis
        fancy = fancy or index == 1
        dropped += 1
    return base - dropped + fancy if dropped <= base else None


def _index_rank(part, lookup):
    """0 for an integer index (an int literal, or a name holding a number: numpy raises on a float)."""
    if isinstance(part, gast.Constant):
        return 0 if type(part.value) is int else None
    if isinstance(part, gast.UnaryOp) and isinstance(part.operand, gast.Constant):
        return 0 if type(part.operand.value) is int else None
    if isinstance(part, gast.Name):
        return lookup.name(part)
    return None


def _call_rank(node, lookup):
    func = node.func
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in lookup.locals:
        receiver = lookup.name(func.value)
        if receiver is _UNSET:
            return receiver
        if func.attr in _REDUCING_METHODS and not node.args and not node.keywords and receiver is not None:
            return 0
        if receiver is None:
            return None
        if func.attr in _REDUCING_METHODS and func.attr != "item":
            return _reduced_rank(receiver, node.args, node.keywords)
        if func.attr == "item" and not node.args:
            return 0
        if func.attr in _SHAPE_KEEPING_METHODS:
            return receiver
        return None
    callee = lookup.resolve(func)
    if callee is None:
        return None
    arg_ranks = [_expression_rank(a, lookup) for a in node.args]
    if _UNSET in arg_ranks:
        return _UNSET
    if getattr(callee, "__module__", None) == "math" or getattr(callee, "__self__", None) is math:
        return 0
    if (callee is markers.detach or callee is markers.stop_gradient) and len(arg_ranks) == 1:
        return arg_ranks[0]
    if any(callee is f for f in _NUMBER_BUILTINS):
        return 0
    if callee in (builtins.abs,) and len(arg_ranks) == 1:
        return arg_ranks[0]
    if callee in (builtins.min, builtins.max) and len(arg_ranks) > 1 and all(r == 0 for r in arg_ranks):
        return 0
    if isinstance(callee, np.ufunc) and not node.keywords and len(arg_ranks) == callee.nin \
            and None not in arg_ranks:
        return max(arg_ranks)
    if any(callee is f for f in _REDUCTIONS) and len(node.args) == 1 and not node.keywords:
        return 0   # every axis, whatever the rank
    if any(callee is f for f in _REDUCTIONS) and node.args and arg_ranks[0] is not None:
        return _reduced_rank(arg_ranks[0], node.args[1:], node.keywords)
    if (callee is np.trace and arg_ranks == [2] and not node.keywords) or callee in (runtime.trace_matmul,
                                                                                      runtime.trace_quadratic):
        return 0
    if callee is np.arange and all(r == 0 for r in arg_ranks):
        return 1
    if any(callee is f for f in _MADE_FROM_A_SHAPE) and node.args:
        return _shape_rank(node.args[0], arg_ranks[0], lookup)
    if callee is np.dot and len(arg_ranks) == 2 and None not in arg_ranks:
        return max(arg_ranks) if 0 in arg_ranks else _matmul_rank(*arg_ranks)
    return None
