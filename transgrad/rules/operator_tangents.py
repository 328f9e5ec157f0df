"""Tangents of Python's arithmetic operators (`a + b` is looked up as operator.add).

The forward-mode twin of operator_rules.py: each template assigns `t[z]` from
the operands' tangents, one term per operand, so the terms of an operand
without a tangent drop out (`z_dot = x_dot * y` when only x varies).
"""
import operator

import numpy as np

from transgrad.rules.registry import t, tangent_template


@tangent_template(operator.add)
def add(z, x, y):
    t[z] = t[x] + t[y]


@tangent_template(operator.sub)
def sub(z, x, y):
    t[z] = t[x] - t[y]


@tangent_template(operator.mul)
def mul(z, x, y):
    t[z] = t[x] * y + x * t[y]


@tangent_template(operator.truediv)
def truediv(z, x, y):
    t[z] = t[x] / y - z * t[y] / y


@tangent_template(operator.pow)
def pow(z, x, y):
    t[z] = t[x] * y * x ** (y - 1) + t[y] * z * np.log(np.where(x > 0, x, 1.0))


@tangent_template(operator.matmul)
def matmul(z, x, y):
    t[z] = t[x] @ y + x @ t[y]


@tangent_template(operator.mod)
def mod(z, x, y):
    t[z] = t[x] - t[y] * np.floor_divide(x, y)


@tangent_template(operator.neg)
def neg(y, x):
    t[y] = -t[x]


@tangent_template(operator.pos)
def pos(y, x):
    t[y] = t[x]
