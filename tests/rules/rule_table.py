"""The table of rule checks shared by test_templates.py (templates evaluated directly)
and test_rule_table.py (the same rows end to end through the compiler).

A row is (target, positional specs, keyword specs). target is a callee, or
("method", name) for ndarray methods, or ("attr", name) for attributes.
"""
import builtins
import math

import numpy as np

from rulecheck import A, C, F, Seq, V

POS = dict(lo=0.5, hi=2.0)       # log, sqrt, divisors
UNIT = dict(lo=-0.9, hi=0.9)     # arcsin, arccos, arctanh


def unary(fn, **domain):
    return [
        (fn, [A((3, 4), **domain)], {}),
        (fn, [A((), **domain)], {}),
        (fn, [F(**domain)], {}),
    ]


def binary(fn, left=None, right=None):
    left, right = left or {}, right or {}
    return [
        (fn, [A((3, 4), **left), A((3, 4), **right)], {}),
        (fn, [A((3, 1), **left), A((1, 4), **right)], {}),
        (fn, [A((2, 3, 4), **left), A((4,), **right)], {}),
        (fn, [A((), **left), A((3,), **right)], {}),
        (fn, [F(**left), A((2, 3), **right)], {}),
        (fn, [A((2, 3), **left), F(**right)], {}),
        (fn, [F(**left), F(**right)], {}),
    ]


def reduction(fn):
    rows = [(fn, [A((3, 4, 5))], {})]
    for axis in (0, -1, (0, 2), 1):
        rows.append((fn, [A((3, 4, 5))], {"axis": axis}))
        rows.append((fn, [A((3, 4, 5))], {"axis": axis, "keepdims": True}))
    rows += [(fn, [A((3, 4, 5))], {"keepdims": True}), (fn, [A((4,)), C(0)], {}), (fn, [A(())], {})]
    return rows


def method(name):
    return ("method", name)


ROWS = []
for f in (np.add, np.subtract, np.multiply, np.maximum, np.minimum, np.fmax, np.fmin, np.arctan2,
          np.hypot, np.logaddexp, np.logaddexp2):
    ROWS += binary(f)
ROWS += binary(np.divide, right=POS) + binary(np.true_divide, right=POS)
ROWS += binary(np.power, left=POS) + binary(np.float_power, left=POS)
ROWS += binary(np.remainder, left=dict(lo=2.2, hi=2.8), right=dict(lo=1.0, hi=1.05))
ROWS += binary(np.fmod, left=dict(lo=2.2, hi=2.8), right=dict(lo=1.0, hi=1.05))
ROWS += [(np.power, [A((3, 4), **POS), C(3)], {}), (np.power, [A((3,)), C(2)], {})]

for f in (np.negative, np.positive, np.exp, np.exp2, np.expm1, np.sin, np.cos, np.tan, np.arctan,
          np.sinh, np.cosh, np.tanh, np.arcsinh, np.square, np.abs, np.absolute, np.fabs,
          np.deg2rad, np.rad2deg, np.radians, np.degrees):
    ROWS += unary(f)
for f in (np.log, np.log2, np.log10, np.sqrt, np.cbrt, np.reciprocal):
    ROWS += unary(f, **POS)
ROWS += unary(np.log1p, lo=-0.5, hi=2.0) + unary(np.arccosh, lo=1.5, hi=3.0)
for f in (np.arcsin, np.arccos, np.arctanh):
    ROWS += unary(f, **UNIT)

COND = np.array([[True, False, True, False], [False, False, True, True], [True, True, True, False]])
ROWS += [
    (np.where, [C(COND), A((3, 4)), A((3, 4))], {}),
    (np.where, [C(COND), A((3, 1)), A((4,))], {}),
    (np.where, [C(COND), F(), A((3, 4))], {}),
    (np.where, [C(COND[0]), A(()), F()], {}),
    (np.clip, [A((3, 4)), C(-0.5), C(0.7)], {}),
    (np.clip, [A((3, 4)), C(None), C(0.7)], {}),
    (np.clip, [A((3, 4)), A((4,), -1.0, 0.0), A((3, 1), 0.0, 1.0)], {}),
    (np.clip, [F(), F(-1.0, 0.0), F(0.0, 1.0)], {}),
    (method("clip"), [A((3, 4)), C(-0.5), C(0.7)], {}),
    (method("clip"), [A((3, 4)), A((3, 4), -1.0, 0.0)], {"max": A((4,), 0.0, 1.0)}),
]

for f in (np.sum, np.mean, np.max, np.min, np.amax, np.amin, np.prod, np.var, np.std,
          method("sum"), method("mean"), method("max"), method("min"), method("prod"),
          method("var"), method("std")):
    ROWS += reduction(f)
ROWS += [
    (np.var, [A((3, 4))], {"axis": 1, "ddof": 1}),
    (np.std, [A((3, 4))], {"ddof": 1}),
    (method("std"), [A((3, 4)), C(0)], {"ddof": 1, "keepdims": True}),
    (np.prod, [V([[1.5, 0.0, 2.0], [0.0, -1.0, 0.0]])], {"axis": 1}),
    (np.prod, [V([1.5, 0.0, 2.0, -0.5])], {}),
    (np.cumsum, [A((3, 4))], {}),
    (np.cumsum, [A((3, 4))], {"axis": 0}),
    (np.cumsum, [A((3, 4)), C(-1)], {}),
    (method("cumsum"), [A((3, 4))], {"axis": 1}),
]

