"""The items of numpy_targets.txt that are language features, not rules (in-place operators,
subscripts read and written, iteration), each checked end to end with tg.gradcheck.

LANGUAGE maps each target to (function, inputs); docs/generate_coverage.py lists these targets
as handled by the compiler and test_coverage.py checks every one has an entry here.
"""
import math

import numpy as np
import pytest

import transgrad as tg


def mul_assign(x):
    y = x * 1.0
    y *= x
    return np.sum(y)


def pow_op(x):
    return np.sum(x ** 3 + 2.0 ** x)


def iadd_array(x, b):
    y = x + 0.0
    y += b
    return np.sum(y * y)


def iadd_rebind(x):
    s = 0.0
    for v in x:
        s += v * v
    return s


def add_op(x, b):
    return np.sum(x + b)


def sub_op(x, b):
    return np.sum((x - b) ** 2)


def isub_array(x, b):
    y = x * 2.0
    y -= b
    return np.sum(y ** 2)


def div_op(x, b):
    return np.sum(x / b)


def idiv_array(x, b):
    y = x * 1.0
    y /= b
    return np.sum(y)


def matmul_op(a, b):
    return np.sum(a @ b)


def neg_op(x):
    return np.sum(-x * x)


def pos_op(x):
    return np.sum(+x * x)


def mod_op(x):
    return np.sum(x % 1.5)


def index_none_ellipsis(x):
    return np.sum(x[None, ..., 1] * x[..., None, 0])


def index_mask(x):
    return np.sum(x[x > 0] ** 2)


def index_int_slice(x):
    return x[1, 2] * np.sum(x[0, 1:3]) + np.sum(x[:, -1])


def index_fancy(x):
    return np.sum(x[np.array([0, 2, 0, 0])] ** 2)


def index_negative_step(x):
    return np.sum(x[::-1] * np.arange(4.0)) + np.sum(x[3:0:-2] ** 2)


def setitem_loop(x):
    out = np.zeros(4)
    for i in range(4):
        out[i] = x[i] * x[(i + 1) % 4]
    return np.sum(out * out)


def setitem_overwrite(x):
    y = x * 2.0
    y[1] = 5.0
    y[y > 1.5] = 0.0
    return np.sum(y * x)


def setitem_fresh(x):
    out = np.zeros((2, 4))
    out[0] = x
    out[1, :2] = x[2:] ** 2
    return np.sum(out ** 2)


def augmented_setitem(x):
    y = x * 1.0
    y[1] += x[0] * 3.0
    y[2:] *= 2.0
    return np.sum(y ** 2)


def iterate_array(x):
    rows = x.reshape(2, 2)
    total = 0.0
    for row in rows:
        total = total + np.sum(row) * row[0]
    return total


def zip_list_tuple(x, b):
    total = 0.0
    for u, v in zip(x, b):
        total = total + u * v
    rows = list(x)
    first, second, third, fourth = tuple(b * rows[3])
    return total + rows[0] * first + second * rows[1]


def scatter_add(x, v):
    a = np.zeros(3)
    np.add.at(a, [0, 2, 2, 1], v * x[0])
    b = x * 1.0
    np.subtract.at(b, [1, 1], v[:2])
    return np.sum(a ** 2 * x + np.sin(b))


def pow_assign(x):
    y = x * 1.0
    y **= 3
    return np.sum(y)


def matmul_assign(a, w):
    y = a * 1.0
    y @= w
    return np.sum(y * y)


X4 = np.array([0.3, -1.2, 0.8, 1.7])
B4 = np.array([0.5, 1.1, -0.4, 0.9])
POS4 = np.array([0.5, 1.1, 0.4, 0.9])
M = np.array([[0.2, -0.4, 1.0], [0.7, 0.3, -0.9]])

