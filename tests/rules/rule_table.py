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
    # np.trace(x @ m @ x.T) is rewritten to rt.trace_quadratic(x, m)
    (rt.trace_quadratic, [A((3, 4)), A((4, 4))], {}),
    (rt.trace_quadratic, [A((2, 2)), A((2, 2))], {}),
    # np.trace(a @ b) is rewritten to rt.trace_matmul(a, b)
    (rt.trace_matmul, [A((3, 4)), A((4, 3))], {}),
    (rt.trace_matmul, [A((2, 4)), A((4, 3))], {}),
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
    (scipy.linalg.solve_triangular, [V(SQ), A((3,))], {"trans": 2}),
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
    *([(math.cbrt, [F(**POS)], {}), (math.exp2, [F()], {})] if hasattr(math, "cbrt") else []),   # Python 3.11+
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
         (np.asanyarray, [A((3,))], {}), (np.ascontiguousarray, [A((2, 3))], {})]
ROWS += [(np.row_stack, [Seq(A((3,)), A((2, 3)))], {})] if hasattr(np, "row_stack") else []   # numpy < 2.5

# Rules whose callee returns a tuple or list: d[y] is a list of the outputs' gradients.
TUPLE_ROWS = [
    (np.linalg.slogdet, [V(SQ)], {}),
    (np.linalg.slogdet, [A((2, 3, 3))], {}),
    (np.linalg.eigh, [V(SPD)], {}),
    (np.linalg.eigh, [V(SPD), C("U")], {}),
    (np.linalg.svd, [V(TALL)], {"full_matrices": False}),
    (np.linalg.svd, [V(SQ)], {}),
    (np.linalg.svd, [V(TALL.T.copy())], {"full_matrices": False}),   # wide: more columns than rows
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
    (rt.scattered, [A((2,)), C(np.zeros((3, 4))), C((slice(0, 2), 1))], {}),
    (rt.scattered, [A(()), C(np.zeros(5)), C(3)], {}),
    (rt.rule_tuple, [A((3,)), C(1)], {}),   # a tg.adjoint rule's result, in differentiated gradient code
    (builtins.tuple, [A((4,))], {}),
    (builtins.sorted, [V([0.3, -1.2, 0.8, 1.7])], {}),
    (builtins.sorted, [V([0.3, -1.2, 0.8, 1.7])], {"reverse": True}),
]