ROWS += [
    (np.reshape, [A((3, 4)), C((2, 6))], {}),
    (np.reshape, [A((3, 4)), C(-1)], {}),
    (np.reshape, [A((2, 3, 4)), C((4, 6))], {"order": "F"}),
    (method("reshape"), [A((3, 4)), C(2), C(6)], {}),
    (method("reshape"), [A((3, 4)), C((12,))], {}),
    (method("reshape"), [A((3, 4)), C((4, 3))], {"order": "F"}),
    (np.transpose, [A((3, 4))], {}),
    (np.transpose, [A((2, 3, 4))], {}),
    (np.transpose, [A((2, 3, 4)), C((1, 2, 0))], {}),
    (np.transpose, [A((2, 3, 4))], {"axes": (-1, 0, 1)}),
    (method("transpose"), [A((2, 3, 4))], {}),
    (method("transpose"), [A((2, 3, 4)), C(2), C(0), C(1)], {}),
    (method("transpose"), [A((2, 3, 4)), C((1, 2, 0))], {}),
    (("attr", "T"), [A((3, 4))], {}),
    (("attr", "T"), [A((2, 3, 4))], {}),
    (("attr", "T"), [A((5,))], {}),
    (np.swapaxes, [A((2, 3, 4)), C(0), C(2)], {}),
    (method("swapaxes"), [A((2, 3, 4)), C(-1), C(1)], {}),
    (np.moveaxis, [A((2, 3, 4)), C(0), C(-1)], {}),
    (np.moveaxis, [A((2, 3, 4)), C((0, 1)), C((2, 0))], {}),
    (np.squeeze, [A((3, 1, 4, 1))], {}),
    (np.squeeze, [A((3, 1, 4, 1))], {"axis": 1}),
    (method("squeeze"), [A((1, 4))], {}),
    (np.expand_dims, [A((3, 4)), C(1)], {}),
    (np.expand_dims, [A((3, 4)), C((0, -1))], {}),
    (np.atleast_1d, [F()], {}),
    (np.atleast_2d, [A((3,))], {}),
    (np.atleast_3d, [A((3, 2))], {}),
    (np.ravel, [A((3, 4))], {}),
    (np.ravel, [A((3, 4))], {"order": "F"}),
    (method("ravel"), [A((3, 4))], {}),
    (method("flatten"), [A((3, 4))], {}),
    (method("flatten"), [A((3, 4)), C("F")], {}),
    (np.copy, [A((3, 4))], {}),
    (method("copy"), [A((3, 4))], {}),
    (np.array, [A((3, 4))], {}),
    (np.array, [Seq(F(), F(), F())], {}),
    (np.array, [Seq(A((3,)), A((3,)))], {}),
    (np.array, [Seq(Seq(F(), F()), Seq(F(), F()))], {}),
    (np.array, [Seq(F(), F())], {"dtype": float}),
    (np.asarray, [A((3, 4))], {}),
    (np.asarray, [Seq(F(), F())], {}),
    (np.broadcast_to, [A((3, 1)), C((2, 3, 4))], {}),
    (np.broadcast_to, [F(), C((2, 3))], {}),
    (np.flip, [A((3, 4))], {}),
    (np.flip, [A((3, 4)), C(1)], {}),
    (np.fliplr, [A((3, 4))], {}),
    (np.flipud, [A((3, 4))], {}),
    (np.roll, [A((3, 4)), C(2)], {}),
    (np.roll, [A((3, 4)), C(-1)], {"axis": 1}),
    (np.roll, [A((3, 4)), C((1, 2))], {"axis": (0, 1)}),
    (np.tril, [A((4, 4))], {}),
    (np.triu, [A((3, 4)), C(1)], {}),
    (np.diag, [A((4,))], {}),
    (np.diag, [A((3,)), C(1)], {}),
    (np.diag, [A((3, 4))], {}),
    (np.diag, [A((4, 3)), C(-1)], {}),
    (np.diag, [A((3, 4)), C(2)], {}),
    (np.concatenate, [Seq(A((2, 3)), A((1, 3)), A((4, 3)))], {}),
    (np.concatenate, [Seq(A((2, 3)), A((2, 1)))], {"axis": 1}),
    (np.concatenate, [Seq(A((2, 3)), A((2, 2)))], {"axis": -1}),
    (np.concatenate, [Seq(A((2, 3)), A((5,)))], {"axis": None}),
    (np.stack, [Seq(A((2, 3)), A((2, 3)))], {}),
    (np.stack, [Seq(A((2, 3)), A((2, 3)), A((2, 3)))], {"axis": -1}),
    (np.stack, [Seq(F(), F())], {}),
    (np.hstack, [Seq(A((3,)), A((2,)))], {}),
    (np.hstack, [Seq(A((2, 3)), A((2, 1)))], {}),
    (np.hstack, [Seq(F(), A((2,)))], {}),
    (np.vstack, [Seq(A((3,)), A((3,)))], {}),
    (np.vstack, [Seq(A((2, 3)), A((1, 3)), A((3,)))], {}),
    (method("item"), [A((1, 1))], {}),
    (method("item"), [A(())], {}),
]

