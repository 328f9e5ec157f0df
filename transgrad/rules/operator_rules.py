"""Adjoints of Python's arithmetic operators (`a + b` is looked up as operator.add).

Elementwise operators undo broadcasting with rt.unbroadcast; comparisons and
boolean operators produce constants.
"""
import operator

import numpy as np

from transgrad import runtime as rt
from transgrad.rules.registry import adjoint_template, d, non_differentiable

# ----- binary arithmetic -----


@adjoint_template(operator.add)
def add(z, x, y):
    d[x] = rt.unbroadcast(d[z], x)
    d[y] = rt.unbroadcast(d[z], y)


@adjoint_template(operator.sub)
def sub(z, x, y):
    d[x] = rt.unbroadcast(d[z], x)
    d[y] = rt.unbroadcast(-d[z], y)


@adjoint_template(operator.mul)
def mul(z, x, y):
    d[x] = rt.unbroadcast(d[z] * y, x)
    d[y] = rt.unbroadcast(d[z] * x, y)


@adjoint_template(operator.truediv)
def truediv(z, x, y):
    d[x] = rt.unbroadcast(rt.masked_div(d[z], y), x)
    d[y] = rt.unbroadcast(rt.masked_div(-d[z] * x, y * y), y)


@adjoint_template(operator.pow)
def pow(z, x, y):
    d[x] = rt.unbroadcast(d[z] * y * x ** (y - 1), x)
    d[y] = rt.unbroadcast(d[z] * z * np.log(np.where(x > 0, x, 1.0)), y)


@adjoint_template(operator.matmul)
def matmul(z, x, y):
    d[x] = rt.matmul_grad_left(d[z], x, y)
    d[y] = rt.matmul_grad_right(d[z], x, y)


@adjoint_template(operator.mod)
def mod(z, x, y):
    d[x] = rt.unbroadcast(d[z], x)
    d[y] = rt.unbroadcast(-d[z] * np.floor_divide(x, y), y)


# ----- unary -----


@adjoint_template(operator.neg)
def neg(y, x):
    d[x] = -d[y]


@adjoint_template(operator.pos)
def pos(y, x):
    d[x] = d[y]


# ----- constants: comparisons, integer division, boolean and bitwise operators -----

non_differentiable(
    operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge,
    operator.floordiv, operator.not_, operator.invert, operator.and_, operator.or_,
    operator.xor, operator.lshift, operator.rshift, operator.is_, operator.is_not,
    operator.contains,
)
