"""Tangents of scipy.special, scipy.linalg and scipy.stats (forward mode), the twins of scipy_rules.py.

Registered only when scipy is installed, like the adjoint rules. Templates may
name only np, math and rt, so scipy functions a tangent needs are called through
rt.scipy_special.name(...). The conventions are the adjoint rules': the orders and
shapes those rules keep constant (jv's v, gammainc's a, zeta's x, ...) are
constants here too; xlogy(0, y) has tangent 0 along y; solve_triangular,
cholesky and cho_solve read one triangle; an active integer argument of
poisson.logpmf raises NonDifferentiableError. The scipy.special functions are
ufuncs, so the forward transform broadcasts their tangents; the scipy.stats
ones broadcast theirs with rt.broadcast_tangent.
"""
import math

import numpy as np
import scipy.linalg
import scipy.special
import scipy.stats

from transgrad import runtime as rt
from transgrad.rules.registry import t, tangent_template

# ----- scipy.special -----


@tangent_template(scipy.special.logsumexp, name="scipy.special.logsumexp")
def logsumexp(y, a, axis=None, b=None, keepdims=False):
    t[y] = np.sum(np.exp(a - rt.keep_reduced(y, a, axis, keepdims)) * (t[a] * (1.0 if b is None else b) + t[b]), axis=axis, keepdims=keepdims)


@tangent_template(scipy.special.softmax, name="scipy.special.softmax")
def softmax(y, x, axis=None):
    t[y] = y * (t[x] - np.sum(y * t[x], axis=axis, keepdims=True))


@tangent_template(scipy.special.log_softmax, name="scipy.special.log_softmax")
def log_softmax(y, x, axis=None):
    t[y] = t[x] - np.sum(np.exp(y) * t[x], axis=axis, keepdims=True)


@tangent_template(scipy.special.expit, name="scipy.special.expit")
def expit(y, x):
    t[y] = t[x] * y * (1 - y)


@tangent_template(scipy.special.logit, name="scipy.special.logit")
def logit(y, x):
    t[y] = rt.masked_div(t[x], x * (1 - x))


@tangent_template(scipy.special.erf, name="scipy.special.erf")
def erf(y, x):
    t[y] = t[x] * (2 / math.sqrt(math.pi)) * np.exp(-x ** 2)


@tangent_template(scipy.special.erfc, name="scipy.special.erfc")
def erfc(y, x):
    t[y] = -t[x] * (2 / math.sqrt(math.pi)) * np.exp(-x ** 2)


@tangent_template(scipy.special.erfcx, name="scipy.special.erfcx")
def erfcx(y, x):
    t[y] = t[x] * (2 * x * y - 2 / math.sqrt(math.pi))


@tangent_template(scipy.special.erfinv, name="scipy.special.erfinv")
def erfinv(y, x):
    t[y] = t[x] * (math.sqrt(math.pi) / 2) * np.exp(y ** 2)


@tangent_template(scipy.special.erfcinv, name="scipy.special.erfcinv")
def erfcinv(y, x):
    t[y] = -t[x] * (math.sqrt(math.pi) / 2) * np.exp(y ** 2)


@tangent_template(scipy.special.ndtr, name="scipy.special.ndtr")
def ndtr(y, x):
    t[y] = t[x] * np.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi)


@tangent_template(scipy.special.log_ndtr, name="scipy.special.log_ndtr")
def log_ndtr(y, x):
    t[y] = t[x] * np.exp(-x ** 2 / 2 - y) / math.sqrt(2 * math.pi)


@tangent_template(scipy.special.ndtri, name="scipy.special.ndtri")
def ndtri(y, x):
    t[y] = t[x] * math.sqrt(2 * math.pi) * np.exp(y ** 2 / 2)


@tangent_template(scipy.special.gammaln, name="scipy.special.gammaln")
def gammaln(y, x):
    t[y] = t[x] * rt.scipy_special.digamma(x)


@tangent_template(scipy.special.gamma, name="scipy.special.gamma")
def gamma(y, x):
    t[y] = t[x] * y * rt.scipy_special.digamma(x)