# linalg
ROWS += [
    (np.dot, [A((3,)), A((3,))], {}),
    (np.dot, [A((2, 3)), A((3,))], {}),
    (np.dot, [A((3,)), A((3, 4))], {}),
    (np.dot, [A((2, 3)), A((3, 4))], {}),
    (np.dot, [A((5, 2, 3)), A((3, 4))], {}),
    (np.dot, [A((2, 3)), A((5, 3, 4))], {}),
    (np.dot, [A((2, 5, 3)), A((4, 3, 2))], {}),
    (np.dot, [F(), A((3,))], {}),
    (np.dot, [A((2, 3)), F()], {}),
    (np.dot, [A(()), A(())], {}),
    (method("dot"), [A((2, 3)), A((3, 4))], {}),
    (method("dot"), [A((3,)), A((3,))], {}),
    (np.matmul, [A((3,)), A((3,))], {}),
    (np.matmul, [A((2, 3)), A((3,))], {}),
    (np.matmul, [A((3,)), A((3, 4))], {}),
    (np.matmul, [A((2, 3)), A((3, 4))], {}),
    (np.matmul, [A((5, 2, 3)), A((3, 4))], {}),
    (np.matmul, [A((2, 3)), A((5, 3, 4))], {}),
    (np.matmul, [A((3,)), A((5, 3, 4))], {}),
    (np.matmul, [A((5, 2, 3)), A((3,))], {}),
    (np.matmul, [A((5, 1, 2, 3)), A((4, 3, 2))], {}),
    (np.inner, [A((3,)), A((3,))], {}),
    (np.inner, [A((2, 3)), A((4, 3))], {}),
    (np.inner, [A((2, 5, 3)), A((3,))], {}),
    (np.inner, [A((3,)), A((2, 4, 3))], {}),
    (np.inner, [F(), A((3,))], {}),
    (np.outer, [A((3,)), A((4,))], {}),
    (np.outer, [A((2, 3)), A((4,))], {}),
    (np.outer, [F(), A((4,))], {}),
    (np.vdot, [A((3,)), A((3,))], {}),
    (np.vdot, [A((2, 3)), A((6,))], {}),
    (np.trace, [A((4, 4))], {}),
    (np.trace, [A((3, 4)), C(1)], {}),
    (np.trace, [A((3, 4)), C(-1)], {}),
    (np.trace, [A((2, 3, 4))], {"axis1": 2, "axis2": 0}),
    (np.trace, [A((2, 3, 4))], {"offset": 1, "axis1": -1, "axis2": 1}),
    (method("trace"), [A((3, 3))], {}),
    (np.linalg.norm, [A((5,))], {}),
    (np.linalg.norm, [A((3, 4))], {}),
    (np.linalg.norm, [A((2, 3, 4))], {}),
    (np.linalg.norm, [A((3, 4))], {"axis": 1}),
    (np.linalg.norm, [A((3, 4))], {"axis": 0, "keepdims": True}),
    (np.linalg.norm, [A((3, 4)), C("fro")], {}),
    (np.linalg.norm, [A((2, 3, 4))], {"axis": (1, 2)}),
    (np.linalg.norm, [A((5,)), C(1)], {}),
    (np.linalg.norm, [A((5,)), C(3)], {}),
    (np.linalg.norm, [A((5,)), C(0.5)], {}),
    (np.linalg.norm, [A((5,)), C(np.inf)], {}),
    (np.linalg.norm, [A((5,)), C(-np.inf)], {}),
    (np.linalg.norm, [A((3, 4)), C(np.inf)], {"axis": 1}),
    (np.linalg.norm, [A((3, 4)), C(1)], {"axis": 0}),
    (np.linalg.inv, [V(np.eye(3) * 2 + 0.3)], {}),
    (np.linalg.inv, [A((2, 3, 3), lo=0.0, hi=1.0)], {}),
    (np.linalg.det, [A((3, 3))], {}),
    (np.linalg.det, [A((2, 3, 3))], {}),
    (np.linalg.solve, [V(np.eye(3) * 2 + 0.3), A((3,))], {}),
    (np.linalg.solve, [V(np.eye(3) * 2 + 0.3), A((3, 2))], {}),
    (np.linalg.solve, [A((2, 3, 3)), A((2, 3, 4))], {}),
    (np.linalg.solve, [A((2, 3, 3)), A((3, 4))], {}),
]

# math
for f in (math.exp, math.expm1, math.sin, math.cos, math.tan, math.atan, math.sinh, math.cosh,
          math.tanh, math.asinh, math.fabs, math.erf, math.erfc, math.degrees, math.radians):
    ROWS.append((f, [F()], {}))
for f in (math.log, math.log2, math.log10, math.sqrt):
    ROWS.append((f, [F(**POS)], {}))
ROWS += [
    (math.log, [F(**POS), F(lo=1.5, hi=3.0)], {}),
    (math.log, [F(**POS), C(10)], {}),
    (math.log1p, [F(lo=-0.5, hi=2.0)], {}),
    (math.asin, [F(**UNIT)], {}),
    (math.acos, [F(**UNIT)], {}),
    (math.atanh, [F(**UNIT)], {}),
    (math.acosh, [F(lo=1.5, hi=3.0)], {}),
    (math.pow, [F(**POS), F()], {}),
    (math.pow, [F(), C(3.0)], {}),
    (math.atan2, [F(), F()], {}),
    (math.hypot, [F(), F()], {}),
]