# ----- rules added for tier-3 coverage -----
NAN_ROWS = np.array([[1.0, np.nan, 2.0, 0.5], [0.3, 0.7, -1.0, 2.2]])
ROT = np.array([[1.0, -2.0, 0.3], [1.5, 0.5, 0.2], [0.1, 0.4, 2.0]])      # complex eigenvalues
PIVOTED = np.array([[0.5, 2.0, 0.1], [3.0, 0.2, 0.4], [0.3, 0.1, 1.5]])  # lu_factor pivots rows
M4 = np.array([[2.0, 0.3, -0.2, 0.1], [0.1, 1.5, 0.4, -0.3], [-0.3, 0.2, 1.8, 0.2], [0.2, -0.1, 0.3, 2.2]])
BAND = np.array([[0.0, 0.4, -0.3, 0.2], [2.0, 1.8, 2.2, 1.5], [0.3, -0.2, 0.5, 0.0]])   # (l, u) = (1, 1)
LOWER_BAND = np.array([[2.0, 1.8, 2.2, 1.5], [0.3, -0.2, 0.5, 0.0]])                      # (l, u) = (1, 0)
ROWS += [
    (np.quantile, [A((7,)), C(0.3)], {}),
    (np.quantile, [A((3, 6)), C(np.array([0.1, 0.5, 0.9]))], {"axis": 1}),
    (np.quantile, [A((3, 5, 4)), C(0.35)], {"axis": (0, 2), "keepdims": True}),
    (np.quantile, [A((6,)), A((2,), 0.22, 0.38)], {}),
    (np.quantile, [A((2, 6)), A((), 0.22, 0.38), C(1)], {"method": "linear"}),
    (np.percentile, [A((7,)), C(30.0)], {}),
    (np.percentile, [A((3, 6)), C([10.0, 70.0])], {"axis": 0}),
    (np.percentile, [A((5,)), F(30.0, 45.0)], {}),
    (np.nanquantile, [V(NAN_ROWS), C(0.4)], {"axis": 1}),
    (np.nanquantile, [A((3, 4)), A((2,), 0.22, 0.25)], {}),
    (np.nanpercentile, [V(NAN_ROWS), C(40.0)], {"axis": 1, "keepdims": True}),
    (np.nanpercentile, [A((3, 4)), C(65.0)], {}),
    (np.nanmedian, [V(NAN_ROWS)], {"axis": 1}),
    (np.nanmedian, [A((5,))], {}),
    (np.nanmedian, [A((3, 4))], {"axis": 0, "keepdims": True}),
    (np.nanvar, [V(NAN_ROWS)], {"axis": 1}),
    (np.nanvar, [A((3, 4))], {"ddof": 1}),
    (np.nanstd, [V(NAN_ROWS)], {"axis": 1, "keepdims": True}),
    (np.nanstd, [A((3, 4))], {"axis": 0, "ddof": 1}),
    (np.nancumprod, [V([1.5, np.nan, 2.0, -0.5])], {}),
    (np.nancumprod, [A((2, 3))], {"axis": 1}),
    (np.select, [C([COND[0], COND[1]]), Seq(A((4,)), A((4,)))], {"default": F()}),
    (np.select, [C([COND, ~COND]), Seq(A((3, 4)), A((4,)))], {}),
    (np.select, [C([COND]), Seq(A((3, 4)))], {"default": A((1, 4))}),
    (np.choose, [C(np.array([0, 2, 1, 0])), Seq(A((4,)), A((4,)), A((4,)))], {}),
    (np.choose, [C(np.array([[0, 2, 1, 0], [1, 1, 2, 0]])), A((3, 2, 4))], {}),
    (np.choose, [C(np.array([0, 4, -1, 1])), Seq(A((4,)), A((1,)), A((4,)))], {"mode": "wrap"}),
    (np.choose, [C(np.array([0, 4, -1, 1])), Seq(A((4,)), A((4,)))], {"mode": "clip"}),
    (np.delete, [A((5,)), C(1)], {}),
    (np.delete, [A((3, 4)), C([0, 2])], {"axis": 1}),
    (np.delete, [A((3, 4)), C(np.array([1, 5, 7]))], {}),
    (np.insert, [A((4,)), C(1), A(())], {}),
    (np.insert, [A((3, 4)), C(2), A((3,))], {"axis": 1}),
    (np.insert, [A((5,)), C([1, 3]), A((2,))], {}),
    (np.insert, [A((2, 3)), C(1), F()], {"axis": 0}),
    (np.resize, [A((2, 3)), C((4, 4))], {}),
    (np.resize, [A((5,)), C(3)], {}),
    (np.partition, [A((6,)), C(2)], {}),
    (np.partition, [A((3, 5)), C(1)], {"axis": 0}),
    (np.partition, [A((3, 4)), C(3), C(None)], {}),
    (np.block, [Seq(Seq(A((2, 2)), A((2, 1))), Seq(A((1, 3))))], {}),
    (np.block, [Seq(A((2,)), A((3,)))], {}),
    (np.corrcoef, [A((3, 6))], {}),
    (np.corrcoef, [A((6,)), A((6,))], {}),
    (np.corrcoef, [A((6, 2))], {"rowvar": False}),
    (np.polyfit, [A((6,)), A((6,)), C(2)], {}),
    (np.polyfit, [A((5,)), A((5, 2)), C(1)], {}),
    (np.roots, [V([1.0, -6.0, 11.0, -6.0])], {}),
    (np.roots, [V([1.0, 0.5, 2.0, 1.0])], {}),
    (np.fft.rfft2, [A((3, 4))], {}),
    (np.fft.rfft2, [A((2, 3, 4))], {"axes": (0, 2)}),
    (np.fft.rfftn, [A((2, 3, 5))], {}),
    (np.fft.rfftn, [A((3, 4))], {"s": (4, 6), "norm": "ortho"}),
    (np.fft.rfftn, [A((4, 5))], {"s": (3, 3)}),
    (np.fft.irfft2, [A((3, 4))], {}),
    (np.fft.irfft2, [A((4, 3))], {"s": (3, 4), "norm": "ortho"}),
    (np.fft.irfftn, [A((2, 3, 4))], {}),
    (np.fft.irfftn, [A((3, 4))], {"s": (4, 7)}),
    (np.fft.hfft, [A((5,))], {}),
    (np.fft.hfft, [A((2, 4))], {"n": 7, "norm": "ortho"}),
    (np.fft.ihfft, [A((6,))], {}),
    (np.fft.ihfft, [A((2, 5))], {"n": 6, "norm": "forward"}),
    (np.linalg.cond, [V(SQ)], {}),
    (np.linalg.cond, [V(TALL)], {}),
    (np.linalg.cond, [V(SQ), C(-2)], {}),
    (np.linalg.eigvals, [V(SQ)], {}),
    (np.linalg.eigvals, [V(ROT)], {}),
    (np.linalg.tensorinv, [V(M4.reshape(2, 2, 4))], {}),
    (np.linalg.tensorinv, [V(M4.reshape(4, 2, 2))], {"ind": 1}),
    (np.linalg.tensorsolve, [V(M4.reshape(2, 2, 2, 2)), A((2, 2))], {}),
    (np.linalg.tensorsolve, [V(np.kron(M4, np.eye(2))[:6, :6].reshape(6, 2, 3)), A((6,))], {}),
    (scipy.linalg.lu_solve, [C(scipy.linalg.lu_factor(PIVOTED)), A((3,))], {}),
    (scipy.linalg.lu_solve, [C(scipy.linalg.lu_factor(PIVOTED)), A((3, 2))], {"trans": 1}),
    (scipy.linalg.cho_solve, [C((np.linalg.cholesky(SPD), True)), A((3,))], {}),
    (scipy.linalg.cho_solve, [C((np.linalg.cholesky(SPD).T, False)), A((3, 2))], {}),
    (scipy.linalg.sqrtm, [V(SPD)], {}),
    (scipy.linalg.sqrtm, [V(SQ)], {}),
    (scipy.linalg.logm, [V(SPD)], {}),
    (scipy.linalg.logm, [V(SQ)], {}),
    (scipy.linalg.solve_sylvester, [V(SQ), V(SPD), A((3, 3))], {}),
    (scipy.linalg.solve_sylvester, [V(SQ), V(np.array([[1.5, 0.2], [-0.1, 2.0]])), A((3, 2))], {}),
    (scipy.linalg.solve_banded, [C((1, 1)), V(BAND), A((4,))], {}),
    (scipy.linalg.solve_banded, [C((1, 0)), V(LOWER_BAND), A((4, 2))], {}),
    (scipy.stats.t.logpdf, [A((3,)), F(2.0, 5.0)], {}),
    (scipy.stats.t.logpdf, [A((3,)), A((3,), 2.0, 5.0), F(), F(**POS)], {}),
    (scipy.stats.gamma.logpdf, [A((3,), 0.5, 3.0), F(1.5, 3.0)], {}),
    (scipy.stats.gamma.logpdf, [A((3,), 1.0, 3.0), A((3,), 1.5, 3.0), F(-0.5, 0.5), F(**POS)], {}),
    (scipy.stats.chi2.logpdf, [A((3,), 0.5, 3.0), F(2.5, 5.0)], {}),
    (scipy.stats.chi2.logpdf, [A((3,), 1.0, 3.0), A((3,), 2.5, 5.0)], {"loc": F(-0.5, 0.5), "scale": F(**POS)}),
    (scipy.stats.beta.logpdf, [A((3,), 0.1, 0.9), F(1.5, 3.0), F(1.5, 3.0)], {}),
    (scipy.stats.beta.logpdf, [A((3,), 0.6, 1.2), A((3,), 1.5, 3.0), F(1.5, 3.0), F(0.0, 0.3), F(1.5, 2.0)], {}),
    (scipy.stats.poisson.logpmf, [C(np.array([0, 1, 3])), A((3,), **POS)], {}),
    (scipy.stats.poisson.logpmf, [C(np.array([2, 3, 5])), F(**POS), C(1)], {}),
    (scipy.stats.dirichlet.logpdf, [A((2,), 0.2, 0.4), A((3,), 1.0, 3.0)], {}),
    (scipy.stats.dirichlet.logpdf, [A((2, 4), 0.1, 0.4), A((3,), 1.0, 3.0)], {}),
    (scipy.stats.dirichlet.logpdf, [C(np.array([0.2, 0.3, 0.5])), A((3,), 1.0, 3.0)], {}),
    (scipy.stats.multivariate_normal.logpdf, [A((4, 3)), A((3,)), V(SPD)], {}),
    (scipy.stats.multivariate_normal.logpdf, [A((3,))], {"mean": A((3,)), "cov": A((3,), **POS)}),
    (scipy.stats.multivariate_normal.logpdf, [A((5,)), F()], {"cov": F(**POS)}),
]
ROWS += unary(np.i0)
TUPLE_ROWS += [
    (np.unstack, [A((3, 2))], {}),
    (np.unstack, [A((2, 3, 2))], {"axis": 1}),
    (np.gradient, [A((5,))], {}),
    (np.gradient, [A((3, 4)), C(0.5), C(2.0)], {}),
    (np.gradient, [A((4, 5))], {"axis": 1, "edge_order": 2}),
    (np.gradient, [A((5,)), C(np.array([0.0, 0.3, 1.0, 1.2, 2.0]))], {"edge_order": 2}),
    (np.gradient, [A((3, 4, 5)), C(0.7)], {"axis": (0, 2)}),
    (np.linalg.eig, [V(SQ)], {}),
    (np.linalg.eig, [V(ROT)], {}),
]

