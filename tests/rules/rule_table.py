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
