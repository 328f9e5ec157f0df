"""Adjoints of Python builtins.

Conventions: abs at 0 has gradient 0; max(a, b)/min(a, b) split the gradient
half and half on a tie (like np.maximum); max(items)/min(items) split it
equally among the items equal to the result. sum(items, start) gives every
item the output's gradient (a list of gradients for a list or tuple).
list(items), tuple(items) and sorted(items) give each item its slot's
gradient (an array split into its rows gets the rows' gradients stacked
back). `zip`, `enumerate` and `reversed` are deliberately *not* constants: they
pass active values through, so they are left to the compiler's loop and
container handling (or an error), never a silent zero.
"""
import builtins

import numpy as np

from transgrad import runtime as rt
from transgrad.rules.registry import (adjoint_template, d, method_template, non_differentiable,
                                      non_differentiable_methods)


@adjoint_template(builtins.abs, convention="as np.abs: gradient 0 at 0; complex x: g conj(x)/|x|")
def abs_(y, x):
    d[x] = np.real(d[y]) * rt.conj_sign(x)


@adjoint_template(builtins.float)
def float_(y, x):
    d[x] = d[y]


@adjoint_template(builtins.sum)
def sum_(y, iterable, start=0):
    d[iterable] = rt.sequence_grad(d[y], iterable)
    d[start] = rt.unbroadcast(d[y], start)


@adjoint_template(builtins.max, builtins.min)
def max_(y, a, b=None):
    d[a] = rt.extreme_grad(d[y], a, y, b)
    d[b] = rt.extreme_grad(d[y], b, y, a)


@adjoint_template(builtins.pow)
def pow_(z, base, exp):
    d[base] = d[z] * exp * base ** (exp - 1)
    d[exp] = d[z] * z * np.log(np.where(base > 0, base, 1.0))


@adjoint_template(builtins.complex, convention="JAX/autograd: the real part gets Re(g), the imaginary part -Im(g)")
def complex_(y, real=0.0, imag=0.0):
    d[real] = np.real(d[y])
    d[imag] = -np.imag(d[y])


@adjoint_template(builtins.list, builtins.tuple, tuple_result=True,
                  convention="each item gets its slot's gradient; the rows of an array are stacked back")
def list_(y, iterable):
    d[iterable] = rt.items_grad(d[y], iterable, y)


@adjoint_template(builtins.sorted, tuple_result=True,
                  convention="each item gets the gradient of the slot it was sorted into; ties keep their order (sorted is stable)")
def sorted_(y, iterable, reverse=False):
    d[iterable] = rt.sorted_grad(d[y], iterable, y, reverse)


@adjoint_template(builtins.divmod, tuple_result=True, convention="the quotient is constant; as the % operator for the remainder")
def divmod_(y, a, b):
    d[a] = rt.output_grad(d[y], y, 1)
    d[b] = -rt.output_grad(d[y], y, 1) * y[0]


non_differentiable(
    builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round, builtins.isinstance,
    builtins.issubclass, builtins.print, builtins.type, builtins.str, builtins.repr, builtins.format,
    builtins.hash, builtins.id, builtins.callable, builtins.hasattr, builtins.any, builtins.all, builtins.slice,
)


# ----- dict methods -----


@method_template("values")
def values(y, mapping):
    d[mapping] = rt.values_grad(d[y], mapping)


non_differentiable_methods("keys")