# runtime helpers of generated code given rules for higher derivatives (rules/runtime_rules.py)
ROWS += [
    (rt.add, [A((3,)), A((3,))], {}),
    (rt.add, [F(), F()], {}),
    (rt.owned, [A((2, 3))], {}),
    (rt.grad_like, [A((2, 3)), C(np.ones((1, 3)))], {}),
    (rt.grad_like, [A((3,)), C(np.ones(3))], {}),
    (rt.copy_input, [A((2, 3))], {}),
    (rt.maybe_copy, [A((3,)), C(_ones(3))], {}),
    (rt.buffer, [A((3,)), C(_ones(3))], {}),
    (rt.masked_div, [A((3,)), A((3,), 0.5, 2.0)], {}),
    (rt.masked_div, [A((2, 3)), F(0.5, 2.0)], {}),
    (rt.getitem, [A((4,)), C(1)], {}),
    (rt.getitem, [A((3, 4)), C((slice(0, 2), 1))], {}),
    (rt.take, [A((4, 2)), C(2)], {}),
    (rt.output_grad, [Seq(A((3,)), A((2,))), C((_ones(3), _ones(2))), C(1)], {}),
    (rt.added_to, [A((4,)), C([0, 2, 2]), A((3,))], {}),
    (rt.added_to, [A((3, 2)), C(1), A((2,))], {}),
    (rt.cleared, [A((4,)), C(1)], {}),
    (rt.replaced, [A((4,)), C(1), F()], {}),
]

