"""Adjoints of numpy's products and np.linalg.

Conventions: np.linalg.norm has gradient 0 at x = 0 (a subgradient, as in JAX);
its inf-norm splits the gradient equally among tied largest entries; matrix
norms other than Frobenius raise ValueError when differentiated. inv, det and
solve assume a non-singular matrix (numpy raises LinAlgError otherwise).
"""
import numpy as np

from transgrad import runtime as rt
from transgrad.rules.registry import adjoint_template, d, method_template


@method_template("dot")
@adjoint_template(np.dot)
def dot(y, a, b):
    d[a] = rt.dot_grad_left(d[y], a, b)
    d[b] = rt.dot_grad_right(d[y], a, b)


@adjoint_template(np.matmul)
def matmul(y, x1, x2):
    d[x1] = rt.matmul_grad_left(d[y], x1, x2)
    d[x2] = rt.matmul_grad_right(d[y], x1, x2)


@adjoint_template(np.inner)
def inner(y, a, b):
    d[a] = rt.inner_grad_left(d[y], a, b)
    d[b] = rt.inner_grad_right(d[y], a, b)


@adjoint_template(np.outer)
def outer(y, a, b):
    d[a] = np.reshape(np.dot(d[y], np.ravel(b)), np.shape(a))
    d[b] = np.reshape(np.dot(np.ravel(a), d[y]), np.shape(b))


@adjoint_template(np.vdot)
def vdot(y, a, b):
    d[a] = d[y] * np.reshape(b, np.shape(a))
    d[b] = d[y] * np.reshape(a, np.shape(b))


@method_template("trace")
@adjoint_template(np.trace)
def trace(y, a, offset=0, axis1=0, axis2=1):
    d[a] = rt.trace_grad(d[y], a, offset, axis1, axis2)


@adjoint_template(np.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    d[x] = rt.norm_grad(d[y], x, y, ord, axis, keepdims)


@adjoint_template(np.linalg.inv)
def inv(y, a):
    yt = np.swapaxes(y, -1, -2)
    d[a] = -np.matmul(yt, np.matmul(d[y], yt))


@adjoint_template(np.linalg.det)
def det(y, a):
    d[a] = np.expand_dims(d[y] * y, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


@adjoint_template(np.linalg.solve)
def solve(x, a, b):
    gb = rt.solve_transposed(a, d[x], b)
    d[b] = rt.unbroadcast(gb, b)
    d[a] = rt.unbroadcast(rt.solve_grad_a(gb, x, b), a)
