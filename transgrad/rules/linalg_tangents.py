"""Tangents of numpy's products and np.linalg (forward mode), the twins of linalg_rules.py.

Products are bilinear: one term per factor (`t[y] = np.dot(t[a], b) + np.dot(a, t[b])`).
Norms weight the tangent by the partial derivatives the adjoint helper gives
for a unit cotangent (so the conventions at 0 and at ties are the adjoint's).
Decompositions follow the standard perturbation formulas (JAX's jvp rules
are the reference for the maths): for A = V diag(w) V^T, with P = V^T dA V,
dw = diag(P) and dV = V (F o P), F_ij = 1 / (w_j - w_i) off the diagonal;
functions that read one triangle differentiate the symmetric matrix built
from that triangle, so they agree with the adjoint rules' triangle convention.
"""
import numpy as np

from transgrad import runtime as rt
from transgrad.rules.registry import t, tangent_method_template, tangent_template


@tangent_method_template("dot")
@tangent_template(np.dot)
def dot(y, a, b):
    t[y] = np.dot(t[a], b) + np.dot(a, t[b])


@tangent_template(np.matmul, np.linalg.matmul)
def matmul(y, x1, x2):
    t[y] = np.matmul(t[x1], x2) + np.matmul(x1, t[x2])


@tangent_template(np.inner)
def inner(y, a, b):
    t[y] = np.inner(t[a], b) + np.inner(a, t[b])


@tangent_template(np.outer)
def outer(y, a, b):
    t[y] = np.outer(t[a], b) + np.outer(a, t[b])


@tangent_template(np.linalg.outer)
def linalg_outer(y, x1, x2):
    t[y] = np.linalg.outer(t[x1], x2) + np.linalg.outer(x1, t[x2])


@tangent_template(np.vdot)
def vdot(y, a, b):
    t[y] = np.vdot(t[a], b) + np.vdot(a, t[b])


@tangent_method_template("trace")
@tangent_template(np.trace)
def trace(y, a, offset=0, axis1=0, axis2=1):
    t[y] = np.trace(t[a], offset, axis1, axis2)