# runtime helpers the adjoint templates of the numpy, math and builtin rules call (rules/runtime_rules.py):
# their gradient argument g and the primal values they read (x, ans, the other factor) vary
ROWS += [
    (rt.reduce_like, [A((3, 4, 5)), C(_ones((3, 5))), C(1)], {}),
    (rt.reduce_like, [A((3, 4)), C(1.0)], {}),
    (rt.reduce_like, [A((3, 4)), C(_ones((1, 4))), C(0), C(True)], {}),
    (rt.interp_grad_fp, [A((6,)), A((6,)), C(np.array([-1.0, -0.2, 0.5, 1.5])), C(np.zeros(4))], {}),
    (rt.interp_grad_fp, [A(()), A((2, 3)), C(np.array([-1.0, -0.2, 0.5, 1.5])), C(np.zeros(4)), C(0.0), C(1.0)], {}),
    (rt.norm_grad, [A(()), A((4,)), A((), 1.0, 2.0)], {}),
    (rt.norm_grad, [A((3,)), A((3, 4)), A((3,), 1.0, 2.0), C(None), C(1)], {}),
    (rt.norm_grad, [A((1, 4)), A((3, 4)), A((1, 4), 1.0, 2.0), C(None), C(0), C(True)], {}),
    (rt.norm_grad, [A(()), A((3, 4)), A((), 1.0, 2.0), C("fro")], {}),
    (rt.norm_grad, [A(()), A((4,)), A((), 1.0, 2.0), C(3)], {}),
    (rt.norm_grad, [A(()), A((4,)), A((), 1.0, 2.0), C(1)], {}),
    (rt.norm_grad, [A(()), C(np.array([1.0, -3.0, 2.0])), C(3.0), C(np.inf)], {}),
    (rt.norm_grad, [A(()), C(np.zeros(3)), C(0.0)], {}),
    (rt.prod_grad, [A(()), A((4,))], {}),
    (rt.prod_grad, [A((3,)), A((3, 4)), C(1)], {}),
    (rt.prod_grad, [A((3, 1)), A((3, 4)), C(1), C(True)], {}),
    (rt.prod_grad, [A((4,)), A((3, 4, 5)), C((0, 2))], {}),
    (rt.prod_grad, [A(()), V([1.5, 0.0, 2.0, -0.5])], {}),
    (rt.prod_grad, [A((2,)), V([[1.5, 0.0, 2.0], [0.0, -1.0, 0.0]]), C(1)], {}),
    (rt.prod_grad, [A(()), A(())], {}),
    (rt.extreme_grad, [F(), C(2.0), C(2.0), C(1.0)], {}),
    (rt.extreme_grad, [F(), C(2.0), C(2.0), C(2.0)], {}),
    (rt.extreme_grad, [F(), C(np.array([1.0, 3.0, 3.0])), C(3.0)], {}),
    (rt.sequence_grad, [A((3,)), C(_ones((4, 3)))], {}),
    (rt.fpow, [F(0.5, 2.0), F()], {}),
    (rt.fpow, [F(0.5, 2.0), C(3.0)], {}),
    (rt.take_grad, [A((4,)), C(_ones(5)), C(IDX)], {}),
    (rt.take_grad, [A((3, 4)), C(_ones((3, 5))), C(IDX), C(1)], {}),
    (rt.take_grad, [A((2, 4)), C(_ones((3, 4))), C(np.array([4, -1])), C(0), C("wrap")], {}),
    (rt.split_grad, [Seq(A((2, 3)), A((2, 3))), C(_ones((4, 3))), C([_ones((2, 3)), _ones((2, 3))])], {}),
    (rt.split_grad, [Seq(A((3, 1)), A((3, 2))), C(_ones((3, 3))), C([_ones((3, 1)), _ones((3, 2))]), C(1)], {}),
    (rt.real_like, [A((3,)), C(_ones(3))], {}),
    (rt.array_grad, [A((2, 3)), C(_ones((2, 3)))], {}),
    (rt.astype_grad, [A((3,)), C(_ones(3)), C(_ones(3))], {}),
    (rt.astype_grad, [A((3,)), C(_ones(3)), C(np.ones(3, dtype=int))], {}),
    (rt.einsum_grad, [A((2, 4)), C("ij,jk->ik"), Seq(A((2, 3)), A((3, 4))), C(0)], {}),
    (rt.einsum_grad, [A((2, 4)), C("ij,jk->ik"), Seq(A((2, 3)), A((3, 4))), C(1)], {}),
    (rt.einsum_grad, [A((2, 3, 2)), C("i,j,k->ijk"), Seq(A((2,)), A((3,)), A((2,))), C(1)], {}),
    (rt.einsum_grad, [A((3,)), C("ii->i"), Seq(A((3, 3))), C(0)], {}),
    (rt.einsum_grad, [A((4,)), C("ij,ij->i"), Seq(A((1, 3)), A((4, 3))), C(0)], {}),
    (rt.einsum_grad, [A((2, 4)), C("ij,jk"), Seq(A((2, 3)), A((3, 4))), C(1)], {}),
    (rt.trace_matmul_grad, [A(()), A((4, 3)), C(3)], {}),
    (rt.trace_matmul_grad, [A(()), A((4, 3)), C(2)], {}),
    (rt.trace_matmul_grad, [A(()), A((4, 2)), C(3)], {}),
]
TUPLE_ROWS += [
    (rt.concatenate_grad, [A((5,)), C([_ones(2), _ones(3)])], {}),
    (rt.concatenate_grad, [A((2, 5)), C([_ones((2, 2)), _ones((2, 3))]), C(1)], {}),
    (rt.concatenate_grad, [A((7,)), C([_ones((2, 2)), _ones(3)]), C(None)], {}),
    (rt.stack_grad, [A((2, 3)), C([_ones(3), _ones(3)])], {}),
    (rt.stack_grad, [A((3, 2)), C([_ones(3), _ones(3)]), C(1)], {}),
    (rt.stack_grad, [A((3,)), C([1.0, 2.0, 3.0])], {}),
    (rt.hstack_grad, [A((5,)), C([_ones(2), _ones(3)])], {}),
    (rt.hstack_grad, [A((2, 5)), C([_ones((2, 2)), _ones((2, 3))])], {}),
    (rt.vstack_grad, [A((2, 3)), C([_ones(3), _ones(3)])], {}),
    (rt.vstack_grad, [A((3, 3)), C([_ones((2, 3)), _ones(3)])], {}),
    (rt.sequence_grad, [A((2, 3)), C([1.0, _ones(3), _ones((2, 3))])], {}),
    (rt.array_grad, [A((3,)), C([1.0, 2.0, 3.0])], {}),
    (rt.array_grad, [A((2, 2)), C([[1.0, 2.0], [3.0, 4.0]])], {}),
]

