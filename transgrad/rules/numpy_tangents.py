"""Tangents of numpy functions and ufuncs, ndarray methods and attributes (forward mode).

The twin of numpy_rules.py, one template per adjoint template. Three shapes
of rule cover most of numpy:
- elementwise functions multiply the input's tangent by the derivative
  (`t[y] = t[x] * np.cos(x)`), and sum one such term per operand;
- linear functions (reshape, transpose, sum, concatenate, take, fft, ...)
  apply themselves to the tangent (`t[y] = np.reshape(t[a], shape, order=order)`);
- reductions whose output elements each read their own slice of the input
  (max, prod, median, quantile, ...) weight the tangent by the partial
  derivatives the adjoint helper computes for a unit cotangent and sum them
  over the reduced axes (`rt.reduced_tangent`), so ties, zeros and kinks
  follow exactly the conventions of the adjoint rules.
Conventions at kinks are those of numpy_rules.py.
"""
import math

import numpy as np

from transgrad import runtime as rt
from transgrad.rules.registry import t, tangent_attribute_template, tangent_method_template, tangent_template

# ----- elementwise binary ufuncs -----


@tangent_template(np.add)
def add(z, x1, x2):
    t[z] = t[x1] + t[x2]


@tangent_template(np.subtract)
def subtract(z, x1, x2):
    t[z] = t[x1] - t[x2]


@tangent_template(np.multiply)
def multiply(z, x1, x2):
    t[z] = t[x1] * x2 + x1 * t[x2]


@tangent_template(np.true_divide, np.divide)
def divide(z, x1, x2):
    t[z] = rt.masked_div(t[x1], x2) - rt.masked_div(t[x2] * z, x2)


@tangent_template(np.power, np.float_power)
def power(z, x1, x2):
    t[z] = t[x1] * x2 * x1 ** (x2 - 1) + t[x2] * z * np.log(np.where(x1 > 0, x1, 1.0))


@tangent_template(np.maximum, np.minimum, np.fmax, np.fmin)
def maximum(z, x1, x2):
    t[z] = t[x1] * rt.balanced_eq(x1, z, x2) + t[x2] * rt.balanced_eq(x2, z, x1)


@tangent_template(np.arctan2)
def arctan2(z, x1, x2):
    t[z] = (t[x1] * x2 - x1 * t[x2]) / (x1 ** 2 + x2 ** 2)


@tangent_template(np.hypot)
def hypot(z, x1, x2):
    t[z] = t[x1] * rt.safe_ratio(x1, z) + t[x2] * rt.safe_ratio(x2, z)


@tangent_template(np.logaddexp)
def logaddexp(z, x1, x2):
    t[z] = t[x1] * np.exp(x1 - z) + t[x2] * np.exp(x2 - z)


@tangent_template(np.logaddexp2)
def logaddexp2(z, x1, x2):
    t[z] = t[x1] * np.exp2(x1 - z) + t[x2] * np.exp2(x2 - z)


@tangent_template(np.remainder)
def remainder(z, x1, x2):
    t[z] = t[x1] - t[x2] * np.floor_divide(x1, x2)


@tangent_template(np.fmod)
def fmod(z, x1, x2):
    t[z] = t[x1] - t[x2] * np.trunc(x1 / x2)


# ----- elementwise unary ufuncs -----


@tangent_template(np.negative)
def negative(y, x):
    t[y] = np.negative(t[x])   # np.negative takes the tuple a shift like (1, 2) can be


@tangent_template(np.positive)
def positive(y, x):
    t[y] = t[x]


@tangent_template(np.exp)
def exp(y, x):
    t[y] = t[x] * y


@tangent_template(np.exp2)
def exp2(y, x):
    t[y] = t[x] * y * math.log(2.0)


@tangent_template(np.expm1)
def expm1(y, x):
    t[y] = t[x] * (y + 1)


@tangent_template(np.log)
def log(y, x):
    t[y] = rt.masked_div(t[x], x)


@tangent_template(np.log2)
def log2(y, x):
    t[y] = rt.masked_div(t[x], x * math.log(2.0))


@tangent_template(np.log10)
def log10(y, x):
    t[y] = rt.masked_div(t[x], x * math.log(10.0))


@tangent_template(np.log1p)
def log1p(y, x):
    t[y] = rt.masked_div(t[x], 1 + x)


@tangent_template(np.sin)
def sin(y, x):
    t[y] = t[x] * np.cos(x)


@tangent_template(np.cos)
def cos(y, x):
    t[y] = -t[x] * np.sin(x)