# builtins
ROWS += [
    (builtins.abs, [F()], {}),
    (builtins.abs, [A((3, 4))], {}),
    (builtins.float, [F()], {}),
    (builtins.float, [A(())], {}),
    (builtins.sum, [Seq(F(), F(), F())], {}),
    (builtins.sum, [Seq(F(), F())], {"start": F()}),
    (builtins.sum, [Seq(A((3,)), A((3,)))], {}),
    (builtins.sum, [Seq(A((3,)), F())], {}),
    (builtins.sum, [Seq(A((2, 3)), A((3,))), A((2, 3))], {}),
    (builtins.sum, [A((4, 3))], {}),
    (builtins.max, [F(), F()], {}),
    (builtins.min, [F(), F()], {}),
    (builtins.max, [F(), C(0.5)], {}),
    (builtins.max, [Seq(F(), F(), F())], {}),
    (builtins.min, [Seq(F(), F(), F(), F())], {}),
    (builtins.max, [A((5,))], {}),
    (builtins.pow, [F(**POS), F()], {}),
    (builtins.pow, [A((3,), **POS), C(2)], {}),
]


def row_id(row):
    target, specs, kwspecs = row
    if isinstance(target, tuple):
        name = f"{target[0]}.{target[1]}"
    else:
        name = f"{getattr(target, '__module__', None) or 'np'}.{getattr(target, '__name__', target)}"
    args = ",".join(repr(s) for s in specs)
    kws = ",".join(f"{k}={v!r}" for k, v in kwspecs.items())
    return f"{name}({args}{';' + kws if kws else ''})"

# runtime helpers used by generated gradient code (for second derivatives)
from transgrad import runtime as rt  # noqa: E402

_ones = np.ones
_X = np.array([[3.0, 1.0, 3.0], [0.0, 2.0, 2.5]])
ROWS += [
    # np.add.at(a, i, v) is desugared to a[...] = rt.added_at(a, i, v)
    (rt.added_at, [A((3,)), C([0, 2, 2, 1]), A((4,))], {}),
    (rt.added_at, [A((3, 2)), C(([0, 2, 2], 1)), A((1,))], {}),
    (rt.unbroadcast, [A((3, 4)), C(_ones((1, 4)))], {}),
    (rt.unbroadcast, [A((2, 3, 4)), C(_ones((3, 1)))], {}),
    (rt.unbroadcast, [A((2, 3)), C(1.0)], {}),
    (rt.unbroadcast, [A((3,)), C(_ones(3))], {}),
    (rt.unreduce, [A((3, 5)), C(_ones((3, 4, 5))), C(1)], {}),
    (rt.unreduce, [A(()), C(_ones((3, 4)))], {}),
    (rt.unreduce, [A((1, 4)), C(_ones((3, 4))), C(0), C(True)], {}),
    (rt.unreduce, [A((4,)), C(_ones((3, 4, 5))), C((0, 2))], {}),
    (rt.unreduce, [A((1, 1)), C(_ones((3, 4))), C(None), C(True)], {}),
    (rt.keep_reduced, [A((3,)), C(_ones((3, 4))), C(1)], {}),
    (rt.select_max, [A((2,)), C(_X), C(_X.max(1)), C(1)], {}),
    (rt.select_max, [A(()), C(_X), C(_X.max())], {}),
    (rt.select_max, [A((2, 1)), C(_X), C(_X.min(1, keepdims=True)), C(-1), C(True)], {}),
    (rt.select_max, [A((4,)), C(np.arange(24.0).reshape(2, 4, 3)), C(np.arange(24.0).reshape(2, 4, 3).max((0, 2))), C((0, 2))], {}),
    (rt.safe_ratio, [A((3,)), A((3,), 0.5, 2.0)], {}),
    (rt.div, [F(), F(0.5, 2.0)], {}),
    (rt.matmul_grad_left, [A((2, 4)), C(_ones((2, 3))), A((3, 4))], {}),
    (rt.matmul_grad_left, [A(()), C(_ones(3)), A((3,))], {}),
    (rt.matmul_grad_left, [A((5, 2, 4)), C(_ones((2, 3))), A((5, 3, 4))], {}),
    (rt.matmul_grad_left, [A((5, 4)), C(_ones(3)), A((5, 3, 4))], {}),
    (rt.matmul_grad_left, [A((5, 2)), C(_ones((5, 2, 3))), A((3,))], {}),
    (rt.matmul_grad_right, [A((2, 4)), A((2, 3)), C(_ones((3, 4)))], {}),
    (rt.matmul_grad_right, [A((5, 4)), A((3,)), C(_ones((5, 3, 4)))], {}),
    (rt.matmul_grad_right, [A((5, 2)), A((5, 2, 3)), C(_ones(3))], {}),
    (rt.matmul_grad_right, [A((5, 2, 4)), A((5, 2, 3)), C(_ones((3, 4)))], {}),
    (rt.dot_grad_left, [A((2, 4)), C(_ones((2, 3))), A((3, 4))], {}),
    (rt.dot_grad_left, [A((5, 2, 4)), C(_ones((5, 2, 3))), A((3, 4))], {}),
    (rt.dot_grad_left, [A((2, 5, 4)), C(_ones((2, 3))), A((5, 3, 4))], {}),
    (rt.dot_grad_left, [A((3,)), C(2.0), A((3,))], {}),
    (rt.dot_grad_left, [A(()), C(_ones(3)), A((3,))], {}),
    (rt.dot_grad_right, [A((2, 4)), A((2, 3)), C(_ones((3, 4)))], {}),
    (rt.dot_grad_right, [A((2, 5, 4)), A((2, 3)), C(_ones((5, 3, 4)))], {}),
    (rt.dot_grad_right, [A((3,)), A(()), C(_ones(3))], {}),
    (rt.dot_grad_right, [A((2,)), A((2, 3)), C(_ones(3))], {}),
    (rt.inner_grad_left, [A((2, 4)), C(_ones((2, 3))), A((4, 3))], {}),
    (rt.inner_grad_right, [A((2, 4)), A((2, 3)), C(_ones((4, 3)))], {}),
    (rt.cumsum_grad, [A((3, 4)), C(_ones((3, 4))), C(1)], {}),
    (rt.cumsum_grad, [A((12,)), C(_ones((3, 4)))], {}),
    (rt.trace_grad, [A(()), C(_ones((3, 4))), C(1)], {}),
    (rt.trace_grad, [A((3,)), C(_ones((2, 3, 4))), C(0), C(2), C(0)], {}),
    (rt.diag_grad, [A((4, 4)), C(_ones(4))], {}),
    (rt.diag_grad, [A((3,)), C(_ones((3, 4)))], {}),
    (rt.diag_grad, [A((4, 4)), C(_ones(3)), C(1)], {}),
    (rt.diag_grad, [A((2,)), C(_ones((3, 4))), C(2)], {}),
]