ROWS += [
    (rt.median_grad, [A(()), C(np.array([3.0, 1.0, 2.0, 5.0, 4.0]))], {}),
    (rt.median_grad, [A((3,)), C(np.arange(12.0).reshape(3, 4)[:, ::-1] ** 1.5), C(1)], {}),
    (rt.median_grad, [A((1, 4)), C(np.arange(12.0).reshape(3, 4) % 5), C(0), C(True)], {}),
    (rt.unsort, [A((3, 4)), C(np.array([[3.0, 1.0, 2.0, 0.0], [1.0, 1.0, 0.0, 2.0], [0.5, 0.2, 0.9, 0.1]]))], {}),
    (rt.unsort, [A((3, 4)), C(np.arange(12.0).reshape(3, 4)[::-1] % 5), C(0)], {}),
    (rt.unsort, [A((6,)), C(np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])), C(None)], {}),
    (rt.take_along_axis_grad, [A((3, 2)), C(_ones((3, 4))), C(np.array([[0, 0], [3, 1], [2, 2]])), C(1)], {}),
    (rt.take_along_axis_grad, [A((1, 4)), C(_ones((3, 4))), C(np.array([[0, 2, 2, 1]])), C(0)], {}),
    (rt.repeat_grad, [A((6,)), C(_ones(3)), C(2)], {}),
    (rt.repeat_grad, [A((2, 3)), C(_ones((2, 3))), C(np.array([1, 0, 2])), C(1)], {}),
    (rt.tile_grad, [A((6,)), C(_ones(3)), C(2)], {}),
    (rt.tile_grad, [A((2, 2, 6)), C(_ones((2, 3))), C((2, 1, 2))], {}),
    (rt.pad_grad, [A((5, 6)), C(_ones((3, 4))), C(1)], {}),
    (rt.pad_grad, [A((6, 5)), C(_ones((3, 4))), C(((1, 2), (0, 1))), C("edge")], {}),
    (rt.pad_grad, [A((9,)), C(_ones(5)), C(2), C("reflect")], {}),
    (rt.pad_grad, [A((11,)), C(_ones(5)), C(3), C("wrap")], {}),
    (rt.pad_constant_grad, [A((8,)), C(_ones(4)), C(2)], {}),
    (rt.diff_grad, [A((4,)), C(_ones(5))], {}),
    (rt.diff_grad, [A((1, 5)), C(_ones((3, 5))), C(2), C(0)], {}),
    (rt.diagonal_grad, [A((3,)), C(_ones((3, 4)))], {}),
    (rt.diagonal_grad, [A((2, 2)), C(_ones((2, 3, 4))), C(1), C(2), C(1)], {}),
    (rt.diagonal_grad, [A((2,)), C(_ones((3, 3))), C(-1)], {}),
]
TUPLE_ROWS += [
    (rt.column_stack_grad, [A((3, 3)), C([_ones(3), _ones((3, 2))])], {}),
    (rt.append_grad, [A((5,)), C(_ones(3)), C(_ones(2))], {}),
    (rt.append_grad, [A((3, 3)), C(_ones((2, 3))), C(_ones((1, 3))), C(0)], {}),
    (rt.append_grad, [A((5,)), C(_ones((2, 1))), C(_ones(3))], {}),
]

