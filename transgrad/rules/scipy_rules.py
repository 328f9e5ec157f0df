"""Adjoints of scipy.special, scipy.linalg and scipy.stats (registered only when scipy is installed).

Templates may name only np, math and rt, so scipy functions a gradient needs
are called through rt.scipy_special.name(...). Conventions: xlogy(0, y) has
gradient 0 for y (and log(y) for x); logsumexp and softmax are computed from
the result, so they never overflow; solve_triangular reads one triangle and its
gradient lives on it.
"""
import math

import numpy as np
import scipy.linalg
import scipy.special
import scipy.stats

from transgrad import runtime as rt
from transgrad.rules.registry import adjoint_template, d, non_differentiable



# ----- scipy.special -----


@adjoint_template(scipy.special.logsumexp, name="scipy.special.logsumexp")
def logsumexp(y, a, axis=None, b=None, keepdims=False):
    d[a] = rt.unreduce(d[y], a, axis, keepdims) * np.exp(a - rt.keep_reduced(y, a, axis, keepdims)) * (1.0 if b is None else b)
    d[b] = rt.unbroadcast(rt.unreduce(d[y], a, axis, keepdims) * np.exp(a - rt.keep_reduced(y, a, axis, keepdims)), b)


@adjoint_template(scipy.special.softmax, name="scipy.special.softmax")
def softmax(y, x, axis=None):
    d[x] = y * (d[y] - np.sum(d[y] * y, axis=axis, keepdims=True))


@adjoint_template(scipy.special.log_softmax, name="scipy.special.log_softmax")
def log_softmax(y, x, axis=None):
    d[x] = d[y] - np.exp(y) * np.sum(d[y], axis=axis, keepdims=True)


@adjoint_template(scipy.special.expit, name="scipy.special.expit")
def expit(y, x):
    d[x] = d[y] * y * (1 - y)


@adjoint_template(scipy.special.logit, name="scipy.special.logit")
def logit(y, x):
    d[x] = rt.masked_div(d[y], x * (1 - x))


@adjoint_template(scipy.special.erf, name="scipy.special.erf")
def erf(y, x):
    d[x] = d[y] * (2 / math.sqrt(math.pi)) * np.exp(-x ** 2)


@adjoint_template(scipy.special.erfc, name="scipy.special.erfc")
def erfc(y, x):
    d[x] = -d[y] * (2 / math.sqrt(math.pi)) * np.exp(-x ** 2)


@adjoint_template(scipy.special.erfcx, name="scipy.special.erfcx")
def erfcx(y, x):
    d[x] = d[y] * (2 * x * y - 2 / math.sqrt(math.pi))


@adjoint_template(scipy.special.erfinv, name="scipy.special.erfinv")
def erfinv(y, x):
    d[x] = d[y] * (math.sqrt(math.pi) / 2) * np.exp(y ** 2)


@adjoint_template(scipy.special.erfcinv, name="scipy.special.erfcinv")
def erfcinv(y, x):
    d[x] = -d[y] * (math.sqrt(math.pi) / 2) * np.exp(y ** 2)


@adjoint_template(scipy.special.ndtr, name="scipy.special.ndtr")
def ndtr(y, x):
    d[x] = d[y] * np.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi)


@adjoint_template(scipy.special.log_ndtr, name="scipy.special.log_ndtr")
def log_ndtr(y, x):
    d[x] = d[y] * np.exp(-x ** 2 / 2 - y) / math.sqrt(2 * math.pi)


@adjoint_template(scipy.special.ndtri, name="scipy.special.ndtri")
def ndtri(y, x):
    d[x] = d[y] * math.sqrt(2 * math.pi) * np.exp(y ** 2 / 2)


@adjoint_template(scipy.special.gammaln, name="scipy.special.gammaln")
def gammaln(y, x):
    d[x] = d[y] * rt.scipy_special.digamma(x)


