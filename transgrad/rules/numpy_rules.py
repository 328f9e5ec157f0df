"""Adjoints of numpy functions and ufuncs, ndarray methods and attributes.

Each template reads like a hand-written gradient: `d[x] = d[y] * np.cos(x)`.
Elementwise binary rules undo broadcasting with rt.unbroadcast; reductions
broadcast the gradient back with rt.unreduce (axis and keepdims logic lives in
the runtime). Keywords a template does not list (`out=`, `dtype=`, `where=`,
`initial=`, ...) are rejected by the compiler with NonDifferentiableError.

Conventions at kinks and singular points:
- abs/absolute/fabs at 0: gradient 0 (np.sign(0) == 0).
- maximum/minimum/fmax/fmin: on a tie each operand gets half (rt.balanced_eq).
- max/min/amax/amin reductions: the gradient is split equally among the tied
  extreme elements (rt.select_max).
- clip: the gradient flows to `a` where a_min <= a <= a_max (inclusive); a
  bound gets it where `a` lies strictly beyond it.
- sqrt and cbrt at 0, log at 0, arcsin/arccos at ±1, arctanh at ±1: inf or
  nan like numpy's division by zero (numpy warns).
- power: the derivative in the exponent uses log(x) where x > 0, 0 elsewhere.
- hypot at (0, 0): 0, like np.linalg.norm at 0.
- std at zero spread: 0, like np.linalg.norm at 0.
- prod: exact where the input has zeros (product of the other factors).
- where: the condition is a constant.
- sign, floor, ceil, round, rint, trunc, fix: piecewise constant, so
  non-differentiable (the result is a constant: gradient 0).
"""
import math

import numpy as np

from transgrad import runtime as rt
from transgrad.rules.registry import (adjoint_template, attribute_template, d, method_template,
                                      non_differentiable, non_differentiable_attributes,
                                      non_differentiable_methods)

# ----- elementwise binary ufuncs -----


@adjoint_template(np.add)
def add(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z], x1)
    d[x2] = rt.unbroadcast(d[z], x2)


@adjoint_template(np.subtract)
def subtract(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z], x1)
    d[x2] = rt.unbroadcast(-d[z], x2)


@adjoint_template(np.multiply)
def multiply(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z] * x2, x1)
    d[x2] = rt.unbroadcast(d[z] * x1, x2)


@adjoint_template(np.true_divide, np.divide)
def divide(z, x1, x2):
    d[x1] = rt.unbroadcast(rt.masked_div(d[z], x2), x1)
    d[x2] = rt.unbroadcast(rt.masked_div(-d[z] * x1, x2 * x2), x2)


@adjoint_template(np.power, np.float_power)
def power(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z] * x2 * x1 ** (x2 - 1), x1)
    d[x2] = rt.unbroadcast(d[z] * z * np.log(np.where(x1 > 0, x1, 1.0)), x2)


@adjoint_template(np.maximum, np.minimum, np.fmax, np.fmin)
def maximum(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z] * rt.balanced_eq(x1, z, x2), x1)
    d[x2] = rt.unbroadcast(d[z] * rt.balanced_eq(x2, z, x1), x2)


@adjoint_template(np.arctan2)
def arctan2(z, x1, x2):
    r2 = x1 ** 2 + x2 ** 2
    d[x1] = rt.unbroadcast(d[z] * x2 / r2, x1)
    d[x2] = rt.unbroadcast(-d[z] * x1 / r2, x2)


@adjoint_template(np.hypot)
def hypot(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z] * rt.safe_ratio(x1, z), x1)
    d[x2] = rt.unbroadcast(d[z] * rt.safe_ratio(x2, z), x2)


@adjoint_template(np.logaddexp)
def logaddexp(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z] * np.exp(x1 - z), x1)
    d[x2] = rt.unbroadcast(d[z] * np.exp(x2 - z), x2)


@adjoint_template(np.logaddexp2)
def logaddexp2(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z] * np.exp2(x1 - z), x1)
    d[x2] = rt.unbroadcast(d[z] * np.exp2(x2 - z), x2)


@adjoint_template(np.remainder)
def remainder(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z], x1)
    d[x2] = rt.unbroadcast(-d[z] * np.floor_divide(x1, x2), x2)


@adjoint_template(np.fmod)
def fmod(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z], x1)
    d[x2] = rt.unbroadcast(-d[z] * np.trunc(x1 / x2), x2)


# ----- elementwise unary ufuncs -----


@adjoint_template(np.negative)
def negative(y, x):
    d[x] = -d[y]


@adjoint_template(np.positive)
def positive(y, x):
    d[x] = d[y]


@adjoint_template(np.exp)
def exp(y, x):
    d[x] = d[y] * y


@adjoint_template(np.exp2)
def exp2(y, x):
    d[x] = d[y] * y * math.log(2.0)


@adjoint_template(np.expm1)
def expm1(y, x):
    d[x] = d[y] * (y + 1)


@adjoint_template(np.log)
def log(y, x):
    d[x] = rt.masked_div(d[y], x)


@adjoint_template(np.log2)
def log2(y, x):
    d[x] = rt.masked_div(d[y], x * math.log(2.0))


@adjoint_template(np.log10)
def log10(y, x):
    d[x] = rt.masked_div(d[y], x * math.log(10.0))


@adjoint_template(np.log1p)
def log1p(y, x):
    d[x] = rt.masked_div(d[y], 1 + x)


@adjoint_template(np.sin)
def sin(y, x):
    d[x] = d[y] * np.cos(x)


@adjoint_template(np.cos)
def cos(y, x):
    d[x] = -d[y] * np.sin(x)


@adjoint_template(np.tan)
def tan(y, x):
    d[x] = d[y] * (1 + y ** 2)


@adjoint_template(np.arcsin)
def arcsin(y, x):
    d[x] = rt.masked_div(d[y], np.sqrt(1 - x ** 2))


@adjoint_template(np.arccos)
def arccos(y, x):
    d[x] = rt.masked_div(-d[y], np.sqrt(1 - x ** 2))


@adjoint_template(np.arctan)
def arctan(y, x):
    d[x] = d[y] / (1 + x ** 2)