LANGUAGE = {
    "operator *": (mul_assign, (X4,)),
    "operator **": (pow_op, (X4,)),
    "operator *= (ndarray in-place)": (mul_assign, (X4,)),
    "operator +": (add_op, (X4, B4)),
    "operator += (ndarray in-place)": (iadd_array, (X4, B4)),
    "operator += (rebinding)": (iadd_rebind, (X4,)),
    "operator -": (sub_op, (X4, B4)),
    "operator -= (ndarray in-place)": (isub_array, (X4, B4)),
    "operator /": (div_op, (X4, POS4)),
    "operator /= (ndarray in-place)": (idiv_array, (X4, POS4)),
    "operator @": (matmul_op, (M, M.T)),
    "operator unary -": (neg_op, (X4,)),
    "operator [] (None/Ellipsis)": (index_none_ellipsis, (M,)),
    "operator [] (boolean mask)": (index_mask, (X4,)),
    "operator [] (int/slice)": (index_int_slice, (np.arange(12.0).reshape(3, 4) / 7,)),
    "operator [] (integer-array/fancy)": (index_fancy, (X4,)),
    "operator []= (loop build-up)": (setitem_loop, (X4,)),
    "operator []= (overwrite elements of traced array)": (setitem_overwrite, (X4,)),
    "operator []= (setitem into fresh array)": (setitem_fresh, (X4,)),
    "operator %": (mod_op, (np.array([0.2, 1.7, 2.2, -0.4]),)),
    "operator unary +": (pos_op, (X4,)),
    "operator [] (negative-step slice)": (index_negative_step, (X4,)),
    "operator []+= (augmented setitem)": (augmented_setitem, (X4,)),
    "ndarray iteration (for v in arr)": (iterate_array, (X4,)),
    "builtin zip/list/tuple over arrays": (zip_list_tuple, (X4, B4)),
    "operator **=": (pow_assign, (POS4,)),
    "np.add.at": (scatter_add, (X4[:3], B4)),
    "operator @=": (matmul_assign, (M.T @ M + 1.0, M.T @ M)),
}


@pytest.mark.parametrize("target", list(LANGUAGE))
def test_language_target(target):
    fn, args = LANGUAGE[target]
    wrt = 0 if len(args) == 1 else tuple(range(len(args)))
    assert tg.gradcheck(fn, *args, wrt=wrt)
    grads = tg.grad(fn, wrt=wrt)(*args)
    grads = grads if isinstance(wrt, tuple) else (grads,)
    for g, a in zip(grads, args):
        assert np.shape(g) == np.shape(a) and np.all(np.isfinite(g))


# ----- conventions the issue names, end to end -----


def masked_sqrt(x):
    return np.sum(np.where(x > 0, np.sqrt(x), 0.0))


def masked_log_divide(x):
    return np.sum(np.where(x > 0, np.log(x) + 1.0 / x, 0.0))


def to_int(x):
    return np.sum(x.astype(int) * x)


def to_float32(x):
    return np.sum(x.astype(np.float32) ** 2)


def prod_with_zero(x):
    return np.prod(x)


def test_where_masking_sqrt_at_zero_gives_no_nan():
    x = np.array([1.0, 0.0, -1.0, 4.0])
    with np.errstate(all="ignore"):
        g = tg.grad(masked_sqrt)(x)
        assert np.array_equal(g, [0.5, 0.0, 0.0, 0.25])
        assert np.array_equal(tg.grad(masked_log_divide)(x), [0.0, 0.0, 0.0, 0.25 - 1 / 16])


def test_astype_int_stops_the_gradient():
    x = np.array([1.5, 2.5, -3.0])
    assert np.array_equal(tg.grad(to_int)(x), [1.0, 2.0, -3.0])   # only the float factor
    g = tg.grad(to_float32)(x)
    assert g.dtype == np.float64 and np.allclose(g, 2 * x)


def test_prod_with_a_zero_is_finite():
    assert np.array_equal(tg.grad(prod_with_zero)(np.array([2.0, 0.0, 3.0])), [0.0, 6.0, 0.0])


def complex_loss(z):
    return np.sum(np.real(z) ** 2 + np.imag(z) ** 2)


def fft_roundtrip(x):
    spectrum = np.fft.rfft(x)
    filtered = np.fft.irfft(spectrum * np.exp(-np.arange(spectrum.shape[0]) / 2.0), x.shape[0])
    return np.sum(filtered ** 2)


def test_complex_conjugate_convention_like_jax():
    """jax.grad(lambda z: jnp.abs(z)**2)(3+4j) == 6-8j: the gradient is dL/da - i dL/db."""
    z = np.array([3.0 + 4.0j])
    assert np.allclose(tg.grad(complex_loss)(z), [6.0 - 8.0j])


