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
    d[x1] = rt.unbroadcast(d[z] / x2, x1)
    d[x2] = rt.unbroadcast(-d[z] * z / x2, x2)


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
    d[x] = d[y] / x


@adjoint_template(np.log2)
def log2(y, x):
    d[x] = d[y] / (x * math.log(2.0))


@adjoint_template(np.log10)
def log10(y, x):
    d[x] = d[y] / (x * math.log(10.0))


@adjoint_template(np.log1p)
def log1p(y, x):
    d[x] = d[y] / (1 + x)


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
    d[x] = d[y] / np.sqrt(1 - x ** 2)


@adjoint_template(np.arccos)
def arccos(y, x):
    d[x] = -d[y] / np.sqrt(1 - x ** 2)


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
    d[x] = d[y] / np.sqrt(x ** 2 - 1)


@adjoint_template(np.arctanh)
def arctanh(y, x):
    d[x] = d[y] / (1 - x ** 2)


@adjoint_template(np.sqrt)
def sqrt(y, x):
    d[x] = d[y] / (2 * y)


@adjoint_template(np.cbrt)
def cbrt(y, x):
    d[x] = d[y] / (3 * y ** 2)


@adjoint_template(np.square)
def square(y, x):
    d[x] = d[y] * 2 * x


@adjoint_template(np.reciprocal)
def reciprocal(y, x):
    d[x] = -d[y] * y ** 2


@adjoint_template(np.absolute, np.abs, np.fabs)
def absolute(y, x):
    d[x] = d[y] * np.sign(x)


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
@adjoint_template(np.var)
def var(y, a, axis=None, *, ddof=0, keepdims=False):
    d[a] = rt.unreduce(d[y], a, axis, keepdims) * (2.0 / (rt.reduced_size(a, axis) - ddof)) * (a - np.mean(a, axis, keepdims=True))


@method_template("std")
@adjoint_template(np.std)
def std(y, a, axis=None, *, ddof=0, keepdims=False):
    d[a] = rt.unreduce(rt.safe_ratio(d[y], y), a, axis, keepdims) * (a - np.mean(a, axis, keepdims=True)) / (rt.reduced_size(a, axis) - ddof)


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


# ----- constants: shapes, indices, comparisons, piecewise-constant functions, constructors -----

non_differentiable(
    np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero,
    np.flatnonzero, np.count_nonzero, np.searchsorted, np.digitize,
    np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix, np.sign, np.signbit,
    np.floor_divide, np.heaviside,
    np.zeros, np.ones, np.zeros_like, np.ones_like, np.empty, np.empty_like, np.full, np.full_like,
    np.arange, np.linspace, np.logspace, np.eye, np.identity, np.tri,
    np.isnan, np.isfinite, np.isinf, np.isclose, np.allclose, np.array_equal,
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.all, np.any,
)
non_differentiable_methods("argmax", "argmin", "argsort", "nonzero", "all", "any", "searchsorted")
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