@tangent_template(np.tan)
def tan(y, x):
    t[y] = t[x] * (1 + y ** 2)


@tangent_template(np.arcsin)
def arcsin(y, x):
    t[y] = rt.masked_div(t[x], np.sqrt(1 - x ** 2))


@tangent_template(np.arccos)
def arccos(y, x):
    t[y] = rt.masked_div(-t[x], np.sqrt(1 - x ** 2))


@tangent_template(np.arctan)
def arctan(y, x):
    t[y] = t[x] / (1 + x ** 2)


@tangent_template(np.sinh)
def sinh(y, x):
    t[y] = t[x] * np.cosh(x)


@tangent_template(np.cosh)
def cosh(y, x):
    t[y] = t[x] * np.sinh(x)


@tangent_template(np.tanh)
def tanh(y, x):
    t[y] = t[x] * (1 - y ** 2)


@tangent_template(np.arcsinh)
def arcsinh(y, x):
    t[y] = t[x] / np.sqrt(x ** 2 + 1)


@tangent_template(np.arccosh)
def arccosh(y, x):
    t[y] = rt.masked_div(t[x], np.sqrt(x ** 2 - 1))


@tangent_template(np.arctanh)
def arctanh(y, x):
    t[y] = rt.masked_div(t[x], 1 - x ** 2)


@tangent_template(np.sqrt)
def sqrt(y, x):
    t[y] = rt.masked_div(t[x], 2 * y)


@tangent_template(np.cbrt)
def cbrt(y, x):
    t[y] = rt.masked_div(t[x], 3 * y ** 2)


@tangent_template(np.square)
def square(y, x):
    t[y] = t[x] * 2 * x


@tangent_template(np.reciprocal)
def reciprocal(y, x):
    t[y] = -t[x] * y ** 2


@tangent_template(np.absolute, np.abs, np.fabs)
def absolute(y, x):
    t[y] = np.real(rt.conj_sign(x) * t[x])


@tangent_template(np.deg2rad, np.radians)
def deg2rad(y, x):
    t[y] = t[x] * (math.pi / 180)


@tangent_template(np.rad2deg, np.degrees)
def rad2deg(y, x):
    t[y] = t[x] * (180 / math.pi)


# ----- selection -----


@tangent_template(np.where)
def where(z, condition, x=None, y=None):
    t[z] = np.where(condition, t[x], t[y])


@tangent_template(np.clip)
def clip(y, a, a_min=None, a_max=None):
    t[y] = t[a] * rt.clip_inside(a, a_min, a_max) + t[a_min] * (a < a_min) + t[a_max] * (a > a_max)


@tangent_method_template("clip")
def clip_method(y, a, min=None, max=None):
    t[y] = t[a] * rt.clip_inside(a, min, max) + t[min] * (a < min) + t[max] * (a > max)


# ----- reductions -----


@tangent_method_template("sum")
@tangent_template(np.sum)
def sum_(y, a, axis=None, *, keepdims=False):
    t[y] = np.sum(t[a], axis, keepdims=keepdims)


@tangent_method_template("mean")
@tangent_template(np.mean)
def mean(y, a, axis=None, *, keepdims=False):
    t[y] = np.mean(t[a], axis, keepdims=keepdims)


@tangent_method_template("max", "min")
@tangent_template(np.max, np.amax, np.min, np.amin)
def max_(y, a, axis=None, *, keepdims=False):
    t[y] = np.sum(t[a] * rt.select_weights(a, y, axis, keepdims), axis, keepdims=keepdims)


@tangent_method_template("prod")
@tangent_template(np.prod)
def prod(y, a, axis=None, *, keepdims=False):
    t[y] = rt.reduced_tangent(t[a], rt.prod_grad(rt.ones_like(y), a, axis, keepdims), axis, keepdims)


@tangent_method_template("var")
@tangent_template(np.var)
def var(y, a, axis=None, *, ddof=0, keepdims=False):
    t[y] = np.real(np.sum(t[a] * rt.conj(a - np.mean(a, axis, keepdims=True)), axis, keepdims=keepdims)) * (2.0 / (rt.reduced_size(a, axis) - ddof))


@tangent_method_template("std")
@tangent_template(np.std)
def std(y, a, axis=None, *, ddof=0, keepdims=False):
    t[y] = rt.safe_ratio(np.real(np.sum(t[a] * rt.conj(a - np.mean(a, axis, keepdims=True)), axis, keepdims=keepdims)), y * (rt.reduced_size(a, axis) - ddof))


@tangent_method_template("cumsum")
@tangent_template(np.cumsum)
def cumsum(y, a, axis=None):
    t[y] = np.cumsum(t[a], axis)