@tangent_template(scipy.special.rgamma, name="scipy.special.rgamma")
def rgamma(y, x):
    t[y] = -t[x] * y * rt.scipy_special.digamma(x)


@tangent_template(scipy.special.digamma, scipy.special.psi, name="scipy.special.digamma")
def digamma(y, x):
    t[y] = t[x] * rt.scipy_special.polygamma(1, x)


@tangent_template(scipy.special.polygamma, name="scipy.special.polygamma")
def polygamma(y, n, x):
    t[y] = t[x] * rt.scipy_special.polygamma(n + 1, x)


@tangent_template(scipy.special.multigammaln, name="scipy.special.multigammaln")
def multigammaln(y, a, d_):
    t[y] = t[a] * np.sum(rt.scipy_special.digamma(np.expand_dims(a, -1) - np.arange(d_) / 2.0), axis=-1)


@tangent_template(scipy.special.betaln, name="scipy.special.betaln")
def betaln(z, a, b):
    t[z] = t[a] * (rt.scipy_special.digamma(a) - rt.scipy_special.digamma(a + b)) + t[b] * (rt.scipy_special.digamma(b) - rt.scipy_special.digamma(a + b))


@tangent_template(scipy.special.beta, name="scipy.special.beta")
def beta(z, a, b):
    t[z] = z * (t[a] * (rt.scipy_special.digamma(a) - rt.scipy_special.digamma(a + b)) + t[b] * (rt.scipy_special.digamma(b) - rt.scipy_special.digamma(a + b)))


@tangent_template(scipy.special.xlogy, name="scipy.special.xlogy")
def xlogy(z, x, y):
    t[z] = t[x] * np.log(y) + rt.masked_div(t[y] * x, y)


@tangent_template(scipy.special.xlog1py, name="scipy.special.xlog1py")
def xlog1py(z, x, y):
    t[z] = t[x] * np.log1p(y) + rt.masked_div(t[y] * x, 1 + y)


@tangent_template(scipy.special.entr, name="scipy.special.entr")
def entr(y, x):
    t[y] = -t[x] * (np.log(x) + 1)


@tangent_template(scipy.special.rel_entr, name="scipy.special.rel_entr")
def rel_entr(z, x, y):
    t[z] = t[x] * (np.log(x / y) + 1) - t[y] * x / y


@tangent_template(scipy.special.kl_div, name="scipy.special.kl_div")
def kl_div(z, x, y):
    t[z] = t[x] * np.log(x / y) + t[y] * (1 - x / y)


@tangent_template(scipy.special.i0, name="scipy.special.i0")
def i0(y, x):
    t[y] = t[x] * rt.scipy_special.i1(x)


@tangent_template(scipy.special.i0e, name="scipy.special.i0e")
def i0e(y, x):
    t[y] = t[x] * (rt.scipy_special.i1e(x) - np.sign(x) * y)


@tangent_template(scipy.special.i1, name="scipy.special.i1")
def i1(y, x):
    t[y] = t[x] * (rt.scipy_special.i0(x) - rt.masked_div(y, x))


@tangent_template(scipy.special.i1e, name="scipy.special.i1e")
def i1e(y, x):
    t[y] = t[x] * (rt.scipy_special.i0e(x) - rt.masked_div(y, x) - np.sign(x) * y)


@tangent_template(scipy.special.j0, name="scipy.special.j0")
def j0(y, x):
    t[y] = -t[x] * rt.scipy_special.j1(x)


@tangent_template(scipy.special.j1, name="scipy.special.j1")
def j1(y, x):
    t[y] = t[x] * (rt.scipy_special.j0(x) - rt.masked_div(y, x))


@tangent_template(scipy.special.y0, name="scipy.special.y0")
def y0(y, x):
    t[y] = -t[x] * rt.scipy_special.y1(x)


@tangent_template(scipy.special.y1, name="scipy.special.y1")
def y1(y, x):
    t[y] = t[x] * (rt.scipy_special.y0(x) - y / x)


@tangent_template(scipy.special.k0, name="scipy.special.k0")
def k0(y, x):
    t[y] = -t[x] * rt.scipy_special.k1(x)