@adjoint_template(scipy.special.gamma, name="scipy.special.gamma")
def gamma(y, x):
    d[x] = d[y] * y * rt.scipy_special.digamma(x)


@adjoint_template(scipy.special.rgamma, name="scipy.special.rgamma")
def rgamma(y, x):
    d[x] = -d[y] * y * rt.scipy_special.digamma(x)


@adjoint_template(scipy.special.digamma, scipy.special.psi, name="scipy.special.digamma")
def digamma(y, x):
    d[x] = d[y] * rt.scipy_special.polygamma(1, x)


@adjoint_template(scipy.special.polygamma, name="scipy.special.polygamma")
def polygamma(y, n, x):
    d[x] = rt.unbroadcast(d[y] * rt.scipy_special.polygamma(n + 1, x), x)


@adjoint_template(scipy.special.multigammaln, name="scipy.special.multigammaln")
def multigammaln(y, a, d_):
    d[a] = d[y] * np.sum(rt.scipy_special.digamma(np.expand_dims(a, -1) - np.arange(d_) / 2.0), axis=-1)


@adjoint_template(scipy.special.betaln, name="scipy.special.betaln")
def betaln(z, a, b):
    d[a] = rt.unbroadcast(d[z] * (rt.scipy_special.digamma(a) - rt.scipy_special.digamma(a + b)), a)
    d[b] = rt.unbroadcast(d[z] * (rt.scipy_special.digamma(b) - rt.scipy_special.digamma(a + b)), b)


@adjoint_template(scipy.special.beta, name="scipy.special.beta")
def beta(z, a, b):
    d[a] = rt.unbroadcast(d[z] * z * (rt.scipy_special.digamma(a) - rt.scipy_special.digamma(a + b)), a)
    d[b] = rt.unbroadcast(d[z] * z * (rt.scipy_special.digamma(b) - rt.scipy_special.digamma(a + b)), b)


@adjoint_template(scipy.special.xlogy, name="scipy.special.xlogy", convention="x = 0 gives 0 for y (even at y = 0), log(y) for x")
def xlogy(z, x, y):
    d[x] = rt.unbroadcast(d[z] * np.log(y), x)
    d[y] = rt.unbroadcast(rt.masked_div(d[z] * x, y), y)


@adjoint_template(scipy.special.xlog1py, name="scipy.special.xlog1py", convention="x = 0 gives 0 for y")
def xlog1py(z, x, y):
    d[x] = rt.unbroadcast(d[z] * np.log1p(y), x)
    d[y] = rt.unbroadcast(rt.masked_div(d[z] * x, 1 + y), y)


@adjoint_template(scipy.special.entr, name="scipy.special.entr", convention="-x log x: gradient -(log x + 1), -inf at 0")
def entr(y, x):
    d[x] = -d[y] * (np.log(x) + 1)


@adjoint_template(scipy.special.rel_entr, name="scipy.special.rel_entr")
def rel_entr(z, x, y):
    d[x] = rt.unbroadcast(d[z] * (np.log(x / y) + 1), x)
    d[y] = rt.unbroadcast(-d[z] * x / y, y)


@adjoint_template(scipy.special.kl_div, name="scipy.special.kl_div")
def kl_div(z, x, y):
    d[x] = rt.unbroadcast(d[z] * np.log(x / y), x)
    d[y] = rt.unbroadcast(d[z] * (1 - x / y), y)


@adjoint_template(scipy.special.i0, name="scipy.special.i0")
def i0(y, x):
    d[x] = d[y] * rt.scipy_special.i1(x)


@adjoint_template(scipy.special.i0e, name="scipy.special.i0e")
def i0e(y, x):
    d[x] = d[y] * (rt.scipy_special.i1e(x) - np.sign(x) * y)


@adjoint_template(scipy.special.i1, name="scipy.special.i1")
def i1(y, x):
    d[x] = d[y] * (rt.scipy_special.i0(x) - rt.masked_div(y, x))


