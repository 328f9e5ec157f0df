"""Adjoints of Python builtins.

Conventions: abs at 0 has gradient 0; max(a, b)/min(a, b) split the gradient
half and half on a tie (like np.maximum); max(items)/min(items) split it
equally among the items equal to the result. sum(items, start) gives every
item the output's gradient (a list of gradients for a list or tuple).
`zip`, `enumerate`, `list`, `tuple`, `sorted` and `reversed` are deliberately
*not* constants: they pass active values through, so they are left to the
compiler's loop and container handling (or an error), never a silent zero.
"""
import builtins

import numpy as np

from transgrad import runtime as rt
from transgrad.rules.registry import (adjoint_template, d, method_template, non_differentiable,
                                      non_differentiable_methods)


@adjoint_template(builtins.abs)
def abs_(y, x):
    d[x] = d[y] * np.sign(x)


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


non_differentiable(
    builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round, builtins.isinstance,
    builtins.issubclass, builtins.print, builtins.type, builtins.str, builtins.repr, builtins.format,
    builtins.hash, builtins.id, builtins.callable, builtins.hasattr, builtins.any, builtins.all,
)


# ----- dict methods -----


@method_template("values")
def values(y, mapping):
    d[mapping] = rt.values_grad(d[y], mapping)


non_differentiable_methods("keys")