@tangent_template(np.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    t[y] = np.real(rt.reduced_tangent(t[x], rt.norm_grad(rt.ones_like(y), x, y, ord, axis, keepdims), axis, keepdims))


@tangent_template(np.linalg.inv)
def inv(y, a):
    t[y] = -np.matmul(y, np.matmul(t[a], y))


@tangent_template(np.linalg.det)
def det(y, a):
    t[y] = np.sum(rt.det_grad(rt.ones_like(y), a, y) * t[a], axis=(-2, -1))


@tangent_template(np.linalg.solve)
def solve(x, a, b):
    t[x] = np.linalg.solve(a, t[b] - rt.matmul_like(t[a], x, b))


@tangent_template(np.vecdot, np.linalg.vecdot)
def vecdot(y, x1, x2, axis=-1):
    t[y] = np.vecdot(t[x1], x2, axis=axis) + np.vecdot(x1, t[x2], axis=axis)


@tangent_template(np.matvec)
def matvec(y, x1, x2):
    t[y] = np.matvec(t[x1], x2) + np.matvec(x1, t[x2])


@tangent_template(np.vecmat)
def vecmat(y, x1, x2):
    t[y] = np.vecmat(t[x1], x2) + np.vecmat(x1, t[x2])


@tangent_template(np.linalg.tensordot)
def linalg_tensordot(y, x1, x2, axes=2):
    t[y] = np.tensordot(t[x1], x2, axes) + np.tensordot(x1, t[x2], axes)


@tangent_template(np.linalg.trace)
def linalg_trace(y, x, offset=0):
    t[y] = np.linalg.trace(t[x], offset=offset)


@tangent_template(np.linalg.diagonal)
def linalg_diagonal(y, x, offset=0):
    t[y] = np.linalg.diagonal(t[x], offset=offset)


@tangent_template(np.linalg.matrix_transpose)
def linalg_matrix_transpose(y, x):
    t[y] = np.swapaxes(t[x], -1, -2)


@tangent_template(np.linalg.cross)
def linalg_cross(y, x1, x2, axis=-1):
    t[y] = np.cross(t[x1], x2, axis=axis) + np.cross(x1, t[x2], axis=axis)


@tangent_template(np.linalg.vector_norm)
def vector_norm(y, x, axis=None, keepdims=False, ord=2):
    t[y] = np.real(rt.reduced_tangent(t[x], rt.vector_norm_grad(rt.ones_like(y), x, y, ord, axis, keepdims), axis, keepdims))


@tangent_template(np.linalg.matrix_norm)
def matrix_norm(y, x, keepdims=False, ord="fro"):
    t[y] = np.real(rt.reduced_tangent(t[x], rt.norm_grad(rt.ones_like(y), x, y, ord, (-2, -1), keepdims), (-2, -1), keepdims))


@tangent_template(np.linalg.multi_dot)
def multi_dot(y, arrays):
    t[y] = rt.multi_dot_tangent(arrays, t[arrays])


@tangent_template(np.linalg.matrix_power)
def matrix_power(y, a, n):
    t[y] = rt.matrix_power_tangent(t[a], a, n)


@tangent_template(np.linalg.cholesky)
def cholesky(L, a, *, upper=False):
    t[L] = rt.cholesky_tangent(t[a], L, upper)


@tangent_template(np.linalg.slogdet)
def slogdet(y, a):
    t[y] = (rt.zero_tangent(y[0]), np.trace(np.linalg.solve(a, t[a]), axis1=-2, axis2=-1))


@tangent_template(np.linalg.eigh)
def eigh(y, a, UPLO="L"):
    t[y] = rt.eigh_tangent(t[a], y, UPLO)


@tangent_template(np.linalg.eigvalsh)
def eigvalsh(y, a, UPLO="L"):
    t[y] = rt.eigh_tangent(t[a], np.linalg.eigh(a, UPLO), UPLO)[0]


@tangent_template(np.linalg.svdvals)
def svdvals(y, x):
    t[y] = rt.svdvals_tangent(t[x], x)


@tangent_template(np.linalg.tensorinv)
def tensorinv(y, a, ind=2):
    t[y] = rt.tensorinv_tangent(t[a], y, ind)


@tangent_template(np.linalg.tensorsolve)
def tensorsolve(x, a, b):
    t[x] = np.linalg.tensorsolve(a, t[b] - rt.tensordot_like(t[a], x))


# ----- the non-symmetric and rank-revealing decompositions (the adjoints' conventions: svd_grad,
# qr_grad, pinv_grad, lstsq_grads, cond_grad, eig_grad) -----


@tangent_template(np.linalg.svd)
def svd(y, a, full_matrices=True, compute_uv=True):
    t[y] = rt.svd_tangent(t[a], a, y, full_matrices, compute_uv)


@tangent_template(np.linalg.qr)
def qr(y, a):
    t[y] = rt.qr_tangent(t[a], a, y)


@tangent_template(np.linalg.pinv)
def pinv(y, a, rcond=None):
    t[y] = rt.pinv_tangent(t[a], a, y)


@tangent_template(np.linalg.lstsq)
def lstsq(y, a, b, rcond=None):
    t[y] = rt.lstsq_tangent(t[a], t[b], a, b, y)


@tangent_template(np.linalg.cond)
def cond(y, x, p=None):
    t[y] = np.sum(rt.cond_grad(rt.ones_like(y), x, p) * t[x], axis=(-2, -1))


@tangent_template(np.linalg.eig)
def eig(y, a):
    t[y] = rt.eig_tangent(t[a], a, y)


@tangent_template(np.linalg.eigvals)
def eigvals(y, a):
    t[y] = rt.eig_tangent(t[a], a, y, False)