# ----- shapes and copies: linear, so the function itself applied to the tangent -----


@tangent_template(np.reshape)
def reshape(y, a, shape=None, order="C"):
    t[y] = np.reshape(t[a], np.shape(y), order=order)


@tangent_method_template("reshape")
def reshape_method(y, a, *shape, order="C"):
    t[y] = np.reshape(t[a], np.shape(y), order=order)


@tangent_template(np.transpose)
def transpose(y, a, axes=None):
    t[y] = np.transpose(t[a], axes)


@tangent_method_template("transpose")
def transpose_method(y, a, *axes):
    t[y] = t[a].transpose(*axes)


@tangent_attribute_template("T")
def T(y, a):
    t[y] = np.transpose(t[a])


@tangent_method_template("swapaxes")
@tangent_template(np.swapaxes)
def swapaxes(y, a, axis1, axis2):
    t[y] = np.swapaxes(t[a], axis1, axis2)


@tangent_template(np.moveaxis)
def moveaxis(y, a, source, destination):
    t[y] = np.moveaxis(t[a], source, destination)


@tangent_method_template("squeeze")
@tangent_template(np.squeeze)
def squeeze(y, a, axis=None):
    t[y] = np.reshape(t[a], np.shape(y))


@tangent_template(np.expand_dims)
def expand_dims(y, a, axis):
    t[y] = np.reshape(t[a], np.shape(y))