def test_real_input_gets_a_real_gradient_through_fft():
    x = np.array([0.3, -1.0, 0.5, 2.0, 0.1, -0.7])
    g = tg.grad(fft_roundtrip)(x)
    assert g.dtype == np.float64
    assert tg.gradcheck(fft_roundtrip, x)


_MC = np.array([[1.0, 2.0j, 0.5], [0.3 - 1j, 1.0, 2.0], [1j, 0.2, -1.0]])


def complex_of(x):
    return np.sin(x) + 1j * x ** 2 + 0.3


def complex_norms(x):
    z = complex_of(x)
    return (np.linalg.norm(z) ** 3 + np.linalg.norm(z, 1) + np.linalg.norm(z, 3) + np.linalg.norm(z, np.inf)
            + np.linalg.norm(np.outer(z, x), "fro"))


def complex_statistics(x):
    z = complex_of(x)
    return np.var(z) + np.std(z * 1j, ddof=1) + np.real(np.vdot(z, _MC @ z)) + np.imag(np.vdot(_MC[0], z))


def complex_contractions(x):
    z = complex_of(x)
    return np.real(np.einsum("i,ij,j->", np.conj(z), _MC, z)) + np.real(np.prod(z)) + np.abs(np.sum(z * z))


def complex_signal_statistics(x):
    # np.correlate and np.cov conjugate one operand; nanvar and nanstd like var and std
    z = complex_of(x)
    return (np.sum(np.abs(np.convolve(z, _MC[0])) ** 2) + np.sum(np.abs(np.correlate(z, _MC[1] * z, "full")))
            + np.real(np.sum(np.cov(np.outer(z, x)) * _MC)) + np.nanvar(z) + np.nanstd(z * 1j))


@pytest.mark.parametrize("fn", [complex_norms, complex_statistics, complex_contractions, complex_signal_statistics])
def test_complex_intermediates_of_a_real_input_follow_the_convention(fn):
    # norm, var and std of a complex array use conj(z); vdot conjugates its first argument; einsum and
    # prod keep complex cotangents complex
    assert tg.gradcheck(fn, np.array([0.4, -1.3, 0.8]), rtol=1e-4)


def test_norm_and_var_of_a_complex_input_give_the_conjugate_gradient():
    z = np.array([3.0 + 4.0j, -1.0 + 0.5j])
    np.testing.assert_allclose(tg.grad(complex_norm_squared)(z), 2 * np.conj(z))
    np.testing.assert_allclose(tg.grad(complex_variance)(z), np.conj(z - z.mean()))


def complex_norm_squared(z):
    return np.linalg.norm(z) ** 2


def complex_variance(z):
    return np.var(z)


def complex_factorizations(x):
    a = _MC + np.diag(complex_of(x))
    h = a @ np.conj(a.T) + 3.0 * np.eye(3)
    return (np.sum(np.abs(np.linalg.cholesky(h))), np.sum(np.linalg.eigvalsh(h)), np.sum(np.linalg.svd(a)[1]),
            np.sum(np.abs(np.linalg.qr(a)[1])), np.real(np.linalg.slogdet(a)[0]), np.sum(np.abs(np.corrcoef(a))))


@pytest.mark.parametrize("part", range(6), ids=["cholesky", "eigvalsh", "svd", "qr", "slogdet sign", "corrcoef"])
def test_factorizations_of_complex_matrices_are_refused_not_guessed(part):
    # their rules are written for real matrices: an error instead of a wrong gradient
    with pytest.raises(tg.NonDifferentiableError, match="complex array"):
        tg.grad(pick_factorization)(np.array([0.4, -1.3, 0.8]), part)


def pick_factorization(x, part):
    return complex_factorizations(x)[part]


def det_singular(a):
    return np.linalg.det(a)


def test_det_of_a_singular_matrix_is_the_cofactor_matrix():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert np.allclose(tg.grad(det_singular)(a), [[4.0, -2.0], [-2.0, 1.0]])


def scalar_math(x):
    return math.sqrt(x) + math.log(x)


def test_math_on_python_floats():
    assert tg.gradcheck(scalar_math, 1.7)
