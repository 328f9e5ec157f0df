"""Tangents of Python builtins, the twins of builtin_rules.py (same conventions at ties)."""
import builtins

import numpy as np

from transgrad import runtime as rt
from transgrad.rules.registry import t, tangent_method_template, tangent_template


@tangent_template(builtins.abs)
def abs_(y, x):
    t[y] = np.real(rt.conj_sign(x) * t[x])


@tangent_template(builtins.float)
def float_(y, x):
    t[y] = 0.0 if t[x] is None else float(t[x])


@tangent_template(builtins.sum)
def sum_(y, iterable, start=0):
    t[y] = sum(t[iterable], 0.0) + t[start]


@tangent_template(builtins.max, builtins.min)
def max_(y, a, b=None):
    t[y] = rt.extreme_tangent(t[a], t[b], a, b, y)


@tangent_template(builtins.pow)
def pow_(z, base, exp):
    t[z] = t[base] * exp * base ** (exp - 1) + t[exp] * z * np.log(np.where(base > 0, base, 1.0))


@tangent_template(builtins.complex)
def complex_(y, real=0.0, imag=0.0):
    t[y] = complex(t[real], t[imag])


@tangent_template(builtins.list, builtins.tuple)
def list_(y, iterable):
    t[y] = list(t[iterable])


@tangent_template(builtins.sorted)
def sorted_(y, iterable, reverse=False):
    t[y] = rt.sorted_items_tangent(t[iterable], iterable, reverse)


@tangent_template(builtins.divmod)
def divmod_(y, a, b):
    t[y] = (0.0, t[a] - t[b] * y[0])


@tangent_method_template("values")
def values(y, mapping):
    t[y] = t[mapping].values()