@adjoint_template(scipy.special.i1e, name="scipy.special.i1e")
def i1e(y, x):
    d[x] = d[y] * (rt.scipy_special.i0e(x) - rt.masked_div(y, x) - np.sign(x) * y)


@adjoint_template(scipy.special.j0, name="scipy.special.j0")
def j0(y, x):
    d[x] = -d[y] * rt.scipy_special.j1(x)


@adjoint_template(scipy.special.j1, name="scipy.special.j1")
def j1(y, x):
    d[x] = d[y] * (rt.scipy_special.j0(x) - rt.masked_div(y, x))


@adjoint_template(scipy.special.y0, name="scipy.special.y0")
def y0(y, x):
    d[x] = -d[y] * rt.scipy_special.y1(x)


@adjoint_template(scipy.special.y1, name="scipy.special.y1")
def y1(y, x):
    d[x] = d[y] * (rt.scipy_special.y0(x) - y / x)


@adjoint_template(scipy.special.k0, name="scipy.special.k0")
def k0(y, x):
    d[x] = -d[y] * rt.scipy_special.k1(x)


@adjoint_template(scipy.special.k1, name="scipy.special.k1")
def k1(y, x):
    d[x] = -d[y] * (rt.scipy_special.k0(x) + y / x)


@adjoint_template(scipy.special.jv, scipy.special.jn, name="scipy.special.jv", convention="the order is a constant")
def jv(y, v, z):
    d[z] = rt.unbroadcast(d[y] * (rt.scipy_special.jv(v - 1, z) - rt.scipy_special.jv(v + 1, z)) / 2, z)


@adjoint_template(scipy.special.yn, name="scipy.special.yn", convention="the order is a constant")
def yn(y, n, x):
    d[x] = rt.unbroadcast(d[y] * (rt.scipy_special.yn(n - 1, x) - rt.scipy_special.yn(n + 1, x)) / 2, x)


@adjoint_template(scipy.special.iv, name="scipy.special.iv", convention="the order is a constant")
def iv(y, v, z):
    d[z] = rt.unbroadcast(d[y] * (rt.scipy_special.iv(v - 1, z) + rt.scipy_special.iv(v + 1, z)) / 2, z)


@adjoint_template(scipy.special.ive, name="scipy.special.ive", convention="the order is a constant")
def ive(y, v, z):
    d[z] = rt.unbroadcast(d[y] * ((rt.scipy_special.ive(v - 1, z) + rt.scipy_special.ive(v + 1, z)) / 2 - np.sign(z) * y), z)


@adjoint_template(scipy.special.exp1, name="scipy.special.exp1")
def exp1(y, x):
    d[x] = -d[y] * np.exp(-x) / x


@adjoint_template(scipy.special.expi, name="scipy.special.expi")
def expi(y, x):
    d[x] = d[y] * np.exp(x) / x


@adjoint_template(scipy.special.spence, name="scipy.special.spence")
def spence(y, z):
    d[z] = d[y] * rt.masked_div(np.log(z), 1 - z)


@adjoint_template(scipy.special.zeta, name="scipy.special.zeta", convention="the exponent x is a constant; q gets -x zeta(x + 1, q)")
def zeta(y, x, q=None):
    d[q] = rt.unbroadcast(-d[y] * x * rt.scipy_special.zeta(x + 1, q), q)


@adjoint_template(scipy.special.gammainc, name="scipy.special.gammainc", convention="the shape a is a constant")
def gammainc(y, a, x):
    d[x] = rt.unbroadcast(d[y] * np.exp(-x + (a - 1) * np.log(x) - rt.scipy_special.gammaln(a)), x)


@adjoint_template(scipy.special.gammaincc, name="scipy.special.gammaincc", convention="the shape a is a constant")
def gammaincc(y, a, x):
    d[x] = rt.unbroadcast(-d[y] * np.exp(-x + (a - 1) * np.log(x) - rt.scipy_special.gammaln(a)), x)