@adjoint_template(np.sinh)
def sinh(y, x):
    d[x] = d[y] * np.cosh(x)


@adjoint_template(np.cosh)
def cosh(y, x):
    d[x] = d[y] * np.sinh(x)


@adjoint_template(np.tanh)
def tanh(y, x):
    d[x] = d[y] * (1 - y ** 2)


@adjoint_template(np.arcsinh)
def arcsinh(y, x):
    d[x] = d[y] / np.sqrt(x ** 2 + 1)


@adjoint_template(np.arccosh)
def arccosh(y, x):
    d[x] = rt.masked_div(d[y], np.sqrt(x ** 2 - 1))


@adjoint_template(np.arctanh)
def arctanh(y, x):
    d[x] = rt.masked_div(d[y], 1 - x ** 2)


@adjoint_template(np.sqrt)
def sqrt(y, x):
    d[x] = rt.masked_div(d[y], 2 * y)


@adjoint_template(np.cbrt)
def cbrt(y, x):
    d[x] = rt.masked_div(d[y], 3 * y ** 2)


@adjoint_template(np.square)
def square(y, x):
    d[x] = d[y] * 2 * x


@adjoint_template(np.reciprocal)
def reciprocal(y, x):
    d[x] = -d[y] * y ** 2


@adjoint_template(np.absolute, np.abs, np.fabs, convention="gradient 0 at 0 (sign(0) = 0), as PyTorch and autograd (JAX gives 1); complex x: g conj(x)/|x|")
def absolute(y, x):
    d[x] = np.real(d[y]) * rt.conj_sign(x)


@adjoint_template(np.deg2rad, np.radians)
def deg2rad(y, x):
    d[x] = d[y] * (math.pi / 180)


@adjoint_template(np.rad2deg, np.degrees)
def rad2deg(y, x):
    d[x] = d[y] * (180 / math.pi)


# ----- selection -----


@adjoint_template(np.where)
def where(z, condition, x=None, y=None):
    d[x] = rt.unbroadcast(np.where(condition, d[z], 0.0), x)
    d[y] = rt.unbroadcast(np.where(condition, 0.0, d[z]), y)


@adjoint_template(np.clip)
def clip(y, a, a_min=None, a_max=None):
    d[a] = rt.unbroadcast(d[y] * rt.clip_inside(a, a_min, a_max), a)
    d[a_min] = rt.unbroadcast(d[y] * (a < a_min), a_min)
    d[a_max] = rt.unbroadcast(d[y] * (a > a_max), a_max)


@method_template("clip")
def clip_method(y, a, min=None, max=None):
    d[a] = rt.unbroadcast(d[y] * rt.clip_inside(a, min, max), a)
    d[min] = rt.unbroadcast(d[y] * (a < min), min)
    d[max] = rt.unbroadcast(d[y] * (a > max), max)


# ----- reductions (np.f and ndarray.f share a template: the array comes first) -----


@method_template("sum")
@adjoint_template(np.sum)
def sum_(y, a, axis=None, *, keepdims=False):
    d[a] = rt.unreduce(d[y], a, axis, keepdims)


@method_template("mean")
@adjoint_template(np.mean)
def mean(y, a, axis=None, *, keepdims=False):
    d[a] = rt.unreduce(d[y], a, axis, keepdims) / rt.reduced_size(a, axis)


@method_template("max", "min")
@adjoint_template(np.max, np.amax, np.min, np.amin)
def max_(y, a, axis=None, *, keepdims=False):
    d[a] = rt.select_max(d[y], a, y, axis, keepdims)


@method_template("prod")
@adjoint_template(np.prod)
def prod(y, a, axis=None, *, keepdims=False):
    d[a] = rt.prod_grad(d[y], a, axis, keepdims)


@method_template("var")
@adjoint_template(np.var, convention="2 g conj(a - mean) / (n - ddof): the conjugate for a complex a")
def var(y, a, axis=None, *, ddof=0, keepdims=False):
    d[a] = rt.unreduce(np.real(d[y]), a, axis, keepdims) * (2.0 / (rt.reduced_size(a, axis) - ddof)) * rt.conj(a - np.mean(a, axis, keepdims=True))


@method_template("std")
@adjoint_template(np.std, convention="g conj(a - mean) / ((n - ddof) std): the conjugate for a complex a; zero spread gets 0")
def std(y, a, axis=None, *, ddof=0, keepdims=False):
    d[a] = rt.unreduce(rt.safe_ratio(np.real(d[y]), y), a, axis, keepdims) * rt.conj(a - np.mean(a, axis, keepdims=True)) / (rt.reduced_size(a, axis) - ddof)


@method_template("cumsum")
@adjoint_template(np.cumsum)
def cumsum(y, a, axis=None):
    d[a] = rt.cumsum_grad(d[y], a, axis)


# ----- shapes and copies -----


@adjoint_template(np.reshape)
def reshape(y, a, shape=None, order="C"):
    d[a] = np.reshape(d[y], np.shape(a), order=order)


@method_template("reshape")
def reshape_method(y, a, *shape, order="C"):
    d[a] = np.reshape(d[y], np.shape(a), order=order)


@adjoint_template(np.transpose)
def transpose(y, a, axes=None):
    d[a] = np.transpose(d[y], rt.inverse_axes(axes))


@method_template("transpose")
def transpose_method(y, a, *axes):
    d[a] = np.transpose(d[y], rt.inverse_axes(axes))


@attribute_template("T")
def T(y, a):
    d[a] = np.transpose(d[y])


@method_template("swapaxes")
@adjoint_template(np.swapaxes)
def swapaxes(y, a, axis1, axis2):
    d[a] = np.swapaxes(d[y], axis1, axis2)


@adjoint_template(np.moveaxis)
def moveaxis(y, a, source, destination):
    d[a] = np.moveaxis(d[y], destination, source)


@method_template("squeeze")
@adjoint_template(np.squeeze)
def squeeze(y, a, axis=None):
    d[a] = np.reshape(d[y], np.shape(a))


@adjoint_template(np.expand_dims)
def expand_dims(y, a, axis):
    d[a] = np.reshape(d[y], np.shape(a))