# second derivatives of det and solve (an invertible matrix)
ROWS += [
    (rt.det_grad, [A(()), V(SQ), A((), 0.5, 2.0)], {}),
    (rt.det_grad, [A((2,)), C(np.stack([SQ, SPD])), A((2,), 0.5, 2.0)], {}),
    (rt.solve_transposed, [V(SQ), A((3,)), C(_ones(3))], {}),
    (rt.solve_transposed, [V(SQ), A((3, 2)), C(_ones((3, 2)))], {}),
    (rt.solve_transposed, [C(np.stack([SQ, SPD])), A((2, 3, 2)), C(_ones((2, 3, 2)))], {}),
    (rt.solve_grad_a, [A((3,)), A((3,)), C(_ones(3))], {}),
    (rt.solve_grad_a, [A((3, 2)), A((3, 2)), C(_ones((3, 2)))], {}),
    (rt.solve_grad_a, [A((2, 3, 2)), A((2, 3, 2)), C(_ones((2, 3, 2)))], {}),
]

# np.sinc and np.polyval differentiated twice
ROWS += [
    (rt.sinc_slope, [A((3, 4))], {}),
    (rt.polyval_grad_p, [A((3, 2)), C(_ones(4)), A((3, 2))], {}),
    (rt.polyval_grad_p, [A(()), C(_ones(3)), A((5,))], {}),
    (rt.polyval_grad_p, [F(), C(_ones(1)), F()], {}),
    (rt.polyder, [A((4,))], {}),
    (rt.polyder, [A((1,))], {}),
]
ROWS += [
    (rt.slogdet_grad, [Seq(A(()), A(())), V(SQ), C(tuple(np.asarray(v) for v in np.linalg.slogdet(SQ)))], {}),
    (rt.slogdet_grad, [Seq(A((2,)), A((2,))), C(np.stack([SQ, SPD])), C(tuple(np.linalg.slogdet(np.stack([SQ, SPD]))))], {}),
]
ROWS += [
    (rt.cholesky_grad, [A((3, 3)), V(np.linalg.cholesky(SPD))], {}),
    (rt.cholesky_grad, [A((3, 3)), V(np.linalg.cholesky(SPD).T), C(True)], {}),
    (rt.cholesky_grad, [A((2, 3, 3)), V(np.linalg.cholesky(np.stack([SPD, SPD + np.eye(3)])))], {}),
]
ROWS += [
    (rt.convolve_full, [A((7,)), C(5), C(3)], {}),
    (rt.convolve_full, [A((5,)), C(5), C(3), C("same")], {}),
    (rt.convolve_full, [A((4,)), C(3), C(6), C("valid")], {}),
]