@tangent_template(scipy.special.k1, name="scipy.special.k1")
def k1(y, x):
    t[y] = -t[x] * (rt.scipy_special.k0(x) + y / x)


@tangent_template(scipy.special.jv, scipy.special.jn, name="scipy.special.jv")
def jv(y, v, z):
    t[y] = t[z] * (rt.scipy_special.jv(v - 1, z) - rt.scipy_special.jv(v + 1, z)) / 2


@tangent_template(scipy.special.yn, name="scipy.special.yn")
def yn(y, n, x):
    t[y] = t[x] * (rt.scipy_special.yn(n - 1, x) - rt.scipy_special.yn(n + 1, x)) / 2


@tangent_template(scipy.special.iv, name="scipy.special.iv")
def iv(y, v, z):
    t[y] = t[z] * (rt.scipy_special.iv(v - 1, z) + rt.scipy_special.iv(v + 1, z)) / 2


@tangent_template(scipy.special.ive, name="scipy.special.ive")
def ive(y, v, z):
    t[y] = t[z] * ((rt.scipy_special.ive(v - 1, z) + rt.scipy_special.ive(v + 1, z)) / 2 - np.sign(z) * y)


@tangent_template(scipy.special.exp1, name="scipy.special.exp1")
def exp1(y, x):
    t[y] = -t[x] * np.exp(-x) / x


@tangent_template(scipy.special.expi, name="scipy.special.expi")
def expi(y, x):
    t[y] = t[x] * np.exp(x) / x


@tangent_template(scipy.special.spence, name="scipy.special.spence")
def spence(y, z):
    t[y] = t[z] * rt.masked_div(np.log(z), 1 - z)


@tangent_template(scipy.special.zeta, name="scipy.special.zeta")
def zeta(y, x, q=None):
    t[y] = -t[q] * x * rt.scipy_special.zeta(x + 1, q)


@tangent_template(scipy.special.gammainc, name="scipy.special.gammainc")
def gammainc(y, a, x):
    t[y] = t[x] * np.exp(-x + (a - 1) * np.log(x) - rt.scipy_special.gammaln(a))


@tangent_template(scipy.special.gammaincc, name="scipy.special.gammaincc")
def gammaincc(y, a, x):
    t[y] = -t[x] * np.exp(-x + (a - 1) * np.log(x) - rt.scipy_special.gammaln(a))