@adjoint_template(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast_1d(y, a):
    d[a] = np.reshape(d[y], np.shape(a))


@method_template("ravel", "flatten")
@adjoint_template(np.ravel)
def ravel(y, a, order="C"):
    d[a] = np.reshape(d[y], np.shape(a), order=order)


@method_template("copy")
@adjoint_template(np.copy)
def copy(y, a, order="K"):
    d[a] = d[y]


@adjoint_template(np.array)
def array(y, object, dtype=None):
    d[object] = rt.array_grad(d[y], object)


@adjoint_template(np.asarray, np.asanyarray, np.ascontiguousarray)
def asarray(y, a, dtype=None):
    d[a] = rt.array_grad(d[y], a)


@adjoint_template(np.broadcast_to)
def broadcast_to(y, array, shape):
    d[array] = rt.unbroadcast(d[y], array)


@adjoint_template(np.flip)
def flip(y, m, axis=None):
    d[m] = np.flip(d[y], axis)


@adjoint_template(np.fliplr)
def fliplr(y, m):
    d[m] = np.fliplr(d[y])


@adjoint_template(np.flipud)
def flipud(y, m):
    d[m] = np.flipud(d[y])


@adjoint_template(np.roll)
def roll(y, a, shift, axis=None):
    d[a] = np.roll(d[y], np.negative(shift), axis)


@adjoint_template(np.tril)
def tril(y, m, k=0):
    d[m] = np.tril(d[y], k)


@adjoint_template(np.triu)
def triu(y, m, k=0):
    d[m] = np.triu(d[y], k)


@adjoint_template(np.diag)
def diag(y, v, k=0):
    d[v] = rt.diag_grad(d[y], v, k)


@adjoint_template(np.concatenate)
def concatenate(y, arrays, axis=0):
    d[arrays] = rt.concatenate_grad(d[y], arrays, axis)


@adjoint_template(np.stack)
def stack(y, arrays, axis=0):
    d[arrays] = rt.stack_grad(d[y], arrays, axis)


@adjoint_template(np.hstack)
def hstack(y, tup):
    d[tup] = rt.hstack_grad(d[y], tup)


@adjoint_template(np.vstack)
def vstack(y, tup):
    d[tup] = rt.vstack_grad(d[y], tup)


@method_template("item")
def item(y, a):
    d[a] = np.zeros_like(a) + d[y]


# ----- complex parts (JAX/autograd convention: for a real loss L of z = a + ib the gradient is
# dL/da - i dL/db, so holomorphic rules read d[x] = d[y] * f'(x) and real inputs get real gradients).
# A rule whose output is real and whose input may be complex (real, imag, abs, angle, irfft) reads
# only the real part of its cotangent: a real value's cotangent may carry a meaningless imaginary
# part picked up from a complex operand (d[x] of x * 1j), which must not reach the complex input. -----


@adjoint_template(np.real)
def real(y, val):
    d[val] = np.real(d[y])


@attribute_template("real")
def real_attribute(y, a):
    d[a] = np.real(d[y])


@adjoint_template(np.imag)
def imag(y, val):
    d[val] = rt.imag_grad(d[y], val)


@attribute_template("imag")
def imag_attribute(y, a):
    d[a] = rt.imag_grad(d[y], a)


@method_template("conj", "conjugate")
@adjoint_template(np.conj, np.conjugate)
def conj(y, x):
    d[x] = rt.real_like(np.conj(d[y]), x)


@adjoint_template(np.angle, convention="gradient -1j g / z for a complex z; 0 for a real input (piecewise constant)")
def angle(y, z, deg=False):
    d[z] = rt.angle_grad(d[y], z, deg)


@method_template("astype", convention="a floating target keeps the gradient, cast back to the input's dtype; an integer or boolean target stops it (zero gradient)")
@adjoint_template(np.astype, convention="as ndarray.astype")
def astype(y, x, dtype, copy=True):
    d[x] = rt.astype_grad(d[y], x, y)


@adjoint_template(np.nan_to_num, convention="gradient 1 at finite entries, 0 at nan and ±inf; the replacement values get the gradient of the entries they replace")
def nan_to_num(y, x, copy=True, nan=0.0, posinf=None, neginf=None):
    d[x] = d[y] * np.isfinite(x)
    d[nan] = rt.unbroadcast(d[y] * np.isnan(x), nan)
    d[posinf] = rt.unbroadcast(d[y] * np.isposinf(x), posinf)
    d[neginf] = rt.unbroadcast(d[y] * np.isneginf(x), neginf)


@adjoint_template(np.sinc, convention="gradient 0 at x = 0 (the limit)")
def sinc(y, x):
    d[x] = d[y] * rt.sinc_slope(x)


@adjoint_template(np.copysign, convention="copysign(x1, x2) = |x1| sign(x2): x1 gets g sign(x1) sign(x2) (0 at x1 = 0); x2 none")
def copysign(z, x1, x2):
    d[x1] = rt.unbroadcast(d[z] * np.sign(x1) * np.where(np.signbit(x2), -1.0, 1.0), x1)


@adjoint_template(np.ldexp)
def ldexp(y, x1, x2):
    d[x1] = rt.unbroadcast(d[y] * np.exp2(x2), x1)


@adjoint_template(np.vander, convention="V[:, j] = x ** power_j; d V / dx = power_j x ** (power_j - 1)")
def vander(y, x, N=None, increasing=False):
    d[x] = rt.vander_grad(d[y], x, N, increasing)


@adjoint_template(np.polyval)
def polyval(y, p, x):
    d[p] = rt.polyval_grad_p(d[y], p, x)
    d[x] = d[y] * np.polyval(rt.polyder(p), x)


@adjoint_template(np.interp, convention="piecewise linear: at a knot x takes the slope of the segment to its right (the last knot: the last segment); outside [xp[0], xp[-1]] x gets 0 and the end value gets the gradient; xp is constant")
def interp(y, x, xp, fp, left=None, right=None):
    d[x] = d[y] * rt.interp_slope(x, xp, fp)
    d[xp] = rt.no_gradient("np.interp", "xp", xp)
    d[fp] = rt.interp_grad_fp(d[y], x, xp, fp, left, right)
    d[left] = rt.unbroadcast(np.sum(d[y] * (np.asarray(x) < xp[0])), left)
    d[right] = rt.unbroadcast(np.sum(d[y] * (np.asarray(x) > xp[-1])), right)


# ----- indexing functions -----


@method_template("take")
@adjoint_template(np.take, convention="repeated indices accumulate (np.add.at)")
def take(y, a, indices, axis=None, mode="raise"):
    d[a] = rt.take_grad(d[y], a, indices, axis, mode)


@adjoint_template(np.take_along_axis, convention="repeated indices accumulate (np.add.at)")
def take_along_axis(y, arr, indices, axis=-1):
    d[arr] = rt.take_along_axis_grad(d[y], arr, indices, axis)


@adjoint_template(np.compress)
def compress(y, condition, a, axis=None):
    d[a] = rt.take_grad(d[y], a, np.flatnonzero(condition), axis)


@method_template("compress")
def compress_method(y, a, condition, axis=None):
    d[a] = rt.take_grad(d[y], a, np.flatnonzero(condition), axis)


@adjoint_template(np.extract)
def extract(y, condition, arr):
    d[arr] = rt.take_grad(d[y], arr, np.flatnonzero(condition))


@adjoint_template(np.sort, convention="the gradient follows each element to its sorted position; ties keep numpy's stable order (equal values, so any choice gives the same total)")
def sort(y, a, axis=-1, kind=None):
    d[a] = rt.unsort(d[y], a, axis)


# ----- more reductions and scans -----


@method_template("cumprod")
@adjoint_template(np.cumprod, np.cumulative_prod, convention="exact where the input has zeros (products of the other factors)")
def cumprod(y, a, axis=None):
    d[a] = rt.cumprod_grad(d[y], a, y, axis)


@adjoint_template(np.cumulative_sum)
def cumulative_sum(y, x, axis=None):
    d[x] = rt.cumsum_grad(d[y], x, axis)


@adjoint_template(np.nansum, convention="nan entries get gradient 0")
def nansum(y, a, axis=None, *, keepdims=False):
    d[a] = rt.unreduce(d[y], a, axis, keepdims) * ~np.isnan(a)


@adjoint_template(np.nanmean, convention="nan entries get gradient 0; the others g / count")
def nanmean(y, a, axis=None, *, keepdims=False):
    d[a] = rt.unreduce(d[y], a, axis, keepdims) * ~np.isnan(a) / rt.nan_count(a, axis)


@adjoint_template(np.nancumsum, convention="nan entries get gradient 0")
def nancumsum(y, a, axis=None):
    d[a] = rt.cumsum_grad(d[y], a, axis) * ~np.isnan(a)


@adjoint_template(np.nanmax, np.nanmin, convention="as max/min: ties split equally, nan entries get 0")
def nanmax(y, a, axis=None, *, keepdims=False):
    d[a] = rt.select_max(d[y], a, y, axis, keepdims)


@adjoint_template(np.nanprod, convention="nan entries count as 1 and get gradient 0; exact with zeros")
def nanprod(y, a, axis=None, *, keepdims=False):
    d[a] = rt.prod_grad(d[y], np.where(np.isnan(a), 1.0, a), axis, keepdims) * ~np.isnan(a)


@adjoint_template(np.ptp, convention="max - min: ties split equally among the tied extremes")
def ptp(y, a, axis=None, *, keepdims=False):
    d[a] = rt.select_max(d[y], a, np.max(a, axis, keepdims=keepdims), axis, keepdims) - rt.select_max(d[y], a, np.min(a, axis, keepdims=keepdims), axis, keepdims)


@adjoint_template(np.median, convention="g goes to the middle element, or half to each of the two middle elements for an even count; ties follow the stable sort order")
def median(y, a, axis=None, *, keepdims=False):
    d[a] = rt.median_grad(d[y], a, axis, keepdims)


@adjoint_template(np.average, convention="weights get g (a - average) / sum(weights)")
def average(y, a, axis=None, weights=None, *, keepdims=False):
    d[a] = rt.unreduce(d[y], a, axis, keepdims) * rt.average_weights(a, axis, weights)
    d[weights] = rt.average_grad_weights(d[y], a, y, axis, weights, keepdims)


@adjoint_template(np.cov)
def cov(c, m, y=None, rowvar=True, bias=False, ddof=None):
    d[m] = rt.cov_grad(d[c], m, y, rowvar, bias, ddof)[0]
    d[y] = rt.cov_grad(d[c], m, y, rowvar, bias, ddof)[1]


@adjoint_template(np.trapezoid)
def trapezoid(z, y, x=None, dx=1.0, axis=-1):
    d[y] = rt.trapezoid_grad_y(d[z], y, x, dx, axis)
    d[x] = rt.trapezoid_grad_x(d[z], y, x, axis)
    d[dx] = rt.unbroadcast(d[z] * np.trapezoid(y, axis=axis), dx)


@adjoint_template(np.diff)
def diff(y, a, n=1, axis=-1):
    d[a] = rt.diff_grad(d[y], a, n, axis)


@adjoint_template(np.ediff1d)
def ediff1d(y, ary):
    d[ary] = np.reshape(rt.diff_grad(d[y], np.ravel(ary)), np.shape(ary))


# ----- convolution, cross products, contractions -----


@adjoint_template(np.convolve, convention="np.correlate conjugates its second argument, so the adjoints correlate with conj(v) and conj(a)")
def convolve(y, a, v, mode="full"):
    d[a] = np.correlate(rt.convolve_full(d[y], np.size(a), np.size(v), mode), rt.conj(v), "valid")
    d[v] = np.correlate(rt.convolve_full(d[y], np.size(a), np.size(v), mode), rt.conj(a), "valid")


@adjoint_template(np.correlate, convention="correlate(a, v)[k] = sum a[n + k] conj(v[n]): v gets the conjugate")
def correlate(y, a, v, mode="valid"):
    d[a] = np.correlate(rt.convolve_full(d[y], np.size(a), np.size(v), mode), v[::-1], "valid")
    d[v] = np.correlate(rt.conj(rt.convolve_full(d[y], np.size(a), np.size(v), mode)), a, "valid")[::-1]


@adjoint_template(np.cross)
def cross(y, a, b, axis=-1):
    d[a] = rt.unbroadcast(np.cross(b, d[y], axis=axis), a)
    d[b] = rt.unbroadcast(np.cross(d[y], a, axis=axis), b)


@adjoint_template(np.einsum, convention="subscripts given as a string, up to four operands; repeated labels (diagonals) and broadcasting handled")
def einsum(y, subscripts, a, b=None, c=None, e=None, optimize=False):
    d[a] = rt.einsum_grad(d[y], subscripts, (a, b, c, e), 0)
    d[b] = rt.einsum_grad(d[y], subscripts, (a, b, c, e), 1)
    d[c] = rt.einsum_grad(d[y], subscripts, (a, b, c, e), 2)
    d[e] = rt.einsum_grad(d[y], subscripts, (a, b, c, e), 3)


@adjoint_template(np.tensordot)
def tensordot(y, a, b, axes=2):
    d[a] = rt.einsum_grad(d[y], rt.tensordot_subscripts(a, b, axes), (a, b), 0)
    d[b] = rt.einsum_grad(d[y], rt.tensordot_subscripts(a, b, axes), (a, b), 1)


@adjoint_template(np.kron)
def kron(y, a, b):
    d[a] = rt.kron_grads(d[y], a, b)[0]
    d[b] = rt.kron_grads(d[y], a, b)[1]


# ----- shapes, copies, pieces -----


@adjoint_template(np.diagonal)
@method_template("diagonal")
def diagonal(y, a, offset=0, axis1=0, axis2=1):
    d[a] = rt.diagonal_grad(d[y], a, offset, axis1, axis2)


@adjoint_template(np.diagflat)
def diagflat(y, v, k=0):
    d[v] = np.reshape(np.diagonal(d[y], k), np.shape(v))


@method_template("repeat")
@adjoint_template(np.repeat)
def repeat(y, a, repeats, axis=None):
    d[a] = rt.repeat_grad(d[y], a, repeats, axis)


@adjoint_template(np.tile)
def tile(y, A, reps):
    d[A] = rt.tile_grad(d[y], A, reps)


@adjoint_template(np.pad, convention="modes constant, edge, reflect, symmetric, wrap: each padded slot's gradient goes to the element it copies")
def pad(y, array, pad_width, mode="constant", constant_values=0):
    d[array] = rt.pad_grad(d[y], array, pad_width, mode)
    d[constant_values] = rt.pad_constant_grad(d[y], array, pad_width)


@adjoint_template(np.split, np.array_split, tuple_result=True)
def split(y, ary, indices_or_sections, axis=0):
    d[ary] = rt.split_grad(d[y], ary, y, axis)


@adjoint_template(np.hsplit, tuple_result=True)
def hsplit(y, ary, indices_or_sections):
    d[ary] = rt.split_grad(d[y], ary, y, 0 if np.ndim(ary) == 1 else 1)


@adjoint_template(np.vsplit, tuple_result=True)
def vsplit(y, ary, indices_or_sections):
    d[ary] = rt.split_grad(d[y], ary, y, 0)


@adjoint_template(np.dsplit, tuple_result=True)
def dsplit(y, ary, indices_or_sections):
    d[ary] = rt.split_grad(d[y], ary, y, 2)


@adjoint_template(np.append)
def append(y, arr, values, axis=None):
    d[arr] = rt.append_grad(d[y], arr, values, axis)[0]
    d[values] = rt.append_grad(d[y], arr, values, axis)[1]


@adjoint_template(np.column_stack)
def column_stack(y, tup):
    d[tup] = rt.column_stack_grad(d[y], tup)


@adjoint_template(np.dstack)
def dstack(y, tup):
    d[tup] = rt.dstack_grad(d[y], tup)


if hasattr(np, "row_stack"):   # removed in numpy 2.5
    @adjoint_template(np.row_stack)
    def row_stack(y, tup):
        d[tup] = rt.vstack_grad(d[y], tup)


@adjoint_template(np.meshgrid, tuple_result=True)
def meshgrid(y, x1, x2=None, x3=None, indexing="xy"):
    d[x1] = rt.meshgrid_grad(d[y], y, 0, indexing)
    d[x2] = rt.meshgrid_grad(d[y], y, 1, indexing)
    d[x3] = rt.meshgrid_grad(d[y], y, 2, indexing)


@adjoint_template(np.rot90)
def rot90(y, m, k=1, axes=None):
    d[m] = np.rot90(d[y], -k, (0, 1) if axes is None else axes)


@adjoint_template(np.rollaxis)
def rollaxis(y, a, axis, start=0):
    d[a] = np.reshape(np.moveaxis(d[y], rt.rollaxis_destination(a, axis, start), axis), np.shape(a))


@adjoint_template(np.matrix_transpose)
@attribute_template("mT")
def matrix_transpose(y, x):
    d[x] = np.swapaxes(d[y], -1, -2)


@adjoint_template(np.full, convention="the fill value gets the sum of the gradient")
def full(y, shape, fill_value):
    d[fill_value] = rt.unbroadcast(d[y], fill_value)


@adjoint_template(np.full_like, convention="the fill value gets the sum of the gradient; the prototype array none")
def full_like(y, a, fill_value):
    d[fill_value] = rt.unbroadcast(d[y], fill_value)


@adjoint_template(np.linspace, convention="start and stop get the gradient weighted by (1 - t) and t")
def linspace(y, start, stop, num=50, endpoint=True):
    d[start] = rt.unbroadcast(np.sum(d[y] * (1 - rt.linspace_weights(num, endpoint))), start)
    d[stop] = rt.unbroadcast(np.sum(d[y] * rt.linspace_weights(num, endpoint)), stop)


# ----- np.fft (the DFT matrix is symmetric, so a transform's adjoint is the same transform) -----


@adjoint_template(np.fft.fft, name="np.fft.fft", convention="JAX/autograd complex convention; a real input gets the real part")
def fft(y, a, n=None, axis=-1, norm=None):
    d[a] = rt.fft_grad(d[y], a, n, axis, norm)


@adjoint_template(np.fft.ifft, name="np.fft.ifft", convention="JAX/autograd complex convention; a real input gets the real part")
def ifft(y, a, n=None, axis=-1, norm=None):
    d[a] = rt.fft_grad(d[y], a, n, axis, norm, True)


@adjoint_template(np.fft.rfft, name="np.fft.rfft", convention="real input, real gradient: Re(fft(g zero-padded to the full spectrum))")
def rfft(y, a, n=None, axis=-1, norm=None):
    d[a] = rt.rfft_grad(d[y], a, n, axis, norm)


@adjoint_template(np.fft.irfft, name="np.fft.irfft", convention="the imaginary parts of the zero and Nyquist bins, which irfft ignores, get gradient 0; other bins count twice (they stand for a conjugate pair)")
def irfft(y, a, n=None, axis=-1, norm=None):
    d[a] = rt.irfft_grad(d[y], a, n, axis, norm)


@adjoint_template(np.fft.fftshift, name="np.fft.fftshift")
def fftshift(y, x, axes=None):
    d[x] = np.fft.ifftshift(d[y], axes)


@adjoint_template(np.fft.ifftshift, name="np.fft.ifftshift")
def ifftshift(y, x, axes=None):
    d[x] = np.fft.fftshift(d[y], axes)


@adjoint_template(np.fft.fftn, name="np.fft.fftn")
def fftn(y, a, s=None, axes=None, norm=None):
    d[a] = rt.real_like(rt.fftn_grad(d[y], a, s, axes, norm, False), a)


@adjoint_template(np.fft.ifftn, name="np.fft.ifftn")
def ifftn(y, a, s=None, axes=None, norm=None):
    d[a] = rt.real_like(rt.fftn_grad(d[y], a, s, axes, norm, True), a)


@adjoint_template(np.fft.fft2, name="np.fft.fft2")
def fft2(y, a, s=None, axes=None, norm=None):
    d[a] = rt.real_like(rt.fftn_grad(d[y], a, s, (-2, -1) if axes is None else axes, norm, False), a)


@adjoint_template(np.fft.ifft2, name="np.fft.ifft2")
def ifft2(y, a, s=None, axes=None, norm=None):
    d[a] = rt.real_like(rt.fftn_grad(d[y], a, s, (-2, -1) if axes is None else axes, norm, True), a)


@adjoint_template(np.bincount, convention="the counts are constants; the weights get g at their bins")
def bincount(y, x, weights=None, minlength=0):
    d[weights] = d[y][x]


@adjoint_template(np.nextafter)
def nextafter(y, x1, x2):
    d[x1] = rt.unbroadcast(d[y], x1)


@adjoint_template(np.real_if_close)
def real_if_close(y, a, tol=100):
    d[a] = d[y]


@adjoint_template(np.divmod, tuple_result=True, convention="as floor_divide (constant) and remainder")
def divmod_(y, x1, x2):
    d[x1] = rt.unbroadcast(rt.output_grad(d[y], y, 1), x1)
    d[x2] = rt.unbroadcast(-rt.output_grad(d[y], y, 1) * y[0], x2)


@adjoint_template(np.modf, tuple_result=True, convention="the fractional part has slope 1, the integral part is constant")
def modf(y, x):
    d[x] = rt.output_grad(d[y], y, 0)


@adjoint_template(np.frexp, tuple_result=True, convention="the mantissa has slope 2**-exponent, the exponent is constant")
def frexp(y, x):
    d[x] = rt.output_grad(d[y], y, 0) * np.exp2(-y[1])


@adjoint_template(np.broadcast_arrays, tuple_result=True)
def broadcast_arrays(y, a, b=None, c=None):
    d[a] = rt.unbroadcast(rt.output_grad(d[y], y, 0), a)
    d[b] = rt.unbroadcast(rt.output_grad(d[y], y, 1), b)
    d[c] = rt.unbroadcast(rt.output_grad(d[y], y, 2), c)


# ----- constants: shapes, indices, comparisons, piecewise-constant functions, constructors -----

non_differentiable(
    np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero,
    np.flatnonzero, np.count_nonzero, np.searchsorted, np.digitize,
    np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix, np.sign, np.signbit,
    np.floor_divide, np.heaviside,
    np.zeros, np.ones, np.zeros_like, np.ones_like, np.empty, np.empty_like,
    np.arange, np.logspace, np.eye, np.identity, np.tri,
    np.isnan, np.isfinite, np.isinf, np.isclose, np.allclose, np.array_equal,
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.all, np.any,
)
non_differentiable(np.spacing, np.histogram, np.unique, convention="piecewise constant: gradient 0")
non_differentiable(np.result_type, np.promote_types, convention="a dtype, not a number")
non_differentiable(np.iscomplexobj, np.isrealobj, np.iscomplex, np.isreal, np.isscalar, np.issubdtype,
                   convention="a property of the type or value: a boolean")
non_differentiable_methods("argmax", "argmin", "argsort", "nonzero", "all", "any", "searchsorted", "round")
non_differentiable_attributes("shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides")


# ----- runtime helpers as primitives, so generated gradient code can itself be differentiated -----
# Each helper below is linear in its gradient argument; its other arguments are
# read only for their shapes or for piecewise-constant masks (so they carry no
# gradient). For the products, <w, L(g, b)> = <g, w @ b> gives exact adjoints.
# Helpers without a rule here (norm_grad, prod_grad, list-valued helpers) raise
# NonDifferentiableError in a second derivative instead of giving a wrong answer.

non_differentiable(rt.balanced_eq, rt.reduced_size, rt.normalize_axis, rt.clip_inside, rt.inverse_axes,
                   rt.select_weights)


@adjoint_template(rt.unbroadcast)
def rt_unbroadcast(y, g, x):
    d[g] = np.broadcast_to(d[y], np.shape(g))


@adjoint_template(rt.unreduce)
def rt_unreduce(y, g, x, axis=None, keepdims=False):
    d[g] = rt.reduce_like(d[y], g, axis, keepdims)


@adjoint_template(rt.keep_reduced)
def rt_keep_reduced(y, ans, x, axis=None, keepdims=False):
    d[ans] = np.reshape(d[y], np.shape(ans))


@adjoint_template(rt.select_max)
def rt_select_max(y, g, x, ans, axis=None, keepdims=False):
    d[g] = rt.reduce_like(d[y] * rt.select_weights(x, ans, axis, keepdims), g, axis, keepdims)


@adjoint_template(rt.safe_ratio)
def rt_safe_ratio(y, num, den):
    d[num] = rt.unbroadcast(rt.safe_ratio(d[y], den), num)
    d[den] = rt.unbroadcast(-rt.safe_ratio(d[y] * y, den), den)


@adjoint_template(rt.div)
def rt_div(y, a, b):
    d[a] = rt.div(d[y], b)
    d[b] = -rt.div(d[y] * y, b)


@adjoint_template(rt.matmul_grad_left)
def rt_matmul_grad_left(y, g, a, b):
    d[g] = np.matmul(d[y], b)
    d[b] = rt.matmul_grad_right(g, d[y], b)


@adjoint_template(rt.matmul_grad_right)
def rt_matmul_grad_right(y, g, a, b):
    d[g] = np.matmul(a, d[y])
    d[a] = rt.matmul_grad_left(g, a, d[y])


@adjoint_template(rt.dot_grad_left)
def rt_dot_grad_left(y, g, a, b):
    d[g] = np.dot(d[y], b)
    d[b] = rt.dot_grad_right(g, d[y], b)


@adjoint_template(rt.dot_grad_right)
def rt_dot_grad_right(y, g, a, b):
    d[g] = np.dot(a, d[y])
    d[a] = rt.dot_grad_left(g, a, d[y])


@adjoint_template(rt.inner_grad_left)
def rt_inner_grad_left(y, g, a, b):
    d[g] = np.inner(d[y], b)
    d[b] = rt.inner_grad_right(g, d[y], b)


@adjoint_template(rt.inner_grad_right)
def rt_inner_grad_right(y, g, a, b):
    d[g] = np.inner(a, d[y])
    d[a] = rt.inner_grad_left(g, a, d[y])


@adjoint_template(rt.cumsum_grad)
def rt_cumsum_grad(y, g, x, axis=None):
    d[g] = np.cumsum(d[y], axis)


@adjoint_template(rt.trace_grad)
def rt_trace_grad(y, g, a, offset=0, axis1=0, axis2=1):
    d[g] = np.trace(d[y], offset, axis1, axis2)


@adjoint_template(rt.diag_grad)
def rt_diag_grad(y, g, v, k=0):
    d[g] = np.diag(d[y], k)

# loops over dicts iterate over a list of the keys, which are constants
non_differentiable(rt.keys)


# np.trace(x @ m @ x.T) is rewritten to rt.trace_quadratic(x, m) (optimize/fuse.py)
@adjoint_template(rt.trace_quadratic, name="np.trace(x @ m @ x.T)", convention="x gets g x (m + mᵀ), m gets g xᵀ x")
def trace_quadratic(y, x, m):
    d[x] = rt.trace_quadratic_grad(d[y], x, m)
    d[m] = d[y] * np.matmul(np.swapaxes(x, 0, 1), x)


# np.trace(a @ b) is rewritten to rt.trace_matmul(a, b) (optimize/fuse.py)
@adjoint_template(rt.trace_matmul, name="np.trace(a @ b)", convention="g times the other factor's transpose, on the diagonal the trace reads")
def trace_matmul(y, a, b):
    d[a] = rt.trace_matmul_grad(d[y], b, np.shape(a)[0])
    d[b] = np.swapaxes(rt.trace_matmul_grad(d[y], np.swapaxes(a, 0, 1), np.shape(b)[1]), 0, 1)


# np.add.at(a, i, v) is desugared to a[...] = rt.added_at(a, i, v)
@adjoint_template(rt.added_at, name="np.add.at", convention="repeated indices accumulate; each value gets the gradient of its slot")
def added_at(y, a, indices, values):
    d[a] = d[y]
    d[values] = rt.unbroadcast(d[y][indices], values)


# ----- quantiles, nan-statistics, selection and pieces (added for tier-3 coverage) -----

_QUANTILE = ("method='linear' only (others raise ValueError): (1 - t) g and t g go to the two order statistics "
             "around the virtual index q (n - 1), ties in a stable sort's order; q gets g times the gap between "
             "them (a kink where q (n - 1) is an integer: the right-hand slope)")


@adjoint_template(np.quantile, convention=_QUANTILE)
def quantile(y, a, q, axis=None, *, method="linear", keepdims=False):
    grads = rt.quantile_grads(d[y], a, q, axis, keepdims, 1.0, False, method)
    d[a] = grads[0]
    d[q] = grads[1]


@adjoint_template(np.percentile, convention=_QUANTILE + " (q in percent)")
def percentile(y, a, q, axis=None, *, method="linear", keepdims=False):
    grads = rt.quantile_grads(d[y], a, q, axis, keepdims, 0.01, False, method)
    d[a] = grads[0]
    d[q] = grads[1]


@adjoint_template(np.nanquantile, convention="as np.quantile over the non-nan entries; nan entries get 0")
def nanquantile(y, a, q, axis=None, *, method="linear", keepdims=False):
    grads = rt.quantile_grads(d[y], a, q, axis, keepdims, 1.0, True, method)
    d[a] = grads[0]
    d[q] = grads[1]


@adjoint_template(np.nanpercentile, convention="as np.percentile over the non-nan entries; nan entries get 0")
def nanpercentile(y, a, q, axis=None, *, method="linear", keepdims=False):
    grads = rt.quantile_grads(d[y], a, q, axis, keepdims, 0.01, True, method)
    d[a] = grads[0]
    d[q] = grads[1]


@adjoint_template(np.nanmedian, convention="as np.median over the non-nan entries; nan entries get 0")
def nanmedian(y, a, axis=None, *, keepdims=False):
    d[a] = rt.quantile_grads(d[y], a, 0.5, axis, keepdims, 1.0, True)[0]


@adjoint_template(np.nanvar, convention="nan entries get 0; the others 2 g conj(a - nanmean) / (count - ddof)")
def nanvar(y, a, axis=None, *, ddof=0, keepdims=False):
    d[a] = rt.nanvar_grad(d[y], a, axis, ddof, keepdims)


@adjoint_template(np.nanstd, convention="nan entries get 0; zero spread gets 0, like std")
def nanstd(y, a, axis=None, *, ddof=0, keepdims=False):
    d[a] = rt.nanvar_grad(rt.safe_ratio(d[y], 2 * y), a, axis, ddof, keepdims)


@adjoint_template(np.nancumprod, convention="nan entries count as 1 and get gradient 0; exact with zeros")
def nancumprod(y, a, axis=None):
    d[a] = rt.cumprod_grad(d[y], np.where(np.isnan(a), 1.0, a), y, axis) * ~np.isnan(a)


@adjoint_template(np.select, convention="each choice gets g where its condition is the first true one; default where none is; the conditions are constants")
def select(y, condlist, choicelist, default=0):
    d[choicelist] = rt.select_grads(d[y], condlist, choicelist)
    d[default] = rt.select_default_grad(d[y], condlist, default)


@adjoint_template(np.choose, convention="choice k gets g where the index (after mode='wrap'/'clip') is k; the index array is a constant")
def choose(y, a, choices, *, mode="raise"):
    d[choices] = rt.choose_grad(d[y], a, choices, mode)


@adjoint_template(np.delete, convention="the kept elements get the gradient of their slots, the deleted ones 0")
def delete(y, arr, obj, axis=None):
    d[arr] = rt.delete_grad(d[y], arr, obj, axis)


@adjoint_template(np.insert, convention="values broadcast into several slots get the sum of their gradients")
def insert(y, arr, obj, values, axis=None):
    grads = rt.insert_grads(d[y], arr, obj, values, axis)
    d[arr] = grads[0]
    d[values] = grads[1]


@adjoint_template(np.resize, convention="the array repeats cyclically: each element gets the sum over its copies")
def resize(y, a, new_shape):
    d[a] = rt.resize_grad(d[y], a, new_shape)


@adjoint_template(np.partition, convention="each element gets the gradient of the slot it lands in; ties matched in stable order (equal values, so any choice gives the same total)")
def partition(y, a, kth, axis=-1):
    d[a] = rt.partition_grad(d[y], a, y, axis)


@adjoint_template(np.unstack, tuple_result=True, convention="the items' gradients stacked back (zeros for an item without one)")
def unstack(y, x, *, axis=0):
    d[x] = rt.unstack_grad(d[y], x, y, axis)


@adjoint_template(np.block, convention="each block gets its slots' gradient, as a nested list like the argument")
def block(y, arrays):
    d[arrays] = rt.block_grad(d[y], arrays)


@adjoint_template(np.gradient, tuple_result=True, convention="linear in f: the transposed difference stencils (edge_order 1 or 2); up to three spacings or coordinate arrays, which are constants")
def gradient(y, f, spacing=None, spacing2=None, spacing3=None, *, axis=None, edge_order=1):
    d[f] = rt.gradient_grad(d[y], f, y, (spacing, spacing2, spacing3), axis, edge_order)
    d[spacing] = rt.no_gradient("np.gradient", "spacing", spacing)
    d[spacing2] = rt.no_gradient("np.gradient", "spacing", spacing2)
    d[spacing3] = rt.no_gradient("np.gradient", "spacing", spacing3)


@adjoint_template(np.corrcoef, convention="through np.cov: R = C / (s s^T), s = sqrt(diag C); the diagonal (exactly 1) has gradient 0")
def corrcoef(r, x, y=None, rowvar=True):
    grads = rt.corrcoef_grad(d[r], x, r, y, rowvar)
    d[x] = grads[0]
    d[y] = grads[1]


@adjoint_template(np.i0)
def i0(y, x):
    d[x] = d[y] * rt.i0_slope(x)


@adjoint_template(np.polyfit, convention="least squares with full column rank (w=, full=, cov= are not supported); the degree is a constant")
def polyfit(p, x, y, deg, rcond=None):
    grads = rt.polyfit_grads(d[p], x, y, deg, p)
    d[x] = grads[0]
    d[y] = grads[1]


@adjoint_template(np.roots, convention="simple roots: dr = -sum_k dp_k r^(N-k) / p'(r) (JAX/autograd complex convention; a real p gets the real part); repeated roots are singular")
def roots(r, p):
    d[p] = rt.roots_grad(d[r], p, r)


@adjoint_template(np.fft.rfft2, name="np.fft.rfft2", convention="real input, real gradient: Re(fft2(g zero-padded to the full spectrum))")
def rfft2(y, a, s=None, axes="last two", norm=None):
    d[a] = rt.rfftn_grad(d[y], a, s, axes, norm)


@adjoint_template(np.fft.rfftn, name="np.fft.rfftn", convention="real input, real gradient: Re(fftn(g zero-padded to the full spectrum))")
def rfftn(y, a, s=None, axes=None, norm=None):
    d[a] = rt.rfftn_grad(d[y], a, s, axes, norm)


@adjoint_template(np.fft.irfft2, name="np.fft.irfft2", convention="as np.fft.irfft along the last axis (ignored imaginary parts get 0, other bins count twice), ifft along the others")
def irfft2(y, a, s=None, axes="last two", norm=None):
    d[a] = rt.irfftn_grad(d[y], a, s, axes, norm)


@adjoint_template(np.fft.irfftn, name="np.fft.irfftn", convention="as np.fft.irfft along the last axis (ignored imaginary parts get 0, other bins count twice), ifft along the others")
def irfftn(y, a, s=None, axes=None, norm=None):
    d[a] = rt.irfftn_grad(d[y], a, s, axes, norm)


@adjoint_template(np.fft.hfft, name="np.fft.hfft", convention="hfft(a) = irfft(conj(a)) with the norm swapped: the conjugate of irfft's gradient")
def hfft(y, a, n=None, axis=-1, norm=None):
    d[a] = rt.hfft_grad(d[y], a, n, axis, norm)


@adjoint_template(np.fft.ihfft, name="np.fft.ihfft", convention="real input, real gradient: ihfft(a) = conj(rfft(a)) with the norm swapped")
def ihfft(y, a, n=None, axis=-1, norm=None):
    d[a] = rt.ihfft_grad(d[y], a, n, axis, norm)