# ----- rules added for full coverage of numpy_targets.txt -----
import scipy.linalg  # noqa: E402
import scipy.special  # noqa: E402
import scipy.stats  # noqa: E402

SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
SQ = np.array([[2.0, 0.3, -0.5], [0.1, 1.5, 0.4], [-0.3, 0.2, 1.8]])
TALL = np.array([[1.0, 0.2], [0.3, 2.0], [-0.5, 0.7], [0.4, -0.1]])
IDX = np.array([2, 0, 2, 1])
XP = np.array([0.0, 0.5, 1.5, 2.0])
MASK = np.array([True, False, True, True])

ROWS += [
    (np.real, [A((3, 4))], {}),
    (np.imag, [A((3,))], {}),
    (np.conj, [A((3, 4))], {}),
    (np.conjugate, [A((3,))], {}),
    (method("conj"), [A((3,))], {}),
    (method("conjugate"), [A((3,))], {}),
    (("attr", "real"), [A((3, 4))], {}),
    (("attr", "imag"), [A((3,))], {}),
    (("attr", "mT"), [A((2, 3, 4))], {}),
    (np.angle, [A((3,))], {}),
    (method("astype"), [A((3, 4)), C(float)], {}),
    (method("astype"), [A((3, 4)), C(int)], {}),
    (np.astype, [A((3,)), C(float)], {}),
    (np.nan_to_num, [A((3, 4))], {}),
    (np.sinc, [A((3, 4))], {}),
    (np.copysign, [A((3, 4)), C(-1.0)], {}),
    (np.ldexp, [A((3,)), C(np.array([1, 2, 3]))], {}),
    (np.polyval, [A((4,)), A((3, 2))], {}),
    (np.polyval, [A((1,)), A((3,))], {}),
    (np.interp, [A((6,), 0.1, 1.9), C(XP), A((4,))], {}),
    (np.interp, [A((6,), -0.5, 2.5), C(XP), A((4,))], {}),
    (np.interp, [A((6,), -0.5, 2.5), C(XP), A((4,))], {"left": F(), "right": F()}),
    (np.take, [A((5,)), C(IDX)], {}),
    (np.take, [A((3, 4)), C(IDX)], {"axis": 1}),
    (np.take, [A((3, 4)), C(np.array([[0, 5], [11, 5]]))], {}),
    (np.take, [A((3, 4)), C(np.array([4, -1]))], {"axis": 0, "mode": "wrap"}),
    (method("take"), [A((3, 4)), C(IDX), C(1)], {}),
    (np.take_along_axis, [A((3, 4)), C(np.array([[0, 0], [3, 1], [2, 2]])), C(1)], {}),
    (np.take_along_axis, [A((3, 4)), C(np.array([[0, 2, 2, 1]])), C(0)], {}),
    (np.compress, [C(MASK), A((3, 4))], {"axis": 1}),
    (method("compress"), [A((4,)), C(MASK)], {}),
    (np.extract, [C(np.array([[True, False], [True, True]])), A((2, 2))], {}),
    (np.sort, [A((3, 4))], {}),
    (np.sort, [A((3, 4))], {"axis": 0}),
    (np.sort, [A((3, 4)), C(None)], {}),
    (np.cumprod, [A((3, 4))], {}),
    (np.cumprod, [A((3, 4))], {"axis": 1}),
    (np.cumprod, [V([[1.0, 0.0, 2.0], [0.0, 0.5, 0.0]])], {"axis": 1}),
    (method("cumprod"), [A((3, 4)), C(0)], {}),
    (np.cumulative_prod, [A((5,))], {}),
    (np.cumulative_sum, [A((3, 4))], {"axis": 0}),
    (np.nansum, [A((3, 4))], {}),
    (np.nansum, [V([[1.0, np.nan], [2.0, 3.0]])], {"axis": 1}),
    (np.nanmean, [V([[1.0, np.nan], [2.0, 3.0]])], {"axis": 1, "keepdims": True}),
    (np.nanmean, [A((3, 4))], {}),
    (np.nancumsum, [V([1.0, np.nan, 2.0])], {}),
    (np.nanmax, [V([[1.0, np.nan], [2.0, 3.0]])], {"axis": 1}),
    (np.nanmin, [A((3, 4))], {}),
    (np.nanprod, [V([1.5, np.nan, 2.0])], {}),
    (np.ptp, [A((3, 4))], {"axis": 1}),
    (np.median, [A((5,))], {}),
    (np.median, [A((3, 4))], {}),
    (np.median, [A((3, 4))], {"axis": 1}),
    (np.median, [A((3, 5, 2))], {"axis": (0, 2), "keepdims": True}),
    (np.average, [A((3, 4))], {}),
    (np.average, [A((3, 4))], {"axis": 1, "weights": A((4,), 0.5, 2.0)}),
    (np.average, [A((3, 4))], {"weights": A((3, 4), 0.5, 2.0)}),
    (np.cov, [A((3, 6))], {}),
    (np.cov, [A((6, 2))], {"rowvar": False, "ddof": 0}),
    (np.cov, [A((6,)), A((6,))], {}),
    (np.trapezoid, [A((5,))], {}),
    (np.trapezoid, [A((3, 5)), C(np.array([0.0, 0.3, 1.0, 1.2, 2.0]))], {}),
    (np.trapezoid, [A((5,)), A((5,))], {}),
    (np.trapezoid, [A((5, 3))], {"dx": F(0.5, 1.0), "axis": 0}),
    (np.diff, [A((5,))], {}),
    (np.diff, [A((3, 5))], {"n": 2, "axis": 0}),
    (np.ediff1d, [A((2, 3))], {}),
    (np.convolve, [A((5,)), A((3,))], {}),
    (np.convolve, [A((5,)), A((3,))], {"mode": "same"}),
    (np.convolve, [A((3,)), A((6,)), C("valid")], {}),
    (np.correlate, [A((5,)), A((3,))], {}),
    (np.correlate, [A((5,)), A((3,))], {"mode": "full"}),
    (np.cross, [A((3,)), A((3,))], {}),
    (np.cross, [A((4, 3)), A((3,))], {}),
    (np.einsum, [C("ij,jk->ik"), A((2, 3)), A((3, 4))], {}),
    (np.einsum, [C("ij->"), A((2, 3))], {}),
    (np.einsum, [C("ii->i"), A((3, 3))], {}),
    (np.einsum, [C("ii"), A((3, 3))], {}),
    (np.einsum, [C("...ij,...jk->...ik"), A((5, 2, 3)), A((3, 4))], {}),
    (np.einsum, [C("ij,ij->i"), A((1, 3)), A((4, 3))], {}),
    (np.einsum, [C("i,j,k->ijk"), A((2,)), A((3,)), A((2,))], {}),
    (np.einsum, [C("ij,jk"), A((2, 3)), A((3, 4))], {"optimize": True}),
    (np.tensordot, [A((2, 3, 4)), A((3, 4, 5))], {}),
    (np.tensordot, [A((2, 3)), A((3, 2))], {"axes": ([1, 0], [0, 1])}),
    (np.tensordot, [A((2, 3)), A((4,))], {"axes": 0}),
    (np.kron, [A((2, 3)), A((2, 2))], {}),
    (np.kron, [A((2,)), A((3,))], {}),
    (np.diagonal, [A((3, 4))], {}),
    (np.diagonal, [A((2, 3, 4)), C(1), C(2), C(1)], {}),
    (method("diagonal"), [A((3, 3))], {"offset": -1}),
    (np.diagflat, [A((3,))], {}),
    (np.diagflat, [A((2, 2)), C(1)], {}),
    (np.repeat, [A((3,)), C(2)], {}),
    (np.repeat, [A((2, 3)), C(np.array([1, 0, 2]))], {"axis": 1}),
    (method("repeat"), [A((2, 3)), C(2)], {}),
    (np.tile, [A((3,)), C(2)], {}),
    (np.tile, [A((2, 3)), C((2, 1, 2))], {}),
    (np.pad, [A((3, 4)), C(1)], {}),
    (np.pad, [A((3, 4)), C(((1, 2), (0, 1)))], {"mode": "edge"}),
    (np.pad, [A((5,)), C(2)], {"mode": "reflect"}),
    (np.pad, [A((5,)), C(3)], {"mode": "wrap"}),
    (np.pad, [A((4,)), C(2)], {"constant_values": F()}),
    (np.append, [A((3,)), A((2,))], {}),
    (np.append, [A((2, 3)), A((1, 3))], {"axis": 0}),
    (np.column_stack, [Seq(A((3,)), A((3, 2)))], {}),
    (np.dstack, [Seq(A((2, 3)), A((2, 3, 2)))], {}),
    (np.rot90, [A((3, 4))], {}),
    (np.rot90, [A((2, 3, 4)), C(3), C((1, 2))], {}),
    (np.rollaxis, [A((2, 3, 4)), C(2)], {}),
    (np.rollaxis, [A((2, 3, 4)), C(0), C(2)], {}),
    (np.matrix_transpose, [A((2, 3, 4))], {}),
    (np.full, [C((2, 3)), F()], {}),
    (np.full_like, [C(np.ones((2, 3))), F()], {}),
    (np.linspace, [F(), F()], {}),
    (np.linspace, [F(), F(), C(5)], {"endpoint": False}),
    (np.bincount, [C(np.array([0, 2, 2, 1])), A((4,))], {}),
    (np.nextafter, [A((3,)), C(np.inf)], {}),
    (np.real_if_close, [A((3,))], {}),
    (np.fft.fftshift, [A((5,))], {}),
    (np.fft.ifftshift, [A((2, 3))], {}),
    # linalg
    (np.linalg.matmul, [A((2, 3)), A((3, 4))], {}),
    (np.linalg.outer, [A((3,)), A((4,))], {}),
    (np.vecdot, [A((4, 3)), A((3,))], {}),
    (np.linalg.vecdot, [A((3,)), A((3,))], {}),
    (np.matvec, [A((2, 4, 3)), A((3,))], {}),
    (np.vecmat, [A((4,)), A((2, 4, 3))], {}),
    (np.linalg.tensordot, [A((2, 3)), A((3, 4))], {"axes": 1}),
    (np.linalg.trace, [A((2, 3, 3))], {}),
    (np.linalg.diagonal, [A((2, 3, 4))], {"offset": 1}),
    (np.linalg.matrix_transpose, [A((3, 4))], {}),
    (np.linalg.cross, [A((2, 3)), A((2, 3))], {}),
    (np.linalg.vector_norm, [A((3, 4))], {}),
    (np.linalg.vector_norm, [A((3, 4))], {"axis": 1, "ord": 3}),
    (np.linalg.matrix_norm, [A((2, 3, 4))], {}),
    (np.linalg.multi_dot, [Seq(A((2, 3)), A((3, 4)), A((4, 2)))], {}),
    (np.linalg.multi_dot, [Seq(A((3,)), A((3, 4)), A((4,)))], {}),
    (np.linalg.matrix_power, [V(SQ), C(3)], {}),
    (np.linalg.matrix_power, [V(SQ), C(-2)], {}),
    (np.linalg.matrix_power, [V(SQ), C(0)], {}),
    (np.linalg.cholesky, [V(SPD)], {}),
    (np.linalg.cholesky, [V(SPD)], {"upper": True}),
    (np.linalg.det, [V(np.array([[1.0, 2.0], [2.0, 4.0]]))], {}),
    (np.linalg.eigvalsh, [V(SPD)], {}),
    (np.linalg.eigvalsh, [V(SPD), C("U")], {}),
    (np.linalg.svd, [V(TALL)], {"compute_uv": False}),
    (np.linalg.svdvals, [V(SQ)], {}),
    (np.linalg.pinv, [V(TALL)], {}),
    (np.linalg.pinv, [V(SQ)], {}),
    # scipy
    (scipy.special.logsumexp, [A((3, 4))], {}),
    (scipy.special.logsumexp, [A((3, 4))], {"axis": 1, "keepdims": True}),
    (scipy.special.logsumexp, [A((3, 4))], {"axis": 0, "b": A((3, 4), 0.5, 2.0)}),
    (scipy.special.softmax, [A((3, 4))], {"axis": 1}),
    (scipy.special.softmax, [A((5,))], {}),
    (scipy.special.log_softmax, [A((3, 4))], {"axis": -1}),
    (scipy.special.xlogy, [A((3, 4)), A((4,), **POS)], {}),
    (scipy.special.xlog1py, [A((3,)), A((3,), **POS)], {}),
    (scipy.special.polygamma, [C(1), A((3,), **POS)], {}),
    (scipy.special.multigammaln, [A((3,), 2.0, 3.0), C(2)], {}),
    (scipy.special.betaln, [A((3,), **POS), A((3,), **POS)], {}),
    (scipy.special.beta, [A((3,), **POS), F(**POS)], {}),
    (scipy.special.rel_entr, [A((3,), **POS), A((3,), **POS)], {}),
    (scipy.special.kl_div, [A((3,), **POS), A((3,), **POS)], {}),
    (scipy.special.jv, [C(1.5), A((3,), **POS)], {}),
    (scipy.special.jn, [C(2), A((3,), **POS)], {}),
    (scipy.special.yn, [C(2), A((3,), **POS)], {}),
    (scipy.special.iv, [C(1.5), A((3,), **POS)], {}),
    (scipy.special.ive, [C(1.5), A((3,), **POS)], {}),
    (scipy.special.zeta, [C(3.0), A((3,), **POS)], {}),
    (scipy.special.gammainc, [C(2.0), A((3,), **POS)], {}),
    (scipy.special.gammaincc, [C(2.0), A((3,), **POS)], {}),
    (scipy.special.betainc, [C(2.0), C(3.0), A((3,), 0.1, 0.9)], {}),
    (scipy.linalg.expm, [A((3, 3))], {}),
    (scipy.linalg.solve_triangular, [V(SQ), A((3,))], {}),
    (scipy.linalg.solve_triangular, [V(SQ), A((3, 2))], {"lower": True}),
    (scipy.linalg.solve_triangular, [V(SQ), A((3, 2))], {"trans": 1, "unit_diagonal": True}),
    (scipy.linalg.inv, [V(SQ)], {}),
    (scipy.linalg.det, [A((3, 3))], {}),
    (scipy.linalg.cholesky, [V(SPD)], {}),
    (scipy.linalg.cholesky, [V(SPD)], {"lower": True}),
    (scipy.linalg.block_diag, [A((2, 2)), A((1, 3))], {}),
    (scipy.stats.norm.logpdf, [A((3, 4))], {}),
    (scipy.stats.norm.logpdf, [A((3, 4)), A((4,)), A((3, 1), **POS)], {}),
    (scipy.stats.norm.pdf, [A((3,)), F(), F(**POS)], {}),
    (scipy.stats.norm.cdf, [A((3,)), F(), F(**POS)], {}),
    (scipy.stats.norm.sf, [A((3,)), F(), F(**POS)], {}),
    (scipy.stats.norm.logcdf, [A((3,)), F(), F(**POS)], {}),
    (scipy.stats.norm.logsf, [A((3,)), F(), F(**POS)], {}),
    (scipy.stats.norm.ppf, [A((3,), 0.1, 0.9), F(), F(**POS)], {}),
    (scipy.stats.expon.logpdf, [A((3,), 2.0, 3.0), F(0.0, 1.0), F(**POS)], {}),
    (scipy.stats.laplace.logpdf, [A((3,)), F(2.5, 3.0), F(**POS)], {}),
    (scipy.stats.cauchy.logpdf, [A((3,)), F(), F(**POS)], {}),
    (scipy.stats.logistic.logpdf, [A((3,)), F(), F(**POS)], {}),
    (scipy.stats.uniform.logpdf, [A((3,), 0.1, 0.4), F(-1.0, 0.0), F(1.0, 2.0)], {}),
    # math and builtins
    (math.cbrt, [F(**POS)], {}),
    (math.exp2, [F()], {}),
    (math.copysign, [F(), C(-1.0)], {}),
    (math.fmod, [F(2.2, 2.8), F(1.0, 1.05)], {}),
    (math.remainder, [F(2.2, 2.4), F(1.0, 1.05)], {}),
    (math.ldexp, [F(), C(3)], {}),
    (math.gamma, [F(**POS)], {}),
    (math.lgamma, [F(**POS)], {}),
    (math.fsum, [Seq(F(), F(), F())], {}),
    (math.prod, [Seq(F(), F(), F())], {}),
    (math.dist, [Seq(F(), F()), Seq(F(), F())], {}),
    (builtins.complex, [F(), F()], {}),
]
for f in (scipy.special.expit, scipy.special.erf, scipy.special.erfc, scipy.special.erfcx, scipy.special.ndtr,
          scipy.special.log_ndtr, scipy.special.j0, scipy.special.j1, scipy.special.i0, scipy.special.i0e,
          scipy.special.i1, scipy.special.i1e, np.fft.fft, np.fft.rfft, np.fft.fft2, np.fft.fftn, np.fft.ifft,
          np.fft.ifft2, np.fft.ifftn):
    ROWS.append((f, [A((3, 4))], {}))
