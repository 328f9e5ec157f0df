"""Tangents of the math module (Python floats in, Python floats out), the twins of math_rules.py.

Each multiplies the input's tangent by the derivative; the conventions at
singular points are those of math_rules.py (rt.div gives inf or nan like
numpy instead of ZeroDivisionError).
"""
import math

import numpy as np

from transgrad import runtime as rt
from transgrad.rules.registry import t, tangent_template


@tangent_template(math.exp)
def exp(y, x):
    t[y] = t[x] * y


@tangent_template(math.expm1)
def expm1(y, x):
    t[y] = t[x] * (y + 1.0)


@tangent_template(math.log)
def log(y, x, base=math.e):
    t[y] = t[x] / (x * math.log(base)) - t[base] * y / (base * math.log(base))


@tangent_template(math.log2)
def log2(y, x):
    t[y] = t[x] / (x * math.log(2.0))


@tangent_template(math.log10)
def log10(y, x):
    t[y] = t[x] / (x * math.log(10.0))


@tangent_template(math.log1p)
def log1p(y, x):
    t[y] = t[x] / (1.0 + x)


@tangent_template(math.sqrt)
def sqrt(y, x):
    t[y] = rt.div(t[x], 2.0 * y)


@tangent_template(math.pow)
def pow(z, x, y):
    t[z] = t[x] * y * rt.fpow(x, y - 1.0) + t[y] * (z * math.log(x) if x > 0 else 0.0)


@tangent_template(math.fabs)
def fabs(y, x):
    t[y] = t[x] * np.sign(x)


@tangent_template(math.sin)
def sin(y, x):
    t[y] = t[x] * math.cos(x)


@tangent_template(math.cos)
def cos(y, x):
    t[y] = -t[x] * math.sin(x)


@tangent_template(math.tan)
def tan(y, x):
    t[y] = t[x] * (1.0 + y * y)


@tangent_template(math.asin)
def asin(y, x):
    t[y] = rt.div(t[x], math.sqrt(1.0 - x * x))


@tangent_template(math.acos)
def acos(y, x):
    t[y] = rt.div(-t[x], math.sqrt(1.0 - x * x))


@tangent_template(math.atan)
def atan(y, x):
    t[y] = t[x] / (1.0 + x * x)


@tangent_template(math.atan2)
def atan2(z, y, x):
    t[z] = rt.div(t[y] * x - y * t[x], x * x + y * y)


@tangent_template(math.sinh)
def sinh(y, x):
    t[y] = t[x] * math.cosh(x)


@tangent_template(math.cosh)
def cosh(y, x):
    t[y] = t[x] * math.sinh(x)


@tangent_template(math.tanh)
def tanh(y, x):
    t[y] = t[x] * (1.0 - y * y)


@tangent_template(math.asinh)
def asinh(y, x):
    t[y] = t[x] / math.sqrt(x * x + 1.0)


@tangent_template(math.acosh)
def acosh(y, x):
    t[y] = rt.div(t[x], math.sqrt(x * x - 1.0))


@tangent_template(math.atanh)
def atanh(y, x):
    t[y] = t[x] / (1.0 - x * x)


@tangent_template(math.hypot)
def hypot(z, x, y):
    t[z] = (t[x] * x + t[y] * y) / z if z else 0.0 * (t[x] + t[y])


@tangent_template(math.erf)
def erf(y, x):
    t[y] = t[x] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@tangent_template(math.erfc)
def erfc(y, x):
    t[y] = -t[x] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@tangent_template(math.degrees)
def degrees(y, x):
    t[y] = t[x] * (180.0 / math.pi)


@tangent_template(math.radians)
def radians(y, x):
    t[y] = t[x] * (math.pi / 180.0)


if hasattr(math, "cbrt"):   # math.cbrt and math.exp2 are new in Python 3.11
    @tangent_template(math.cbrt)
    def cbrt(y, x):
        t[y] = rt.div(t[x], 3.0 * y * y)

    @tangent_template(math.exp2)
    def exp2(y, x):
        t[y] = t[x] * y * math.log(2.0)


@tangent_template(math.copysign)
def copysign(z, x, y):
    t[z] = t[x] * np.sign(x) * math.copysign(1.0, y)


@tangent_template(math.fmod)
def fmod(z, x, y):
    t[z] = t[x] - t[y] * math.trunc(x / y)


@tangent_template(math.remainder)
def remainder(z, x, y):
    t[z] = t[x] - t[y] * np.round(x / y)


@tangent_template(math.ldexp)
def ldexp(y, x, i):
    t[y] = t[x] * 2.0 ** i


@tangent_template(math.gamma)
def gamma(y, x):
    t[y] = t[x] * y * rt.digamma(x)


@tangent_template(math.lgamma)
def lgamma(y, x):
    t[y] = t[x] * rt.digamma(x)


@tangent_template(math.fsum)
def fsum(y, seq):
    t[y] = math.fsum(t[seq])


@tangent_template(math.prod)
def prod(y, iterable, *, start=1):
    t[y] = float(np.dot(rt.sequence_prod_grad(1.0, iterable, start), t[iterable]))


@tangent_template(math.dist)
def dist(y, p, q):
    t[y] = float(np.dot(rt.dist_grad(1.0, p, q, y), np.subtract(t[p], t[q])))


@tangent_template(math.frexp)
def frexp(y, x):
    t[y] = (t[x] * 2.0 ** -y[1], 0.0)


@tangent_template(math.modf)
def modf(y, x):
    t[y] = (t[x], 0.0)
