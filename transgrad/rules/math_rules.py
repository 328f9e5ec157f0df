"""Adjoints of the math module (Python floats in, Python floats out).

Conventions: fabs at 0 has gradient 0; hypot at (0, 0) has gradient 0 (like
np.linalg.norm at 0); where the derivative is infinite (sqrt at 0, asin/acos
at ±1, atan2 at the origin, pow(0, p) with p < 1) the gradient is ±inf or nan
like numpy, never a ZeroDivisionError (rt.div, rt.fpow). floor, ceil, trunc
and the predicates are constants.
"""
import math

import numpy as np

from transgrad import runtime as rt
from transgrad.rules.registry import adjoint_template, d, non_differentiable


@adjoint_template(math.exp)
def exp(y, x):
    d[x] = d[y] * y


@adjoint_template(math.expm1)
def expm1(y, x):
    d[x] = d[y] * (y + 1.0)


@adjoint_template(math.log)
def log(y, x, base=math.e):
    d[x] = d[y] / (x * math.log(base))
    d[base] = -d[y] * y / (base * math.log(base))


@adjoint_template(math.log2)
def log2(y, x):
    d[x] = d[y] / (x * math.log(2.0))


@adjoint_template(math.log10)
def log10(y, x):
    d[x] = d[y] / (x * math.log(10.0))


@adjoint_template(math.log1p)
def log1p(y, x):
    d[x] = d[y] / (1.0 + x)


@adjoint_template(math.sqrt)
def sqrt(y, x):
    d[x] = rt.div(d[y], 2.0 * y)


@adjoint_template(math.pow)
def pow(z, x, y):
    d[x] = d[z] * y * rt.fpow(x, y - 1.0)
    d[y] = d[z] * z * math.log(x) if x > 0 else 0.0 * d[z]


@adjoint_template(math.fabs)
def fabs(y, x):
    d[x] = d[y] * np.sign(x)


@adjoint_template(math.sin)
def sin(y, x):
    d[x] = d[y] * math.cos(x)


@adjoint_template(math.cos)
def cos(y, x):
    d[x] = -d[y] * math.sin(x)


@adjoint_template(math.tan)
def tan(y, x):
    d[x] = d[y] * (1.0 + y * y)


@adjoint_template(math.asin)
def asin(y, x):
    d[x] = rt.div(d[y], math.sqrt(1.0 - x * x))


@adjoint_template(math.acos)
def acos(y, x):
    d[x] = rt.div(-d[y], math.sqrt(1.0 - x * x))


@adjoint_template(math.atan)
def atan(y, x):
    d[x] = d[y] / (1.0 + x * x)


@adjoint_template(math.atan2)
def atan2(z, y, x):
    r2 = x * x + y * y
    d[y] = rt.div(d[z] * x, r2)
    d[x] = rt.div(-d[z] * y, r2)


@adjoint_template(math.sinh)
def sinh(y, x):
    d[x] = d[y] * math.cosh(x)


@adjoint_template(math.cosh)
def cosh(y, x):
    d[x] = d[y] * math.sinh(x)


@adjoint_template(math.tanh)
def tanh(y, x):
    d[x] = d[y] * (1.0 - y * y)


@adjoint_template(math.asinh)
def asinh(y, x):
    d[x] = d[y] / math.sqrt(x * x + 1.0)


@adjoint_template(math.acosh)
def acosh(y, x):
    d[x] = rt.div(d[y], math.sqrt(x * x - 1.0))


@adjoint_template(math.atanh)
def atanh(y, x):
    d[x] = d[y] / (1.0 - x * x)


@adjoint_template(math.hypot)
def hypot(z, x, y):
    d[x] = d[z] * x / z if z else 0.0 * d[z]
    d[y] = d[z] * y / z if z else 0.0 * d[z]


@adjoint_template(math.erf)
def erf(y, x):
    d[x] = d[y] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@adjoint_template(math.erfc)
def erfc(y, x):
    d[x] = -d[y] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@adjoint_template(math.degrees)
def degrees(y, x):
    d[x] = d[y] * (180.0 / math.pi)


@adjoint_template(math.radians)
def radians(y, x):
    d[x] = d[y] * (math.pi / 180.0)


non_differentiable(
    math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite, math.isclose,
    math.factorial, math.gcd, math.comb, math.perm,
)