for f in (scipy.special.gammaln, scipy.special.gamma, scipy.special.rgamma, scipy.special.digamma,
          scipy.special.psi, scipy.special.logit, scipy.special.entr, scipy.special.y0, scipy.special.y1,
          scipy.special.k0, scipy.special.k1, scipy.special.exp1, scipy.special.expi, scipy.special.spence):
    ROWS.append((f, [A((3,), 0.2, 0.9)], {}))
ROWS += [(scipy.special.erfinv, [A((3,), -0.8, 0.8)], {}), (scipy.special.erfcinv, [A((3,), 0.2, 1.8)], {}),
         (scipy.special.ndtri, [A((3,), 0.1, 0.9)], {}),
         (np.fft.fft, [A((6,))], {"n": 8}), (np.fft.fft, [A((6,))], {"n": 4, "norm": "ortho"}),
         (np.fft.rfft, [A((2, 6))], {"n": 5, "axis": 1}), (np.fft.fft2, [A((2, 3, 4))], {}),
         (np.fft.fftn, [A((2, 3, 4))], {"axes": (0, 2)}),
         (np.fft.irfft, [A((5,))], {}), (np.fft.irfft, [A((2, 4))], {"n": 7}),
         (np.asanyarray, [A((3,))], {}), (np.ascontiguousarray, [A((2, 3))], {}),
         (np.row_stack, [Seq(A((3,)), A((2, 3)))], {})]