@adjoint_template(scipy.special.betainc, name="scipy.special.betainc", convention="the shapes a, b are constants")
def betainc(y, a, b, x):
    d[x] = rt.unbroadcast(d[y] * np.exp((a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - rt.scipy_special.betaln(a, b)), x)


# ----- scipy.linalg -----


@adjoint_template(scipy.linalg.expm, name="scipy.linalg.expm")
def expm(y, A):
    d[A] = rt.expm_grad(d[y], A)


@adjoint_template(scipy.linalg.solve_triangular, name="scipy.linalg.solve_triangular", convention="reads one triangle (lower=...), and the gradient of a lives on it (without the diagonal for unit_diagonal=True)")
def solve_triangular(x, a, b, trans=0, lower=False, unit_diagonal=False):
    d[a] = rt.solve_triangular_grads(d[x], a, b, x, trans, lower, unit_diagonal)[0]
    d[b] = rt.solve_triangular_grads(d[x], a, b, x, trans, lower, unit_diagonal)[1]


@adjoint_template(scipy.linalg.inv, name="scipy.linalg.inv")
def inv(y, a):
    d[a] = -np.matmul(np.swapaxes(y, -1, -2), np.matmul(d[y], np.swapaxes(y, -1, -2)))


@adjoint_template(scipy.linalg.det, name="scipy.linalg.det", convention="as np.linalg.det: the cofactor matrix, finite for a singular matrix")
def det(y, a):
    d[a] = rt.det_grad(d[y], a, y)


@adjoint_template(scipy.linalg.cholesky, name="scipy.linalg.cholesky", convention="reads the upper triangle by default (lower=True: the lower one); the gradient lives on it")
def cholesky(c, a, lower=False):
    d[a] = rt.cholesky_grad(d[c], c, not lower)


@adjoint_template(scipy.linalg.block_diag, name="scipy.linalg.block_diag")
def block_diag(y, a, b=None, c=None):
    d[a] = rt.block_diag_grads(d[y], (a, b, c))[0]
    d[b] = rt.block_diag_grads(d[y], (a, b, c))[1]
    d[c] = rt.block_diag_grads(d[y], (a, b, c))[2]


# ----- scipy.stats -----


@adjoint_template(scipy.stats.norm.logpdf, name="scipy.stats.norm.logpdf")
def norm_logpdf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(-d[y] * (x - loc) / scale ** 2, x)
    d[loc] = rt.unbroadcast(d[y] * (x - loc) / scale ** 2, loc)
    d[scale] = rt.unbroadcast(d[y] * ((x - loc) ** 2 / scale ** 3 - 1 / scale), scale)


@adjoint_template(scipy.stats.norm.pdf, name="scipy.stats.norm.pdf")
def norm_pdf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(-d[y] * y * (x - loc) / scale ** 2, x)
    d[loc] = rt.unbroadcast(d[y] * y * (x - loc) / scale ** 2, loc)
    d[scale] = rt.unbroadcast(d[y] * y * ((x - loc) ** 2 / scale ** 3 - 1 / scale), scale)


@adjoint_template(scipy.stats.norm.cdf, name="scipy.stats.norm.cdf")
def norm_cdf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(d[y] * np.exp(-((x - loc) / scale) ** 2 / 2) / (math.sqrt(2 * math.pi) * scale), x)
    d[loc] = rt.unbroadcast(-d[y] * np.exp(-((x - loc) / scale) ** 2 / 2) / (math.sqrt(2 * math.pi) * scale), loc)
    d[scale] = rt.unbroadcast(-d[y] * np.exp(-((x - loc) / scale) ** 2 / 2) * (x - loc) / (math.sqrt(2 * math.pi) * scale ** 2), scale)


@adjoint_template(scipy.stats.norm.sf, name="scipy.stats.norm.sf")
def norm_sf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(-d[y] * np.exp(-((x - loc) / scale) ** 2 / 2) / (math.sqrt(2 * math.pi) * scale), x)
    d[loc] = rt.unbroadcast(d[y] * np.exp(-((x - loc) / scale) ** 2 / 2) / (math.sqrt(2 * math.pi) * scale), loc)
    d[scale] = rt.unbroadcast(d[y] * np.exp(-((x - loc) / scale) ** 2 / 2) * (x - loc) / (math.sqrt(2 * math.pi) * scale ** 2), scale)


@adjoint_template(scipy.stats.norm.logcdf, name="scipy.stats.norm.logcdf")
def norm_logcdf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(d[y] * np.exp(-((x - loc) / scale) ** 2 / 2 - y) / (math.sqrt(2 * math.pi) * scale), x)
    d[loc] = rt.unbroadcast(-d[y] * np.exp(-((x - loc) / scale) ** 2 / 2 - y) / (math.sqrt(2 * math.pi) * scale), loc)
    d[scale] = rt.unbroadcast(-d[y] * np.exp(-((x - loc) / scale) ** 2 / 2 - y) * (x - loc) / (math.sqrt(2 * math.pi) * scale ** 2), scale)


@adjoint_template(scipy.stats.norm.logsf, name="scipy.stats.norm.logsf")
def norm_logsf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(-d[y] * np.exp(-((x - loc) / scale) ** 2 / 2 - y) / (math.sqrt(2 * math.pi) * scale), x)
    d[loc] = rt.unbroadcast(d[y] * np.exp(-((x - loc) / scale) ** 2 / 2 - y) / (math.sqrt(2 * math.pi) * scale), loc)
    d[scale] = rt.unbroadcast(d[y] * np.exp(-((x - loc) / scale) ** 2 / 2 - y) * (x - loc) / (math.sqrt(2 * math.pi) * scale ** 2), scale)


@adjoint_template(scipy.stats.norm.ppf, name="scipy.stats.norm.ppf")
def norm_ppf(y, q, loc=0.0, scale=1.0):
    d[q] = rt.unbroadcast(d[y] * math.sqrt(2 * math.pi) * scale * np.exp(((y - loc) / scale) ** 2 / 2), q)
    d[loc] = rt.unbroadcast(d[y], loc)
    d[scale] = rt.unbroadcast(d[y] * (y - loc) / scale, scale)


@adjoint_template(scipy.stats.expon.logpdf, name="scipy.stats.expon.logpdf", convention="the support boundary x = loc is a kink: gradient of the inside")
def expon_logpdf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(-d[y] / scale * np.ones(np.shape(x)), x)
    d[loc] = rt.unbroadcast(d[y] / scale * np.ones(np.shape(x)), loc)
    d[scale] = rt.unbroadcast(d[y] * ((x - loc) / scale ** 2 - 1 / scale), scale)


@adjoint_template(scipy.stats.laplace.logpdf, name="scipy.stats.laplace.logpdf", convention="at x = loc the gradient is 0 (sign(0) = 0)")
def laplace_logpdf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(-d[y] * np.sign(x - loc) / scale, x)
    d[loc] = rt.unbroadcast(d[y] * np.sign(x - loc) / scale, loc)
    d[scale] = rt.unbroadcast(d[y] * (np.abs(x - loc) / scale ** 2 - 1 / scale), scale)


@adjoint_template(scipy.stats.cauchy.logpdf, name="scipy.stats.cauchy.logpdf")
def cauchy_logpdf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(-d[y] * 2 * (x - loc) / (scale ** 2 + (x - loc) ** 2), x)
    d[loc] = rt.unbroadcast(d[y] * 2 * (x - loc) / (scale ** 2 + (x - loc) ** 2), loc)
    d[scale] = rt.unbroadcast(d[y] * (((x - loc) ** 2 - scale ** 2) / (scale * (scale ** 2 + (x - loc) ** 2))), scale)


@adjoint_template(scipy.stats.logistic.logpdf, name="scipy.stats.logistic.logpdf")
def logistic_logpdf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(-d[y] * np.tanh((x - loc) / (2 * scale)) / scale, x)
    d[loc] = rt.unbroadcast(d[y] * np.tanh((x - loc) / (2 * scale)) / scale, loc)
    d[scale] = rt.unbroadcast(d[y] * ((x - loc) * np.tanh((x - loc) / (2 * scale)) / scale ** 2 - 1 / scale), scale)


@adjoint_template(scipy.stats.uniform.logpdf, name="scipy.stats.uniform.logpdf", convention="x gets 0 inside the support; scale gets -1/scale")
def uniform_logpdf(y, x, loc=0.0, scale=1.0):
    d[x] = rt.unbroadcast(0 * d[y] * np.ones(np.shape(x)), x)
    d[loc] = rt.unbroadcast(0 * d[y] * np.ones(np.shape(x)), loc)
    d[scale] = rt.unbroadcast(-d[y] / scale * np.ones(np.shape(x)), scale)


non_differentiable(scipy.special.factorial, scipy.special.comb, convention="integer-valued: constants")


# ----- added for tier-3 coverage -----


@adjoint_template(scipy.linalg.lu_solve, name="scipy.linalg.lu_solve", convention="the packed factor gets gL on its strict lower triangle and gU on its upper one; the pivots are constants")
def lu_solve(x, lu_and_piv, b, trans=0, check_finite=True):
    grads = rt.lu_solve_grads(d[x], lu_and_piv, b, x, trans)
    d[lu_and_piv] = grads[0]
    d[b] = grads[1]


@adjoint_template(scipy.linalg.cho_solve, name="scipy.linalg.cho_solve", convention="the factor's gradient lives on the triangle cho_solve reads")
def cho_solve(x, c_and_lower, b, check_finite=True):
    grads = rt.cho_solve_grads(d[x], c_and_lower, b, x)
    d[c_and_lower] = grads[0]
    d[b] = grads[1]


@adjoint_template(scipy.linalg.sqrtm, name="scipy.linalg.sqrtm", convention="principal square root: Y with X^T Y + Y X^T = G; real part for a real input")
def sqrtm(X, A):
    d[A] = rt.sqrtm_grad(d[X], A, X)


@adjoint_template(scipy.linalg.logm, name="scipy.linalg.logm", convention="principal logarithm: the Frechet derivative at A^T (block-matrix form); real part for a real input")
def logm(L, A):
    d[A] = rt.logm_grad(d[L], A)


@adjoint_template(scipy.linalg.solve_sylvester, name="scipy.linalg.solve_sylvester")
def solve_sylvester(x, a, b, q):
    grads = rt.solve_sylvester_grads(d[x], a, b, q, x)
    d[a] = grads[0]
    d[b] = grads[1]
    d[q] = grads[2]


@adjoint_template(scipy.linalg.solve_banded, name="scipy.linalg.solve_banded", convention="ab gets the gradient on its band slots, 0 on the unused corners; (l, u) are constants")
def solve_banded(x, l_and_u, ab, b, check_finite=True):
    grads = rt.solve_banded_grads(d[x], l_and_u, ab, b, x)
    d[ab] = grads[0]
    d[b] = grads[1]


@adjoint_template(scipy.stats.t.logpdf, name="scipy.stats.t.logpdf")
def t_logpdf(y, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = -(df + 1) * z / (df + z ** 2) / scale
    d[x] = rt.unbroadcast(d[y] * slope, x)
    d[df] = rt.unbroadcast(d[y] * ((rt.scipy_special.digamma((df + 1) / 2) - rt.scipy_special.digamma(df / 2) - 1 / df - np.log1p(z ** 2 / df)) / 2 + (df + 1) * z ** 2 / (2 * df * (df + z ** 2))), df)
    d[loc] = rt.unbroadcast(-d[y] * slope, loc)
    d[scale] = rt.unbroadcast(-d[y] * (slope * z + 1 / scale), scale)


@adjoint_template(scipy.stats.gamma.logpdf, name="scipy.stats.gamma.logpdf", convention="inside the support x > loc")
def gamma_logpdf(y, x, a, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = ((a - 1) / z - 1) / scale
    d[x] = rt.unbroadcast(d[y] * slope, x)
    d[a] = rt.unbroadcast(d[y] * (np.log(z) - rt.scipy_special.digamma(a)), a)
    d[loc] = rt.unbroadcast(-d[y] * slope, loc)
    d[scale] = rt.unbroadcast(-d[y] * (slope * z + 1 / scale), scale)


@adjoint_template(scipy.stats.chi2.logpdf, name="scipy.stats.chi2.logpdf", convention="inside the support x > loc")
def chi2_logpdf(y, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = ((df / 2 - 1) / z - 0.5) / scale
    d[x] = rt.unbroadcast(d[y] * slope, x)
    d[df] = rt.unbroadcast(d[y] * (np.log(z / 2) - rt.scipy_special.digamma(df / 2)) / 2, df)
    d[loc] = rt.unbroadcast(-d[y] * slope, loc)
    d[scale] = rt.unbroadcast(-d[y] * (slope * z + 1 / scale), scale)


@adjoint_template(scipy.stats.beta.logpdf, name="scipy.stats.beta.logpdf", convention="inside the support loc < x < loc + scale")
def beta_logpdf(y, x, a, b, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = ((a - 1) / z - (b - 1) / (1 - z)) / scale
    d[x] = rt.unbroadcast(d[y] * slope, x)
    d[a] = rt.unbroadcast(d[y] * (np.log(z) - rt.scipy_special.digamma(a) + rt.scipy_special.digamma(a + b)), a)
    d[b] = rt.unbroadcast(d[y] * (np.log1p(-z) - rt.scipy_special.digamma(b) + rt.scipy_special.digamma(a + b)), b)
    d[loc] = rt.unbroadcast(-d[y] * slope, loc)
    d[scale] = rt.unbroadcast(-d[y] * (slope * z + 1 / scale), scale)


@adjoint_template(scipy.stats.poisson.logpmf, name="scipy.stats.poisson.logpmf", convention="the count k and the shift loc are integers: constants (an active one raises NonDifferentiableError)")
def poisson_logpmf(y, k, mu, loc=0):
    d[mu] = rt.float_like(rt.unbroadcast(d[y] * ((k - loc) / mu - 1), mu), mu)
    d[k] = rt.no_gradient("scipy.stats.poisson.logpmf", "k", k)
    d[loc] = rt.no_gradient("scipy.stats.poisson.logpmf", "loc", loc)


@adjoint_template(scipy.stats.dirichlet.logpdf, name="scipy.stats.dirichlet.logpdf", convention="components along x's first axis; with all K of them x gets (alpha - 1) / x (the sum-to-one constraint is not projected out), with K - 1 the last is 1 - sum and the gradient is exact")
def dirichlet_logpdf(y, x, alpha):
    grads = rt.dirichlet_logpdf_grads(d[y], x, alpha)
    d[x] = grads[0]
    d[alpha] = grads[1]


@adjoint_template(scipy.stats.multivariate_normal.logpdf, name="scipy.stats.multivariate_normal.logpdf", convention="scipy reads the lower triangle of a 2-d cov, so its gradient lives there; a 1-d cov gets the diagonal's gradient, a scalar the trace; allow_singular is not supported")
def multivariate_normal_logpdf(y, x, mean=None, cov=1):
    grads = rt.mvn_logpdf_grads(d[y], x, mean, cov)
    d[x] = grads[0]
    d[mean] = grads[1]
    d[cov] = grads[2]
