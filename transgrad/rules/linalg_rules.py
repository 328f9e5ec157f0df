"""Adjoints of numpy's products and np.linalg.

Conventions: np.linalg.norm has gradient 0 at x = 0 (a subgradient, as in JAX);
its inf-norm splits the gradient equally among tied largest entries; matrix
norms other than Frobenius raise ValueError when differentiated. inv and solve
assume a non-singular matrix (numpy raises LinAlgError otherwise); det of a
singular matrix gets the cofactor matrix (finite and exact).

Functions that read one triangle of their argument (cholesky, eigh, eigvalsh,
scipy's solve_triangular) get a gradient on that triangle only: it is the
exact derivative of what numpy computes, for any input, symmetric or not.
JAX and PyTorch instead return the symmetrized gradient (G + G^T)/2 of a
symmetric input; both agree along symmetric perturbations.
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


@adjoint_template(np.vdot, convention="vdot(a, b) = sum(conj(a) b): a gets conj(g b), b gets g conj(a)")
def vdot(y, a, b):
    d[a] = rt.conj(d[y] * np.reshape(b, np.shape(a)))
    d[b] = d[y] * rt.conj(np.reshape(a, np.shape(b)))


@method_template("trace")
@adjoint_template(np.trace)
def trace(y, a, offset=0, axis1=0, axis2=1):
    d[a] = rt.trace_grad(d[y], a, offset, axis1, axis2)


@adjoint_template(np.linalg.norm, convention="gradient 0 at x = 0 (PyTorch: 0; JAX and autograd: nan); inf-norm ties split equally; only the Frobenius matrix norm; complex x: g conj(x) |x|^(p-2) / norm^(p-1) (second derivatives: real x only)")
def norm(y, x, ord=None, axis=None, keepdims=False):
    d[x] = rt.norm_grad(d[y], x, y, ord, axis, keepdims)


@adjoint_template(np.linalg.inv)
def inv(y, a):
    yt = np.swapaxes(y, -1, -2)
    d[a] = -np.matmul(yt, np.matmul(d[y], yt))


@adjoint_template(np.linalg.det, convention="g times the cofactor matrix: finite and exact for a singular matrix (JAX agrees; PyTorch gives 0, autograd raises)")
def det(y, a):
    d[a] = rt.det_grad(d[y], a, y)


@adjoint_template(np.linalg.solve)
def solve(x, a, b):
    gb = rt.solve_transposed(a, d[x], b)
    d[b] = rt.unbroadcast(gb, b)
    d[a] = rt.unbroadcast(rt.solve_grad_a(gb, x, b), a)


@adjoint_template(np.linalg.matmul)
def linalg_matmul(y, x1, x2):
    d[x1] = rt.matmul_grad_left(d[y], x1, x2)
    d[x2] = rt.matmul_grad_right(d[y], x1, x2)


@adjoint_template(np.linalg.outer)
def linalg_outer(y, x1, x2):
    d[x1] = np.dot(d[y], x2)
    d[x2] = np.dot(x1, d[y])


@adjoint_template(np.vecdot, np.linalg.vecdot)
def vecdot(y, x1, x2, axis=-1):
    d[x1] = rt.unbroadcast(np.expand_dims(d[y], axis) * np.conj(x2), x1)
    d[x2] = rt.unbroadcast(np.expand_dims(d[y], axis) * x1, x2)


@adjoint_template(np.matvec)
def matvec(y, x1, x2):
    d[x1] = rt.unbroadcast(d[y][..., :, None] * x2[..., None, :], x1)
    d[x2] = rt.unbroadcast(np.matmul(np.swapaxes(x1, -1, -2), d[y][..., None])[..., 0], x2)


@adjoint_template(np.vecmat)
def vecmat(y, x1, x2):
    d[x1] = rt.unbroadcast(np.matmul(x2, d[y][..., None])[..., 0], x1)
    d[x2] = rt.unbroadcast(x1[..., :, None] * d[y][..., None, :], x2)


@adjoint_template(np.linalg.tensordot)
def linalg_tensordot(y, x1, x2, axes=2):
    d[x1] = rt.einsum_grad(d[y], rt.tensordot_subscripts(x1, x2, axes), (x1, x2), 0)
    d[x2] = rt.einsum_grad(d[y], rt.tensordot_subscripts(x1, x2, axes), (x1, x2), 1)


@adjoint_template(np.linalg.trace)
def linalg_trace(y, x, offset=0):
    d[x] = rt.trace_grad(d[y], x, offset, -2, -1)


@adjoint_template(np.linalg.diagonal)
def linalg_diagonal(y, x, offset=0):
    d[x] = rt.diagonal_grad(d[y], x, offset, -2, -1)


@adjoint_template(np.linalg.matrix_transpose)
def linalg_matrix_transpose(y, x):
    d[x] = np.swapaxes(d[y], -1, -2)


@adjoint_template(np.linalg.cross)
def linalg_cross(y, x1, x2, axis=-1):
    d[x1] = rt.unbroadcast(np.cross(x2, d[y], axis=axis), x1)
    d[x2] = rt.unbroadcast(np.cross(d[y], x1, axis=axis), x2)


@adjoint_template(np.linalg.vector_norm, convention="as np.linalg.norm: 0 at x = 0, inf-norm ties split equally")
def vector_norm(y, x, axis=None, keepdims=False, ord=2):
    d[x] = rt.vector_norm_grad(d[y], x, y, ord, axis, keepdims)


@adjoint_template(np.linalg.matrix_norm, convention="Frobenius only; 0 at x = 0")
def matrix_norm(y, x, keepdims=False, ord="fro"):
    d[x] = rt.norm_grad(d[y], x, y, ord, (-2, -1), keepdims)


@adjoint_template(np.linalg.multi_dot)
def multi_dot(y, arrays):
    d[arrays] = rt.multi_dot_grad(d[y], arrays)


@adjoint_template(np.linalg.matrix_power)
def matrix_power(y, a, n):
    d[a] = rt.matrix_power_grad(d[y], a, n)


@adjoint_template(np.linalg.cholesky, convention="numpy reads only the lower triangle (upper=True: the upper one), so the gradient lives on that triangle; JAX and PyTorch return the symmetrized gradient instead; real matrices only (a complex one raises)")
def cholesky(L, a, *, upper=False):
    d[a] = rt.cholesky_grad(d[L], L, upper)


@adjoint_template(np.linalg.slogdet, tuple_result=True, convention="the sign is a constant (a complex a whose sign gets a gradient raises); the log-determinant gets g inv(a)^T")
def slogdet(y, a):
    d[a] = rt.slogdet_grad(d[y], a, y)


@adjoint_template(np.linalg.eigh, tuple_result=True, convention="gradient on the triangle numpy reads (UPLO); repeated eigenvalues: the eigenvector term drops the tied pairs, with a RuntimeWarning (exact when the loss leaves the basis of each eigenspace free, e.g. a projector onto it; JAX and PyTorch give nan there); real matrices only (a complex one raises)")
def eigh(y, a, UPLO="L"):
    d[a] = rt.eigh_grad(d[y], a, y, UPLO)


@adjoint_template(np.linalg.eigvalsh, convention="gradient V diag(g) V^T on the triangle numpy reads (UPLO); well defined for repeated eigenvalues of a symmetric matrix; real matrices only (a complex one raises)")
def eigvalsh(y, a, UPLO="L"):
    d[a] = rt.eigh_grad(d[y], a, y, UPLO, False)


@adjoint_template(np.linalg.svd, tuple_result=True, convention="full_matrices=False for non-square inputs; repeated singular values: the singular-vector term drops the tied pairs, with a RuntimeWarning (exact when the loss leaves the basis of each singular subspace free); real matrices only (a complex one raises)")
def svd(y, a, full_matrices=True, compute_uv=True):
    d[a] = rt.svd_grad(d[y], a, y, full_matrices, compute_uv)


@adjoint_template(np.linalg.svdvals, convention="U diag(g) V^T; real matrices only (a complex one raises)")
def svdvals(y, x):
    d[x] = rt.svd_grad(d[y], x, y, False, False)


@adjoint_template(np.linalg.qr, tuple_result=True, convention="mode='reduced' with at least as many rows as columns; real matrices only (a complex one raises)")
def qr(y, a):
    d[a] = rt.qr_grad(d[y], a, y)


@adjoint_template(np.linalg.pinv, convention="the derivative at constant rank (Golub-Pereyra); rank changes are kinks")
def pinv(y, a, rcond=None):
    d[a] = rt.pinv_grad(d[y], a, y)


@adjoint_template(np.linalg.lstsq, tuple_result=True, convention="through the solution x = pinv(a) b and the residuals; rank and singular values are constants")
def lstsq(y, a, b, rcond=None):
    d[a] = rt.lstsq_grads(d[y], a, b, y)[0]
    d[b] = rt.lstsq_grads(d[y], a, b, y)[1]


# ----- added for tier-3 coverage -----


@adjoint_template(np.linalg.cond, convention="p=None/2 (s_max/s_min) and -2 through the outer singular vectors; other p raise ValueError; a repeated largest or smallest singular value is a kink")
def cond(y, x, p=None):
    d[x] = rt.cond_grad(d[y], x, p)


_EIG = ("JAX's convention (jax.lax.linalg.eig with enable_eigvec_derivs=True): with P = V^-1 dA V, dw = diag(P), "
        "dV = V (F o P) + V diag(c), c fixed by numpy's normalization of each eigenvector (unit norm, "
        "largest-magnitude component real); real input, real gradient (the real part); repeated eigenvalues are "
        "singular")


@adjoint_template(np.linalg.eig, tuple_result=True, convention=_EIG)
def eig(y, a):
    d[a] = rt.eig_grad(d[y], a, y)


@adjoint_template(np.linalg.eigvals, convention="g_a = V^-T diag(g) V^T (JAX/autograd complex convention; the real part for a real input); repeated eigenvalues are singular")
def eigvals(y, a):
    d[a] = rt.eig_grad(d[y], a, y, False)


@adjoint_template(np.linalg.tensorinv)
def tensorinv(y, a, ind=2):
    d[a] = rt.tensorinv_grad(d[y], a, y, ind)


@adjoint_template(np.linalg.tensorsolve, convention="axes=None only")
def tensorsolve(x, a, b):
    grads = rt.tensorsolve_grads(d[x], a, b, x)
    d[a] = grads[0]
    d[b] = grads[1]