# Rules whose callee returns a tuple or list: d[y] is a list of the outputs' gradients.
TUPLE_ROWS = [
    (np.linalg.slogdet, [V(SQ)], {}),
    (np.linalg.slogdet, [A((2, 3, 3))], {}),
    (np.linalg.eigh, [V(SPD)], {}),
    (np.linalg.eigh, [V(SPD), C("U")], {}),
    (np.linalg.svd, [V(TALL)], {"full_matrices": False}),
    (np.linalg.svd, [V(SQ)], {}),
    (np.linalg.qr, [V(TALL)], {}),
    (np.linalg.qr, [V(SQ)], {}),
    (np.linalg.lstsq, [V(TALL), A((4,))], {}),
    (np.linalg.lstsq, [V(SQ), A((3, 2))], {"rcond": None}),
    (np.split, [A((6,)), C(3)], {}),
    (np.split, [A((4, 3)), C([1, 3])], {}),
    (np.array_split, [A((5,)), C(2)], {}),
    (np.hsplit, [A((2, 4)), C(2)], {}),
    (np.vsplit, [A((4, 2)), C(2)], {}),
    (np.dsplit, [A((2, 2, 4)), C(2)], {}),
    (np.meshgrid, [A((3,)), A((4,))], {}),
    (np.meshgrid, [A((3,)), A((4,)), A((2,))], {"indexing": "ij"}),
    (np.broadcast_arrays, [A((3, 1)), A((4,))], {}),
    (np.divmod, [A((3,), 2.2, 2.8), A((3,), 1.0, 1.05)], {}),
    (np.modf, [A((3,), 0.1, 0.9)], {}),
    (np.frexp, [A((3,), 1.1, 1.9)], {}),
    (math.frexp, [F(1.1, 1.9)], {}),
    (math.modf, [F(0.1, 0.9)], {}),
    (builtins.divmod, [F(2.2, 2.8), F(1.0, 1.05)], {}),
    (builtins.list, [A((3, 2))], {}),
    (builtins.tuple, [A((4,))], {}),
    (builtins.sorted, [V([0.3, -1.2, 0.8, 1.7])], {}),
    (builtins.sorted, [V([0.3, -1.2, 0.8, 1.7])], {"reverse": True}),
]
