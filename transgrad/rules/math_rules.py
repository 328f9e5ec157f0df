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


if hasattr(math, "cbrt"):   # math.cbrt and math.exp2 are new in Python 3.11
    @adjoint_template(math.cbrt)
    def cbrt(y, x):
        d[x] = rt.div(d[y], 3.0 * y * y)

    @adjoint_template(math.exp2)
    def exp2(y, x):
        d[x] = d[y] * y * math.log(2.0)


@adjoint_template(math.copysign, convention="|x| sign(y): x gets sign(x) sign(y) (0 at x = 0); y none")
def copysign(z, x, y):
    d[x] = d[z] * np.sign(x) * math.copysign(1.0, y)


@adjoint_template(math.fmod, convention="as np.fmod: y gets -trunc(x / y)")
def fmod(z, x, y):
    d[x] = d[z]
    d[y] = -d[z] * math.trunc(x / y)


@adjoint_template(math.remainder, convention="x - n y with n = round(x / y): y gets -n")
def remainder(z, x, y):
    d[x] = d[z]
    d[y] = -d[z] * np.round(x / y)


@adjoint_template(math.ldexp)
def ldexp(y, x, i):
    d[x] = d[y] * 2.0 ** i


@adjoint_template(math.gamma)
def gamma(y, x):
    d[x] = d[y] * y * rt.digamma(x)


@adjoint_template(math.lgamma)
def lgamma(y, x):
    d[x] = d[y] * rt.digamma(x)


@adjoint_template(math.fsum)
def fsum(y, seq):
    d[seq] = rt.sequence_grad(d[y], seq)


@adjoint_template(math.prod, convention="exact with zeros (the product of the other factors)")
def prod(y, iterable, *, start=1):
    d[iterable] = rt.sequence_prod_grad(d[y], iterable, start)


@adjoint_template(math.dist, convention="gradient 0 when p == q (as np.linalg.norm at 0)")
def dist(y, p, q):
    d[p] = rt.dist_grad(d[y], p, q, y)
    d[q] = rt.dist_grad(-d[y], p, q, y)


@adjoint_template(math.frexp, tuple_result=True, convention="the mantissa has slope 2**-exponent, the exponent is constant")
def frexp(y, x):
    d[x] = rt.output_grad(d[y], y, 0) * 2.0 ** -y[1]


@adjoint_template(math.modf, tuple_result=True, convention="the fractional part has slope 1, the integral part is constant")
def modf(y, x):
    d[x] = rt.output_grad(d[y], y, 0)


non_differentiable(
    math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite, math.isclose,
    math.factorial, math.gcd, math.comb, math.perm,
)