@tangent_template(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast_1d(y, a):
    t[y] = np.reshape(t[a], np.shape(y))


@tangent_method_template("ravel", "flatten")
@tangent_template(np.ravel)
def ravel(y, a, order="C"):
    t[y] = np.ravel(t[a], order)


@tangent_template(np.copy)
def copy(y, a, order="K"):
    t[y] = np.copy(t[a])


@tangent_method_template("copy")
def copy_method(y, a):
    t[y] = rt.copy_input(t[a])     # x.copy() of an array, a list or a dict (a list of ragged arrays, too)


@tangent_template(np.array)
def array(y, object, dtype=None):
    t[y] = np.array(t[object])


@tangent_template(np.asarray, np.asanyarray, np.ascontiguousarray)
def asarray(y, a, dtype=None):
    t[y] = np.asarray(t[a])


@tangent_template(np.broadcast_to)
def broadcast_to(y, array, shape):
    t[y] = np.broadcast_to(t[array], shape)


@tangent_template(np.flip)
def flip(y, m, axis=None):
    t[y] = np.flip(t[m], axis)


@tangent_template(np.fliplr)
def fliplr(y, m):
    t[y] = np.fliplr(t[m])


@tangent_template(np.flipud)
def flipud(y, m):
    t[y] = np.flipud(t[m])


@tangent_template(np.roll)
def roll(y, a, shift, axis=None):
    t[y] = np.roll(t[a], shift, axis)


@tangent_template(np.tril)
def tril(y, m, k=0):
    t[y] = np.tril(t[m], k)


@tangent_template(np.triu)
def triu(y, m, k=0):
    t[y] = np.triu(t[m], k)


@tangent_template(np.diag)
def diag(y, v, k=0):
    t[y] = np.diag(t[v], k)


@tangent_template(np.concatenate)
def concatenate(y, arrays, axis=0):
    t[y] = np.concatenate(t[arrays], axis)


@tangent_template(np.stack)
def stack(y, arrays, axis=0):
    t[y] = np.stack(t[arrays], axis)


@tangent_template(np.hstack)
def hstack(y, tup):
    t[y] = np.hstack(t[tup])


@tangent_template(np.vstack)
def vstack(y, tup):
    t[y] = np.vstack(t[tup])


@tangent_method_template("item")
def item(y, a):
    t[y] = t[a].item()


# ----- complex parts -----


@tangent_template(np.real)
def real(y, val):
    t[y] = np.real(t[val])


@tangent_attribute_template("real")
def real_attribute(y, a):
    t[y] = np.real(t[a])


@tangent_template(np.imag)
def imag(y, val):
    t[y] = np.imag(t[val])


@tangent_attribute_template("imag")
def imag_attribute(y, a):
    t[y] = np.imag(t[a])


@tangent_method_template("conj", "conjugate")
@tangent_template(np.conj, np.conjugate)
def conj(y, x):
    t[y] = np.conj(t[x])


@tangent_template(np.angle)
def angle(y, z, deg=False):
    t[y] = np.imag(rt.masked_div(t[z], z)) * (180 / math.pi if deg else 1.0)


@tangent_method_template("astype")
@tangent_template(np.astype)
def astype(y, x, dtype, copy=True):
    t[y] = rt.astype_tangent(t[x], y)


@tangent_template(np.nan_to_num)
def nan_to_num(y, x, copy=True, nan=0.0, posinf=None, neginf=None):
    t[y] = np.where(np.isfinite(x), t[x], 0.0) + t[nan] * np.isnan(x) + t[posinf] * np.isposinf(x) + t[neginf] * np.isneginf(x)


@tangent_template(np.sinc)
def sinc(y, x):
    t[y] = t[x] * rt.sinc_slope(x)


@tangent_template(np.copysign)
def copysign(z, x1, x2):
    t[z] = t[x1] * np.sign(x1) * np.where(np.signbit(x2), -1.0, 1.0)


@tangent_template(np.ldexp)
def ldexp(y, x1, x2):
    t[y] = t[x1] * np.exp2(x2)


@tangent_template(np.vander)
def vander(y, x, N=None, increasing=False):
    t[y] = np.expand_dims(t[x], 1) * rt.vander_slopes(x, N, increasing)


@tangent_template(np.polyval)
def polyval(y, p, x):
    t[y] = np.polyval(t[p], x) + t[x] * np.polyval(rt.polyder(p), x)


@tangent_template(np.interp)
def interp(y, x, xp, fp, left=None, right=None):
    t[y] = (t[x] * rt.interp_slope(x, xp, fp) + rt.no_gradient("np.interp", "xp", t[xp])
            + rt.interp_tangent(x, xp, t[fp], left, right, t[left], t[right]))


# ----- indexing functions -----


@tangent_method_template("take")
@tangent_template(np.take)
def take(y, a, indices, axis=None, mode="raise"):
    t[y] = np.take(t[a], indices, axis, mode=mode)


@tangent_template(np.take_along_axis)
def take_along_axis(y, arr, indices, axis=-1):
    t[y] = np.take_along_axis(t[arr], indices, axis)


@tangent_template(np.compress)
def compress(y, condition, a, axis=None):
    t[y] = np.compress(condition, t[a], axis)


@tangent_method_template("compress")
def compress_method(y, a, condition, axis=None):
    t[y] = np.compress(condition, t[a], axis)


@tangent_template(np.extract)
def extract(y, condition, arr):
    t[y] = np.extract(condition, t[arr])


@tangent_template(np.sort)
def sort(y, a, axis=-1, kind=None):
    t[y] = rt.sorted_tangent(t[a], a, axis)


# ----- more reductions and scans -----


@tangent_method_template("cumprod")
@tangent_template(np.cumprod, np.cumulative_prod)
def cumprod(y, a, axis=None):
    t[y] = rt.cumprod_tangent(t[a], a, axis)


@tangent_template(np.cumulative_sum)
def cumulative_sum(y, x, axis=None):
    t[y] = np.cumulative_sum(t[x], axis=axis)


@tangent_template(np.nansum)
def nansum(y, a, axis=None, *, keepdims=False):
    t[y] = np.sum(np.where(np.isnan(a), 0.0, t[a]), axis, keepdims=keepdims)


@tangent_template(np.nanmean)
def nanmean(y, a, axis=None, *, keepdims=False):
    t[y] = np.reshape(np.sum(np.where(np.isnan(a), 0.0, t[a]), axis, keepdims=True) / rt.nan_count(a, axis), np.shape(y))


@tangent_template(np.nancumsum)
def nancumsum(y, a, axis=None):
    t[y] = np.cumsum(np.where(np.isnan(a), 0.0, t[a]), axis)


@tangent_template(np.nanmax, np.nanmin)
def nanmax(y, a, axis=None, *, keepdims=False):
    t[y] = rt.reduced_tangent(np.where(np.isnan(a), 0.0, t[a]), rt.select_weights(a, y, axis, keepdims), axis, keepdims)


@tangent_template(np.nanprod)
def nanprod(y, a, axis=None, *, keepdims=False):
    t[y] = rt.reduced_tangent(np.where(np.isnan(a), 0.0, t[a]), rt.prod_grad(rt.ones_like(y), np.where(np.isnan(a), 1.0, a), axis, keepdims), axis, keepdims)


@tangent_template(np.ptp)
def ptp(y, a, axis=None, *, keepdims=False):
    t[y] = rt.reduced_tangent(t[a], rt.select_weights(a, np.max(a, axis, keepdims=keepdims), axis, keepdims) - rt.select_weights(a, np.min(a, axis, keepdims=keepdims), axis, keepdims), axis, keepdims)


@tangent_template(np.median)
def median(y, a, axis=None, *, keepdims=False):
    t[y] = rt.reduced_tangent(t[a], rt.median_grad(rt.ones_like(y), a, axis, keepdims), axis, keepdims)


@tangent_template(np.average)
def average(y, a, axis=None, weights=None, *, keepdims=False):
    t[y] = rt.average_tangent(t[a], t[weights], a, y, axis, weights, keepdims)


@tangent_template(np.cov)
def cov(c, m, y=None, rowvar=True, bias=False, ddof=None):
    t[c] = rt.cov_tangent(t[m], t[y], m, y, rowvar, bias, ddof)


@tangent_template(np.trapezoid)
def trapezoid(z, y, x=None, dx=1.0, axis=-1):
    t[z] = np.trapezoid(t[y], x, dx, axis) + np.trapezoid(y, t[x], axis=axis) + t[dx] * np.trapezoid(y, axis=axis)


@tangent_template(np.diff)
def diff(y, a, n=1, axis=-1):
    t[y] = np.diff(t[a], n, axis)


@tangent_template(np.ediff1d)
def ediff1d(y, ary):
    t[y] = np.ediff1d(t[ary])


# ----- convolution, cross products, contractions: one term per operand -----


@tangent_template(np.convolve)
def convolve(y, a, v, mode="full"):
    t[y] = np.convolve(t[a], v, mode) + np.convolve(a, t[v], mode)


@tangent_template(np.correlate)
def correlate(y, a, v, mode="valid"):
    t[y] = np.correlate(t[a], v, mode) + np.correlate(a, t[v], mode)


@tangent_template(np.cross)
def cross(y, a, b, axis=-1):
    t[y] = np.cross(t[a], b, axis=axis) + np.cross(a, t[b], axis=axis)


@tangent_template(np.einsum)
def einsum(y, subscripts, a, b=None, c=None, e=None, optimize=False):
    t[y] = rt.einsum_tangent(subscripts, (a, b, c, e), (t[a], t[b], t[c], t[e]))


@tangent_template(np.tensordot)
def tensordot(y, a, b, axes=2):
    t[y] = np.tensordot(t[a], b, axes) + np.tensordot(a, t[b], axes)


@tangent_template(np.kron)
def kron(y, a, b):
    t[y] = np.kron(t[a], b) + np.kron(a, t[b])


# ----- shapes, copies, pieces -----


@tangent_method_template("diagonal")
@tangent_template(np.diagonal)
def diagonal(y, a, offset=0, axis1=0, axis2=1):
    t[y] = np.diagonal(t[a], offset, axis1, axis2)


@tangent_template(np.diagflat)
def diagflat(y, v, k=0):
    t[y] = np.diagflat(t[v], k)


@tangent_method_template("repeat")
@tangent_template(np.repeat)
def repeat(y, a, repeats, axis=None):
    t[y] = np.repeat(t[a], repeats, axis)


@tangent_template(np.tile)
def tile(y, A, reps):
    t[y] = np.tile(t[A], reps)


@tangent_template(np.pad)
def pad(y, array, pad_width, mode="constant", constant_values=0):
    t[y] = rt.pad_tangent(t[array], t[constant_values], array, pad_width, mode)


@tangent_template(np.split, np.array_split)
def split(y, ary, indices_or_sections, axis=0):
    t[y] = rt.split_like(t[ary], y, axis)


@tangent_template(np.hsplit)
def hsplit(y, ary, indices_or_sections):
    t[y] = rt.split_like(t[ary], y, 0 if np.ndim(ary) == 1 else 1)


@tangent_template(np.vsplit)
def vsplit(y, ary, indices_or_sections):
    t[y] = rt.split_like(t[ary], y, 0)


@tangent_template(np.dsplit)
def dsplit(y, ary, indices_or_sections):
    t[y] = rt.split_like(t[ary], y, 2)


@tangent_template(np.append)
def append(y, arr, values, axis=None):
    t[y] = rt.append_tangent(t[arr], t[values], arr, values, axis)


@tangent_template(np.column_stack)
def column_stack(y, tup):
    t[y] = np.column_stack(t[tup])


@tangent_template(np.dstack)
def dstack(y, tup):
    t[y] = np.dstack(t[tup])


if hasattr(np, "row_stack"):   # removed in numpy 2.5
    @tangent_template(np.row_stack)
    def row_stack(y, tup):
        t[y] = np.vstack(t[tup])


@tangent_template(np.meshgrid)
def meshgrid(y, x1, x2=None, x3=None, indexing="xy"):
    t[y] = rt.meshgrid_tangent((t[x1], t[x2], t[x3]), (x1, x2, x3), indexing)


@tangent_template(np.rot90)
def rot90(y, m, k=1, axes=None):
    t[y] = np.rot90(t[m], k, (0, 1) if axes is None else axes)


@tangent_template(np.rollaxis)
def rollaxis(y, a, axis, start=0):
    t[y] = np.rollaxis(t[a], axis, start)


@tangent_template(np.matrix_transpose)
@tangent_attribute_template("mT")
def matrix_transpose(y, x):
    t[y] = np.swapaxes(t[x], -1, -2)


@tangent_template(np.full)
def full(y, shape, fill_value):
    t[y] = np.full(shape, t[fill_value])


@tangent_template(np.full_like)
def full_like(y, a, fill_value):
    t[y] = np.full(np.shape(y), t[fill_value])


@tangent_template(np.linspace)
def linspace(y, start, stop, num=50, endpoint=True):
    t[y] = t[start] * (1 - rt.linspace_weights(num, endpoint)) + t[stop] * rt.linspace_weights(num, endpoint)


# ----- np.fft: linear, so each transform applied to the tangent -----


@tangent_template(np.fft.fft, name="np.fft.fft")
def fft(y, a, n=None, axis=-1, norm=None):
    t[y] = np.fft.fft(t[a], n, axis, norm)


@tangent_template(np.fft.ifft, name="np.fft.ifft")
def ifft(y, a, n=None, axis=-1, norm=None):
    t[y] = np.fft.ifft(t[a], n, axis, norm)


@tangent_template(np.fft.rfft, name="np.fft.rfft")
def rfft(y, a, n=None, axis=-1, norm=None):
    t[y] = np.fft.rfft(t[a], n, axis, norm)


@tangent_template(np.fft.irfft, name="np.fft.irfft")
def irfft(y, a, n=None, axis=-1, norm=None):
    t[y] = np.fft.irfft(t[a], n, axis, norm)


@tangent_template(np.fft.fftshift, name="np.fft.fftshift")
def fftshift(y, x, axes=None):
    t[y] = np.fft.fftshift(t[x], axes)


@tangent_template(np.fft.ifftshift, name="np.fft.ifftshift")
def ifftshift(y, x, axes=None):
    t[y] = np.fft.ifftshift(t[x], axes)


@tangent_template(np.fft.fftn, name="np.fft.fftn")
def fftn(y, a, s=None, axes=None, norm=None):
    t[y] = np.fft.fftn(t[a], s, axes, norm)


@tangent_template(np.fft.ifftn, name="np.fft.ifftn")
def ifftn(y, a, s=None, axes=None, norm=None):
    t[y] = np.fft.ifftn(t[a], s, axes, norm)


@tangent_template(np.fft.fft2, name="np.fft.fft2")
def fft2(y, a, s=None, axes=None, norm=None):
    t[y] = np.fft.fft2(t[a], s, (-2, -1) if axes is None else axes, norm)


@tangent_template(np.fft.ifft2, name="np.fft.ifft2")
def ifft2(y, a, s=None, axes=None, norm=None):
    t[y] = np.fft.ifft2(t[a], s, (-2, -1) if axes is None else axes, norm)


@tangent_template(np.fft.rfft2, name="np.fft.rfft2")
def rfft2(y, a, s=None, axes="last two", norm=None):
    t[y] = np.fft.rfft2(t[a], s, (-2, -1) if axes == "last two" else axes, norm)


@tangent_template(np.fft.rfftn, name="np.fft.rfftn")
def rfftn(y, a, s=None, axes=None, norm=None):
    t[y] = np.fft.rfftn(t[a], s, axes, norm)


@tangent_template(np.fft.irfft2, name="np.fft.irfft2")
def irfft2(y, a, s=None, axes="last two", norm=None):
    t[y] = np.fft.irfft2(t[a], s, (-2, -1) if axes == "last two" else axes, norm)


@tangent_template(np.fft.irfftn, name="np.fft.irfftn")
def irfftn(y, a, s=None, axes=None, norm=None):
    t[y] = np.fft.irfftn(t[a], s, axes, norm)


@tangent_template(np.fft.hfft, name="np.fft.hfft")
def hfft(y, a, n=None, axis=-1, norm=None):
    t[y] = np.fft.hfft(t[a], n, axis, norm)


@tangent_template(np.fft.ihfft, name="np.fft.ihfft")
def ihfft(y, a, n=None, axis=-1, norm=None):
    t[y] = np.fft.ihfft(t[a], n, axis, norm)


@tangent_template(np.bincount)
def bincount(y, x, weights=None, minlength=0):
    t[y] = np.bincount(x, t[weights], minlength)


@tangent_template(np.nextafter)
def nextafter(y, x1, x2):
    t[y] = t[x1]


@tangent_template(np.real_if_close)
def real_if_close(y, a, tol=100):
    t[y] = rt.real_like(t[a], y)


@tangent_template(np.divmod)
def divmod_(y, x1, x2):
    t[y] = (rt.zero_tangent(y[0]), t[x1] - t[x2] * y[0])


@tangent_template(np.modf)
def modf(y, x):
    t[y] = (t[x], rt.zero_tangent(y[1]))


@tangent_template(np.frexp)
def frexp(y, x):
    t[y] = (t[x] * np.exp2(-y[1]), rt.zero_tangent(y[1]))


@tangent_template(np.broadcast_arrays)
def broadcast_arrays(y, a, b=None, c=None):
    t[y] = rt.broadcast_tangents((t[a], t[b], t[c]), y)


# ----- runtime helpers as primitives (linear in their gradient argument) -----


@tangent_template(rt.unbroadcast)
def rt_unbroadcast(y, g, x):
    t[y] = rt.unbroadcast(t[g], x)


@tangent_template(rt.unreduce)
def rt_unreduce(y, g, x, axis=None, keepdims=False):
    t[y] = rt.unreduce(t[g], x, axis, keepdims)


@tangent_template(rt.keep_reduced)
def rt_keep_reduced(y, ans, x, axis=None, keepdims=False):
    t[y] = rt.keep_reduced(t[ans], x, axis, keepdims)


@tangent_template(rt.select_max)
def rt_select_max(y, g, x, ans, axis=None, keepdims=False):
    t[y] = rt.select_max(t[g], x, ans, axis, keepdims)


@tangent_template(rt.safe_ratio)
def rt_safe_ratio(y, num, den):
    t[y] = rt.safe_ratio(t[num], den) - rt.safe_ratio(t[den] * y, den)


@tangent_template(rt.div)
def rt_div(y, a, b):
    t[y] = rt.div(t[a], b) - rt.div(t[b] * y, b)


@tangent_template(rt.matmul_grad_left)
def rt_matmul_grad_left(y, g, a, b):
    t[y] = rt.matmul_grad_left(t[g], a, b) + rt.matmul_grad_left(g, a, t[b])


@tangent_template(rt.matmul_grad_right)
def rt_matmul_grad_right(y, g, a, b):
    t[y] = rt.matmul_grad_right(t[g], a, b) + rt.matmul_grad_right(g, t[a], b)


@tangent_template(rt.dot_grad_left)
def rt_dot_grad_left(y, g, a, b):
    t[y] = rt.dot_grad_left(t[g], a, b) + rt.dot_grad_left(g, a, t[b])


@tangent_template(rt.dot_grad_right)
def rt_dot_grad_right(y, g, a, b):
    t[y] = rt.dot_grad_right(t[g], a, b) + rt.dot_grad_right(g, t[a], b)


@tangent_template(rt.inner_grad_left)
def rt_inner_grad_left(y, g, a, b):
    t[y] = rt.inner_grad_left(t[g], a, b) + rt.inner_grad_left(g, a, t[b])


@tangent_template(rt.inner_grad_right)
def rt_inner_grad_right(y, g, a, b):
    t[y] = rt.inner_grad_right(t[g], a, b) + rt.inner_grad_right(g, t[a], b)


@tangent_template(rt.cumsum_grad)
def rt_cumsum_grad(y, g, x, axis=None):
    t[y] = rt.cumsum_grad(t[g], x, axis)


@tangent_template(rt.trace_grad)
def rt_trace_grad(y, g, a, offset=0, axis1=0, axis2=1):
    t[y] = rt.trace_grad(t[g], a, offset, axis1, axis2)


@tangent_template(rt.diag_grad)
def rt_diag_grad(y, g, v, k=0):
    t[y] = rt.diag_grad(t[g], v, k)


@tangent_template(rt.trace_quadratic, name="np.trace(x @ m @ x.T)")
def trace_quadratic(y, x, m):
    t[y] = np.sum(t[x] * rt.trace_quadratic_grad(1.0, x, m)) + np.sum(t[m] * np.matmul(np.swapaxes(x, 0, 1), x))


@tangent_template(rt.trace_matmul, name="np.trace(a @ b)")
def trace_matmul(y, a, b):
    t[y] = rt.trace_matmul(t[a], b) + rt.trace_matmul(a, t[b])


@tangent_template(rt.added_at, name="np.add.at")
def added_at(y, a, indices, values):
    t[y] = rt.added_at(rt.zero_tangent(a) + t[a], indices, t[values])


# ----- quantiles, nan-statistics, selection and pieces -----


@tangent_template(np.nanmedian)
def nanmedian(y, a, axis=None, *, keepdims=False):
    t[y] = rt.reduced_tangent(np.where(np.isnan(a), 0.0, t[a]), rt.quantile_grads(rt.ones_like(y), a, 0.5, axis, keepdims, 1.0, True)[0], axis, keepdims)


@tangent_template(np.nanvar)
def nanvar(y, a, axis=None, *, ddof=0, keepdims=False):
    t[y] = rt.reduced_tangent(np.where(np.isnan(a), 0.0, t[a]), rt.nanvar_grad(rt.ones_like(y), a, axis, ddof, keepdims), axis, keepdims)


@tangent_template(np.nanstd)
def nanstd(y, a, axis=None, *, ddof=0, keepdims=False):
    t[y] = rt.reduced_tangent(np.where(np.isnan(a), 0.0, t[a]), rt.nanvar_grad(rt.safe_ratio(rt.ones_like(y), 2 * y), a, axis, ddof, keepdims), axis, keepdims)


@tangent_template(np.nancumprod)
def nancumprod(y, a, axis=None):
    t[y] = rt.cumprod_tangent(np.where(np.isnan(a), 0.0, t[a]), np.where(np.isnan(a), 1.0, a), axis)


@tangent_template(np.select)
def select(y, condlist, choicelist, default=0):
    t[y] = np.select(condlist, t[choicelist], t[default])


@tangent_template(np.choose)
def choose(y, a, choices, *, mode="raise"):
    t[y] = np.choose(a, t[choices], mode=mode)


@tangent_template(np.delete)
def delete(y, arr, obj, axis=None):
    t[y] = np.delete(t[arr], obj, axis)


@tangent_template(np.insert)
def insert(y, arr, obj, values, axis=None):
    t[y] = np.insert(rt.zero_tangent(arr) + t[arr], obj, t[values], axis)


@tangent_template(np.resize)
def resize(y, a, new_shape):
    t[y] = np.resize(t[a], new_shape)


@tangent_template(np.unstack)
def unstack(y, x, *, axis=0):
    t[y] = np.unstack(t[x], axis=axis)


@tangent_template(np.block)
def block(y, arrays):
    t[y] = np.block(t[arrays])


@tangent_template(np.i0)
def i0(y, x):
    t[y] = t[x] * rt.i0_slope(x)


@tangent_template(np.quantile)
def quantile(y, a, q, axis=None, *, method="linear", keepdims=False):
    t[y] = rt.quantile_tangent(t[a], t[q], a, q, y, axis, keepdims, 1.0, False, method)


@tangent_template(np.percentile)
def percentile(y, a, q, axis=None, *, method="linear", keepdims=False):
    t[y] = rt.quantile_tangent(t[a], t[q], a, q, y, axis, keepdims, 0.01, False, method)


@tangent_template(np.nanquantile)
def nanquantile(y, a, q, axis=None, *, method="linear", keepdims=False):
    t[y] = rt.quantile_tangent(t[a], t[q], a, q, y, axis, keepdims, 1.0, True, method)


@tangent_template(np.nanpercentile)
def nanpercentile(y, a, q, axis=None, *, method="linear", keepdims=False):
    t[y] = rt.quantile_tangent(t[a], t[q], a, q, y, axis, keepdims, 0.01, True, method)


@tangent_template(np.partition)
def partition(y, a, kth, axis=-1):
    t[y] = rt.partition_tangent(t[a], a, y, axis)


@tangent_template(np.gradient)
def gradient(y, f, spacing=None, spacing2=None, spacing3=None, *, axis=None, edge_order=1):
    t[y] = rt.gradient_tangent(t[f], t[spacing], t[spacing2], t[spacing3], (spacing, spacing2, spacing3), axis, edge_order)


@tangent_template(np.corrcoef)
def corrcoef(r, x, y=None, rowvar=True):
    t[r] = rt.corrcoef_tangent(t[x], t[y], x, r, y, rowvar)


@tangent_template(np.polyfit)
def polyfit(p, x, y, deg, rcond=None):
    t[p] = rt.polyfit_tangent(t[x], t[y], x, y, deg, p)


@tangent_template(np.roots)
def roots(r, p):
    t[r] = rt.roots_tangent(t[p], p, r)