# more runtime helpers differentiated again: cumprod, eigh/eigvalsh, the FFTs, imag, matrix_power, multi_dot
_EW, _EV = np.linalg.eigh(SPD)
_CZ = np.array([[1.0 + 2.0j, -0.5 + 0.3j, 2.0 - 1.0j]])
ROWS += [
    (rt.cumprod_grad, [A((4,)), A((4,), 0.5, 2.0), A((4,))], {}),
    (rt.cumprod_grad, [A((3, 4)), A((3, 4), 0.5, 2.0), A((3, 4)), C(1)], {}),
    (rt.cumprod_grad, [A((6,)), A((2, 3), 0.5, 2.0), A((6,)), C(None)], {}),
    # with a zero in x the helper ignores y, so y is read only as cumprod(x): x and y stay fixed here (the
    # x-derivative at a zero is checked by the Hessian of np.cumprod in test_higher_order.py)
    (rt.cumprod_grad, [A((4,)), C(np.array([1.5, 0.0, 2.0, -0.5])), C(np.cumprod([1.5, 0.0, 2.0, -0.5]))], {}),
    (rt.cumprod_grad, [A((2, 3)), C(np.array([[1.5, 0.0, 2.0], [0.5, -1.0, 0.0]])),
                       C(np.cumprod([[1.5, 0.0, 2.0], [0.5, -1.0, 0.0]], 0)), C(0)], {}),
    (rt.eigh_grad, [A((3,)), V(SPD), C(_EW), C("L"), C(False)], {}),
    (rt.eigh_grad, [A((3,)), V(SQ + SQ.T), C(_EW), C("U"), C(False)], {}),
    (rt.eigh_grad, [A((2, 3)), C(np.stack([SPD, SPD + np.diag([0.0, 1.0, 3.0])])), C(np.zeros((2, 3))), C("L"), C(False)], {}),
    (rt.eigh_grad, [Seq(A((3,)), A((3, 3))), C(SPD), Seq(V(_EW), V(_EV))], {}),
    (rt.eigh_grad, [Seq(A((3,)), A((3, 3))), C(SPD), Seq(V(_EW), V(_EV)), C("U")], {}),
    (rt.fft_grad, [A((4,)), C(np.ones(4))], {}),
    (rt.fft_grad, [A((3, 6)), C(np.ones((3, 4))), C(6), C(1), C("ortho")], {}),
    (rt.fft_grad, [A((3,)), C(np.ones(5)), C(3), C(-1), C(None), C(True)], {}),
    (rt.rfft_grad, [A((3,)), C(np.ones(4))], {}),
    (rt.rfft_grad, [A((2, 4)), C(np.ones((2, 5))), C(6), C(-1), C("ortho")], {}),
    (rt.irfft_grad, [A((6,)), C(_CZ[0].copy()), C(6)], {}),
    (rt.irfft_grad, [A((2, 5)), C(np.ones((2, 3)) + 1j), C(5), C(-1), C("forward")], {}),
    (rt.imag_grad, [A((1, 3)), C(_CZ)], {}),
    (rt.imag_grad, [A((3,)), C(np.ones(3))], {}),
    (rt.imag_grad_transpose, [A((1, 3)), C(np.ones((1, 3))), C(_CZ)], {}),
    (rt.imag_grad_transpose, [A((3,)), C(np.ones(3)), C(np.ones(3))], {}),
    (rt.angle_grad, [A((1, 3)), C(_CZ)], {}),
    (rt.angle_grad, [A((3,)), C(_CZ[0] * 2.0), C(True)], {}),
    (rt.angle_grad, [A((3,)), C(np.ones(3))], {}),
    (rt.conj, [A((3, 4))], {}),
    (rt.conj_sign, [A((3, 4))], {}),
    (rt.conj_sign, [F()], {}),
    (rt.float_like, [A((3,)), C(_ones(3))], {}),
    (rt.float_like, [A((1, 3)), C(_ones((2, 3)))], {}),
    (rt.float_like, [A((3,)), C(_CZ[0].copy())], {}),
    (rt.matrix_power_grad, [A((3, 3)), A((3, 3), -1.0, 1.0), C(3)], {}),
    (rt.matrix_power_grad, [A((3, 3)), A((3, 3), -1.0, 1.0), C(1)], {}),
    (rt.matrix_power_grad, [A((3, 3)), A((3, 3), -1.0, 1.0), C(0)], {}),
    (rt.matrix_power_grad, [A((3, 3)), V(SQ), C(-2)], {}),
]
TUPLE_ROWS += [
    (rt.multi_dot_grad, [A((2, 4)), Seq(A((2, 3)), A((3, 4)))], {}),
    (rt.multi_dot_grad, [A(()), Seq(A((3,)), A((3, 4)), A((4, 2)), A((2,)))], {}),
    (rt.multi_dot_grad, [A((2,)), Seq(A((2, 3)), A((3, 3)), A((3,)))], {}),
]
# the special functions behind math.gamma/lgamma and np.i0, differentiated again
ROWS += [
    (rt.digamma, [A((3,), 0.5, 3.0)], {}),
    (rt.digamma, [F(0.5, 3.0)], {}),
    (rt.i0_slope, [A((3, 4))], {}),
    (rt.i0_slope, [V([0.0, 0.7, -1.3])], {}),
    (rt.i0_slope, [F()], {}),
]
# np.vander (np.polyfit's gradient differentiates it again)
ROWS += [
    (np.vander, [A((4,))], {}),
    (np.vander, [A((3,)), C(5)], {}),
    (np.vander, [A((3,)), C(4)], {"increasing": True}),
    (np.vander, [A((2,)), C(1)], {}),
]