@tangent_template(scipy.special.betainc, name="scipy.special.betainc")
def betainc(y, a, b, x):
    t[y] = t[x] * np.exp((a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - rt.scipy_special.betaln(a, b))


# ----- scipy.linalg -----


@tangent_template(scipy.linalg.expm, name="scipy.linalg.expm")
def expm(y, A):
    t[y] = rt.expm_tangent(t[A], A)


@tangent_template(scipy.linalg.solve_triangular, name="scipy.linalg.solve_triangular")
def solve_triangular(x, a, b, trans=0, lower=False, unit_diagonal=False):
    t[x] = rt.solve_triangular_tangent(t[a], t[b], a, b, x, trans, lower, unit_diagonal)


@tangent_template(scipy.linalg.inv, name="scipy.linalg.inv")
def inv(y, a):
    t[y] = -np.matmul(y, np.matmul(t[a], y))


@tangent_template(scipy.linalg.det, name="scipy.linalg.det")
def det(y, a):
    t[y] = np.sum(rt.det_grad(rt.ones_like(y), a, y) * t[a], axis=(-2, -1))


@tangent_template(scipy.linalg.cholesky, name="scipy.linalg.cholesky")
def cholesky(c, a, lower=False):
    t[c] = rt.cholesky_tangent(t[a], c, not lower)


@tangent_template(scipy.linalg.block_diag, name="scipy.linalg.block_diag")
def block_diag(y, a, b=None, c=None):
    t[y] = rt.block_diag_tangent(t[a], t[b], t[c], a, b, c)


@tangent_template(scipy.linalg.lu_solve, name="scipy.linalg.lu_solve")
def lu_solve(x, lu_and_piv, b, trans=0, check_finite=True):
    t[x] = rt.lu_solve_tangent(t[lu_and_piv], t[b], lu_and_piv, b, x, trans)


@tangent_template(scipy.linalg.cho_solve, name="scipy.linalg.cho_solve")
def cho_solve(x, c_and_lower, b, check_finite=True):
    t[x] = rt.cho_solve_tangent(t[c_and_lower], t[b], c_and_lower, b, x)


@tangent_template(scipy.linalg.sqrtm, name="scipy.linalg.sqrtm")
def sqrtm(X, A):
    t[X] = rt.sqrtm_tangent(t[A], X)


@tangent_template(scipy.linalg.logm, name="scipy.linalg.logm")
def logm(L, A):
    t[L] = rt.logm_tangent(t[A], A, L)


@tangent_template(scipy.linalg.solve_sylvester, name="scipy.linalg.solve_sylvester")
def solve_sylvester(x, a, b, q):
    t[x] = rt.solve_sylvester_tangent(t[q] - np.matmul(t[a], x) - np.matmul(x, t[b]), a, b)


@tangent_template(scipy.linalg.solve_banded, name="scipy.linalg.solve_banded")
def solve_banded(x, l_and_u, ab, b, check_finite=True):
    t[x] = rt.solve_banded_tangent(t[ab], t[b], l_and_u, ab, b, x)


# ----- scipy.stats -----


@tangent_template(scipy.stats.norm.logpdf, name="scipy.stats.norm.logpdf")
def norm_logpdf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent((t[loc] - t[x]) * (x - loc) / scale ** 2 + t[scale] * ((x - loc) ** 2 / scale ** 3 - 1 / scale), y)


@tangent_template(scipy.stats.norm.pdf, name="scipy.stats.norm.pdf")
def norm_pdf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent(y * ((t[loc] - t[x]) * (x - loc) / scale ** 2 + t[scale] * ((x - loc) ** 2 / scale ** 3 - 1 / scale)), y)


@tangent_template(scipy.stats.norm.cdf, name="scipy.stats.norm.cdf")
def norm_cdf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent(np.exp(-((x - loc) / scale) ** 2 / 2) / (math.sqrt(2 * math.pi) * scale) * (t[x] - t[loc] - t[scale] * (x - loc) / scale), y)


@tangent_template(scipy.stats.norm.sf, name="scipy.stats.norm.sf")
def norm_sf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent(-np.exp(-((x - loc) / scale) ** 2 / 2) / (math.sqrt(2 * math.pi) * scale) * (t[x] - t[loc] - t[scale] * (x - loc) / scale), y)


@tangent_template(scipy.stats.norm.logcdf, name="scipy.stats.norm.logcdf")
def norm_logcdf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent(np.exp(-((x - loc) / scale) ** 2 / 2 - y) / (math.sqrt(2 * math.pi) * scale) * (t[x] - t[loc] - t[scale] * (x - loc) / scale), y)


@tangent_template(scipy.stats.norm.logsf, name="scipy.stats.norm.logsf")
def norm_logsf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent(-np.exp(-((x - loc) / scale) ** 2 / 2 - y) / (math.sqrt(2 * math.pi) * scale) * (t[x] - t[loc] - t[scale] * (x - loc) / scale), y)


@tangent_template(scipy.stats.norm.ppf, name="scipy.stats.norm.ppf")
def norm_ppf(y, q, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent(t[q] * math.sqrt(2 * math.pi) * scale * np.exp(((y - loc) / scale) ** 2 / 2) + t[loc] + t[scale] * (y - loc) / scale, y)


@tangent_template(scipy.stats.expon.logpdf, name="scipy.stats.expon.logpdf")
def expon_logpdf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent((t[loc] - t[x]) / scale + t[scale] * ((x - loc) / scale ** 2 - 1 / scale), y)


@tangent_template(scipy.stats.laplace.logpdf, name="scipy.stats.laplace.logpdf")
def laplace_logpdf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent((t[loc] - t[x]) * np.sign(x - loc) / scale + t[scale] * (np.abs(x - loc) / scale ** 2 - 1 / scale), y)


@tangent_template(scipy.stats.cauchy.logpdf, name="scipy.stats.cauchy.logpdf")
def cauchy_logpdf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent((t[loc] - t[x]) * 2 * (x - loc) / (scale ** 2 + (x - loc) ** 2) + t[scale] * (((x - loc) ** 2 - scale ** 2) / (scale * (scale ** 2 + (x - loc) ** 2))), y)


@tangent_template(scipy.stats.logistic.logpdf, name="scipy.stats.logistic.logpdf")
def logistic_logpdf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent((t[loc] - t[x]) * np.tanh((x - loc) / (2 * scale)) / scale + t[scale] * ((x - loc) * np.tanh((x - loc) / (2 * scale)) / scale ** 2 - 1 / scale), y)


@tangent_template(scipy.stats.uniform.logpdf, name="scipy.stats.uniform.logpdf")
def uniform_logpdf(y, x, loc=0.0, scale=1.0):
    t[y] = rt.broadcast_tangent(0 * (t[x] + t[loc]) - t[scale] / scale, y)


@tangent_template(scipy.stats.t.logpdf, name="scipy.stats.t.logpdf")
def t_logpdf(y, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = -(df + 1) * z / (df + z ** 2) / scale
    t[y] = rt.broadcast_tangent((t[x] - t[loc]) * slope + t[df] * ((rt.scipy_special.digamma((df + 1) / 2) - rt.scipy_special.digamma(df / 2) - 1 / df - np.log1p(z ** 2 / df)) / 2 + (df + 1) * z ** 2 / (2 * df * (df + z ** 2))) - t[scale] * (slope * z + 1 / scale), y)


@tangent_template(scipy.stats.gamma.logpdf, name="scipy.stats.gamma.logpdf")
def gamma_logpdf(y, x, a, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = ((a - 1) / z - 1) / scale
    t[y] = rt.broadcast_tangent((t[x] - t[loc]) * slope + t[a] * (np.log(z) - rt.scipy_special.digamma(a)) - t[scale] * (slope * z + 1 / scale), y)


@tangent_template(scipy.stats.chi2.logpdf, name="scipy.stats.chi2.logpdf")
def chi2_logpdf(y, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = ((df / 2 - 1) / z - 0.5) / scale
    t[y] = rt.broadcast_tangent((t[x] - t[loc]) * slope + t[df] * (np.log(z / 2) - rt.scipy_special.digamma(df / 2)) / 2 - t[scale] * (slope * z + 1 / scale), y)


@tangent_template(scipy.stats.beta.logpdf, name="scipy.stats.beta.logpdf")
def beta_logpdf(y, x, a, b, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    slope = ((a - 1) / z - (b - 1) / (1 - z)) / scale
    t[y] = rt.broadcast_tangent((t[x] - t[loc]) * slope + t[a] * (np.log(z) - rt.scipy_special.digamma(a) + rt.scipy_special.digamma(a + b)) + t[b] * (np.log1p(-z) - rt.scipy_special.digamma(b) + rt.scipy_special.digamma(a + b)) - t[scale] * (slope * z + 1 / scale), y)


@tangent_template(scipy.stats.poisson.logpmf, name="scipy.stats.poisson.logpmf")
def poisson_logpmf(y, k, mu, loc=0):
    t[y] = rt.broadcast_tangent(t[mu] * ((k - loc) / mu - 1), y) + rt.no_gradient("scipy.stats.poisson.logpmf", "k", t[k]) + rt.no_gradient("scipy.stats.poisson.logpmf", "loc", t[loc])


@tangent_template(scipy.stats.dirichlet.logpdf, name="scipy.stats.dirichlet.logpdf")
def dirichlet_logpdf(y, x, alpha):
    t[y] = rt.dirichlet_logpdf_tangent(t[x], t[alpha], x, alpha, y)


@tangent_template(scipy.stats.multivariate_normal.logpdf, name="scipy.stats.multivariate_normal.logpdf")
def multivariate_normal_logpdf(y, x, mean=None, cov=1):
    t[y] = rt.mvn_logpdf_tangent(t[x], t[mean], t[cov], x, mean, cov, y)
