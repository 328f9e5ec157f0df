"""Check the "Conventions at kinks, ties and singular points" table of docs/coverage.md.

Runs each case with transgrad, JAX, autograd and PyTorch (a library that is not installed is
skipped) and prints what each returns, as a markdown table:

    python docs/verify_conventions.py

A case is one small loss at one point; a cell shows the gradient (or where a matrix gradient
lives: symmetric, lower triangle, ...), or the exception the library raised. The CONVENTIONS
string of docs/generate_coverage.py is written from this output.
"""
import importlib
import warnings

import numpy as np
import scipy.linalg

warnings.filterwarnings("ignore")
np.seterr(all="ignore")


def installed(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


tg = installed("transgrad")
torch = installed("torch")
jax = installed("jax")
if jax is not None:
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import jax.scipy.linalg as jsl
autograd = installed("autograd")
if autograd is not None:
    import autograd.numpy as anp
    import autograd.scipy.linalg as asl


# ---------------------------------------------------------------- the cases

CASES = [  # (key, what is computed); every library below defines each key
    ("abs", "`abs` at 0"),
    ("fabs", "`fabs` at 0"),
    ("constant", "`sign`(0.5) / `floor`(0.5) / `ceil`(0.5) / `round`(0.3)"),
    ("maximum", "`maximum(x, y)` at x = y = 1"),
    ("minimum", "`minimum(x, y)` at x = y = 1"),
    ("max", "`max([1, 3, 3])`"),
    ("min", "`min([3, 1, 1])`"),
    ("clip", "`clip(x, 1, 2)` at x = 1 / x = 2"),
    ("sqrt log", "`sqrt` at 0 / `log` at 0"),
    ("0 * sqrt", "`0 * sqrt(x)` at 0 (incoming gradient 0)"),
    ("where sqrt", "`where(x > 0, sqrt(x), 0)` at 0 / at -1"),
    ("norm", "`linalg.norm` at [0, 0]"),
    ("hypot", "`hypot(x, y)` at (0, 0)"),
    ("std", "`std([1, 1, 1])` (population std)"),
    ("prod 1", "`prod([0, 2, 3])`"),
    ("prod 2", "`prod([0, 0, 3])`"),
    ("det", "`det([[1, 2], [2, 4]])` (cofactor matrix: [[4, -2], [-2, 1]])"),
    ("cholesky", "`sum(W * cholesky(A))`, W not symmetric"),
    ("eigh", "`sum(W * abs(eigh(A)[1]))`"),
    ("eigvalsh", "`sum(eigvalsh(A) * [1, 2, 3])`"),
    ("solve_triangular", "`sum(solve_triangular(A, B, lower=True))`, grad wrt A"),
    ("eigh values", "`sum(eigh(A)[0])` at A = diag(2, 2, 3) (exact: I)"),
    ("eigh projector", "`sum(W * V[:, :2] V[:, :2]^T)` at diag(2, 2, 3) "
                       "(exact, numpy's finite differences: [[0, 0, 0], [0, 0, 0], [-10, -14, 0]])"),
    ("eigh rebuild", "`sum(W * V diag(w) V^T)` at diag(2, 2, 3) "
                     "(exact, numpy's finite differences: [[1, 0, 0], [6, 5, 0], [10, 14, 9]])"),
    ("svd rebuild", "`sum(W * U diag(s) V^T)` (`full_matrices=False`) at diag(2, 2, 3) "
                    "(exact, numpy's finite differences: W = [[1, 2, 3], [4, 5, 6], [7, 8, 9]])"),
    ("complex", "`abs(z)**2` at 3+4j"),
    ("real to complex", "`abs(x * (1+2j))**2` at x = 1.0 (exact: 10)"),
    ("astype int", "`sum(x.astype(int64) * 1.0)` / `sum(x.astype(bool) * 1.0)` at [1.5, 2.5]"),
    ("astype float32", "`sum(x.astype(float32))`, x float64"),
    ("sort", "`sum(sort([2, 1, 2]) * [1, 2, 3])` (stable order: [2, 1, 3])"),
    ("median", "`median([2, 1, 2])` (stable order: [1, 0, 0])"),
]

ZERO, ONE, TWO, MINUS_ONE = (np.float64(v) for v in (0.0, 1.0, 2.0, -1.0))
Z = np.complex128(3.0 + 4.0j)
W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])   # a non-symmetric weight
SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
B = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
REPEATED = np.diag([2.0, 2.0, 3.0])   # a repeated eigenvalue and singular value
TIES = np.array([2.0, 1.0, 2.0])
ONE_ZERO, TWO_ZEROS = np.array([0.0, 2.0, 3.0]), np.array([0.0, 0.0, 3.0])
MAX_TIES, MIN_TIES, CONSTANT, HALVES = np.array([1.0, 3.0, 3.0]), np.array([3.0, 1.0, 1.0]), np.ones(3), np.array([1.5, 2.5])


# ---------------------------------------------------------------- formatting

def array(v):
    if torch is not None and isinstance(v, torch.Tensor):
        return v.detach().numpy()
    return np.asarray(v)


def show(v):
    """A gradient as a short string: scalars plainly, arrays as nested lists."""
    v = array(v)
    if v.ndim == 0:
        return scalar(v[()])
    return "[" + ", ".join(show(e) for e in v) + "]"


def scalar(e):
    if np.iscomplexobj(e):
        return f"{scalar(e.real)}{'-' if e.imag < 0 else '+'}{scalar(abs(e.imag))}j"
    e = float(e)
    return str(e) if not np.isfinite(e) else f"{e:.4g}".replace("-0", "0") if e == 0 else f"{e:.4g}"


def with_dtype(v):
    return f"{show(v)} ({type(v).__name__ if isinstance(v, float) else str(array(v).dtype)})"


def pair(gs):
    return f"{show(gs[0])}, {show(gs[1])}"


def where_on_the_matrix(g):
    """Where a square gradient lives: symmetric, the lower or upper triangle, or neither."""
    g = array(g)
    if not np.all(np.isfinite(g)):
        return show(g)
    if np.allclose(g, g.T):
        return "symmetric"
    if np.allclose(np.triu(g, 1), 0):
        return "lower triangle"
    if np.allclose(np.tril(g, -1), 0):
        return "upper triangle"
    return "neither: " + show(g)


# ---------------------------------------------------------------- transgrad
# Module-level functions, because transgrad reads their source.

def t_abs(x): return np.abs(x)
def t_fabs(x): return np.fabs(x)
def t_sign(x): return np.sign(x)
def t_floor(x): return np.floor(x)
def t_ceil(x): return np.ceil(x)
def t_round(x): return np.round(x)
def t_maximum(x, y): return np.maximum(x, y)
def t_minimum(x, y): return np.minimum(x, y)
def t_max(x): return np.max(x)
def t_min(x): return np.min(x)
def t_clip(x): return np.clip(x, 1.0, 2.0)
def t_sqrt(x): return np.sqrt(x)
def t_log(x): return np.log(x)
def t_zero_times_sqrt(x): return 0.0 * np.sqrt(x)
def t_where_sqrt(x): return np.where(x > 0, np.sqrt(x), 0.0)
def t_norm(x): return np.linalg.norm(x)
def t_hypot(x, y): return np.hypot(x, y)
def t_std(x): return np.std(x)
def t_prod(x): return np.prod(x)
def t_det(a): return np.linalg.det(a)
def t_cholesky(a): return np.sum(W * np.linalg.cholesky(a))
def t_eigh(a): return np.sum(W * np.abs(np.linalg.eigh(a)[1]))
def t_eigvalsh(a): return np.sum(np.linalg.eigvalsh(a) * np.array([1.0, 2.0, 3.0]))
def t_solve_triangular(a): return np.sum(scipy.linalg.solve_triangular(a, B, lower=True))
def t_eigh_values(a): return np.sum(np.linalg.eigh(a)[0])
def t_abs2(z): return np.abs(z) ** 2
def t_real_to_complex(x): return np.abs(x * (1.0 + 2.0j)) ** 2
def t_astype_int(x): return np.sum(x.astype(np.int64) * 1.0)
def t_astype_bool(x): return np.sum(x.astype(bool) * 1.0)
def t_astype_float32(x): return np.sum(x.astype(np.float32))
def t_sort(x): return np.sum(np.sort(x) * np.array([1.0, 2.0, 3.0]))
def t_median(x): return np.median(x)


def t_eigh_projector(a):
    w, v = np.linalg.eigh(a)
    return np.sum(W * (v[:, :2] @ v[:, :2].T))


def t_eigh_rebuild(a):
    w, v = np.linalg.eigh(a)
    return np.sum(W * (v @ np.diag(w) @ v.T))


def t_svd_rebuild(a):
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    return np.sum(W * (u @ np.diag(s) @ vt))


def transgrad_cases():
    def g(f, *args, wrt=0):
        return tg.grad(f, wrt=wrt)(*args)

    return {
        "abs": lambda: show(g(t_abs, ZERO)),
        "fabs": lambda: show(g(t_fabs, ZERO)),
        "constant": lambda: f"{show(g(t_sign, 0.5))} / {show(g(t_floor, 0.5))} / {show(g(t_ceil, 0.5))} / {show(g(t_round, 0.3))}",
        "maximum": lambda: pair(g(t_maximum, ONE, ONE, wrt=(0, 1))),
        "minimum": lambda: pair(g(t_minimum, ONE, ONE, wrt=(0, 1))),
        "max": lambda: show(g(t_max, MAX_TIES)),
        "min": lambda: show(g(t_min, MIN_TIES)),
        "clip": lambda: f"{show(g(t_clip, ONE))} / {show(g(t_clip, TWO))}",
        "sqrt log": lambda: f"{show(g(t_sqrt, ZERO))} / {show(g(t_log, ZERO))}",
        "0 * sqrt": lambda: show(g(t_zero_times_sqrt, ZERO)),
        "where sqrt": lambda: f"{show(g(t_where_sqrt, ZERO))} / {show(g(t_where_sqrt, MINUS_ONE))}",
        "norm": lambda: show(g(t_norm, np.zeros(2))),
        "hypot": lambda: pair(g(t_hypot, ZERO, ZERO, wrt=(0, 1))),
        "std": lambda: show(g(t_std, CONSTANT)),
        "prod 1": lambda: show(g(t_prod, ONE_ZERO)),
        "prod 2": lambda: show(g(t_prod, TWO_ZEROS)),
        "det": lambda: show(g(t_det, SINGULAR)),
        "cholesky": lambda: where_on_the_matrix(g(t_cholesky, SPD)),
        "eigh": lambda: where_on_the_matrix(g(t_eigh, SPD)),
        "eigvalsh": lambda: where_on_the_matrix(g(t_eigvalsh, SPD)),
        "solve_triangular": lambda: where_on_the_matrix(g(t_solve_triangular, SPD)),
        "eigh values": lambda: show(g(t_eigh_values, REPEATED)),
        "eigh projector": lambda: show(g(t_eigh_projector, REPEATED)),
        "eigh rebuild": lambda: show(g(t_eigh_rebuild, REPEATED)),
        "svd rebuild": lambda: show(g(t_svd_rebuild, REPEATED)),
        "complex": lambda: show(g(t_abs2, Z)),
        "real to complex": lambda: with_dtype(g(t_real_to_complex, 1.0)),
        "astype int": lambda: f"{show(g(t_astype_int, HALVES))} / {show(g(t_astype_bool, HALVES))}",
        "astype float32": lambda: with_dtype(g(t_astype_float32, np.array([1.5]))),
        "sort": lambda: show(g(t_sort, TIES)),
        "median": lambda: show(g(t_median, TIES)),
    }


# ---------------------------------------------------------------- JAX and autograd: the same numpy API

def numpy_like_cases(g, xp, solve_triangular):
    """The cases for JAX (xp = jax.numpy) and autograd (xp = autograd.numpy)."""
    def eigh_projector(a):
        w, v = xp.linalg.eigh(a)
        return xp.sum(W * (v[:, :2] @ v[:, :2].T))

    def eigh_rebuild(a):
        w, v = xp.linalg.eigh(a)
        return xp.sum(W * (v @ xp.diag(w) @ v.T))

    def svd_rebuild(a):
        u, s, vt = xp.linalg.svd(a, full_matrices=False)
        return xp.sum(W * (u @ xp.diag(s) @ vt))

    def clip(x):
        return xp.clip(x, 1.0, 2.0)

    def where_sqrt(x):
        return xp.where(x > 0, xp.sqrt(x), 0.0)

    return {
        "abs": lambda: show(g(xp.abs, ZERO)),
        "fabs": lambda: show(g(xp.fabs, ZERO)),
        "constant": lambda: f"{show(g(xp.sign, 0.5))} / {show(g(xp.floor, 0.5))} / {show(g(xp.ceil, 0.5))} / {show(g(xp.round, 0.3))}",
        "maximum": lambda: pair(g(xp.maximum, ONE, ONE, wrt=(0, 1))),
        "minimum": lambda: pair(g(xp.minimum, ONE, ONE, wrt=(0, 1))),
        "max": lambda: show(g(xp.max, MAX_TIES)),
        "min": lambda: show(g(xp.min, MIN_TIES)),
        "clip": lambda: f"{show(g(clip, ONE))} / {show(g(clip, TWO))}",
        "sqrt log": lambda: f"{show(g(xp.sqrt, ZERO))} / {show(g(xp.log, ZERO))}",
        "0 * sqrt": lambda: show(g(lambda x: 0.0 * xp.sqrt(x), ZERO)),
        "where sqrt": lambda: f"{show(g(where_sqrt, ZERO))} / {show(g(where_sqrt, MINUS_ONE))}",
        "norm": lambda: show(g(xp.linalg.norm, np.zeros(2))),
        "hypot": lambda: pair(g(xp.hypot, ZERO, ZERO, wrt=(0, 1))),
        "std": lambda: show(g(xp.std, CONSTANT)),
        "prod 1": lambda: show(g(xp.prod, ONE_ZERO)),
        "prod 2": lambda: show(g(xp.prod, TWO_ZEROS)),
        "det": lambda: show(g(xp.linalg.det, SINGULAR)),
        "cholesky": lambda: where_on_the_matrix(g(lambda a: xp.sum(W * xp.linalg.cholesky(a)), SPD)),
        "eigh": lambda: where_on_the_matrix(g(lambda a: xp.sum(W * xp.abs(xp.linalg.eigh(a)[1])), SPD)),
        "eigvalsh": lambda: where_on_the_matrix(
            g(lambda a: xp.sum(xp.linalg.eigvalsh(a) * np.array([1.0, 2.0, 3.0])), SPD)),
        "solve_triangular": lambda: where_on_the_matrix(
            g(lambda a: xp.sum(solve_triangular(a, B, lower=True)), SPD)),
        "eigh values": lambda: show(g(lambda a: xp.sum(xp.linalg.eigh(a)[0]), REPEATED)),
        "eigh projector": lambda: show(g(eigh_projector, REPEATED)),
        "eigh rebuild": lambda: show(g(eigh_rebuild, REPEATED)),
        "svd rebuild": lambda: show(g(svd_rebuild, REPEATED)),
        "complex": lambda: show(g(lambda z: xp.abs(z) ** 2, Z)),
        "real to complex": lambda: with_dtype(g(lambda x: xp.abs(x * (1.0 + 2.0j)) ** 2, 1.0)),
        "astype int": lambda: " / ".join(show(g(lambda x: xp.sum(x.astype(t) * 1.0), HALVES)) for t in (np.int64, bool)),
        "astype float32": lambda: with_dtype(g(lambda x: xp.sum(x.astype(np.float32)), np.array([1.5]))),
        "sort": lambda: show(g(lambda x: xp.sum(xp.sort(x) * np.array([1.0, 2.0, 3.0])), TIES)),
        "median": lambda: show(g(xp.median, TIES)),
    }


def jax_cases():
    def g(f, *args, wrt=0):
        return jax.grad(f, argnums=wrt)(*args)
    return numpy_like_cases(g, jnp, jsl.solve_triangular)


def autograd_cases():
    def g(f, *args, wrt=0):
        return autograd.grad(f, wrt)(*args)
    return numpy_like_cases(g, anp, asl.solve_triangular)


# ---------------------------------------------------------------- PyTorch

def torch_cases():
    T = torch

    def g(f, *args, wrt=0):
        ts = [T.tensor(np.asarray(a), requires_grad=True) for a in args]
        f(*ts).backward()
        return tuple(ts[i].grad for i in wrt) if isinstance(wrt, tuple) else ts[wrt].grad

    def tensor(a):
        return T.tensor(a, dtype=T.float64)

    def eigh_projector(a):
        w, v = T.linalg.eigh(a)
        return T.sum(tensor(W) * (v[:, :2] @ v[:, :2].T))

    def eigh_rebuild(a):
        w, v = T.linalg.eigh(a)
        return T.sum(tensor(W) * (v @ T.diag(w) @ v.T))

    def svd_rebuild(a):
        u, s, vt = T.linalg.svd(a, full_matrices=False)
        return T.sum(tensor(W) * (u @ T.diag(s) @ vt))

    def clip(x):
        return T.clamp(x, 1.0, 2.0)

    def where_sqrt(x):
        return T.where(x > 0, T.sqrt(x), 0.0)

    def reductions(name, amax, x):   # torch.max(x), torch.amax(x), torch.max(x, dim=0)
        cells = [f"`{name}()`: {show(g(getattr(T, name), x))}"]
        if amax:
            cells.append(f"`{amax}`: {show(g(getattr(T, amax), x))}")
        cells.append(f"`{name}(dim)`: {show(g(lambda t: getattr(T, name)(t, dim=0).values, x))}")
        return ", ".join(cells)

    return {
        "abs": lambda: show(g(T.abs, ZERO)),
        "fabs": lambda: "(no `torch.fabs`)",
        "constant": lambda: f"{show(g(T.sign, 0.5))} / {show(g(T.floor, 0.5))} / {show(g(T.ceil, 0.5))} / {show(g(T.round, 0.3))}",
        "maximum": lambda: pair(g(T.maximum, ONE, ONE, wrt=(0, 1))),
        "minimum": lambda: pair(g(T.minimum, ONE, ONE, wrt=(0, 1))),
        "max": lambda: reductions("max", "amax", MAX_TIES),
        "min": lambda: reductions("min", "amin", MIN_TIES),
        "clip": lambda: f"{show(g(clip, ONE))} / {show(g(clip, TWO))}",
        "sqrt log": lambda: f"{show(g(T.sqrt, ZERO))} / {show(g(T.log, ZERO))}",
        "0 * sqrt": lambda: show(g(lambda x: 0.0 * T.sqrt(x), ZERO)),
        "where sqrt": lambda: f"{show(g(where_sqrt, ZERO))} / {show(g(where_sqrt, MINUS_ONE))}",
        "norm": lambda: show(g(T.linalg.norm, np.zeros(2))),
        "hypot": lambda: pair(g(T.hypot, ZERO, ZERO, wrt=(0, 1))),
        "std": lambda: show(g(lambda x: T.std(x, correction=0), CONSTANT)),
        "prod 1": lambda: show(g(T.prod, ONE_ZERO)),
        "prod 2": lambda: show(g(T.prod, TWO_ZEROS)),
        "det": lambda: show(g(T.linalg.det, SINGULAR)),
        "cholesky": lambda: where_on_the_matrix(g(lambda a: T.sum(tensor(W) * T.linalg.cholesky(a)), SPD)),
        "eigh": lambda: where_on_the_matrix(g(lambda a: T.sum(tensor(W) * T.abs(T.linalg.eigh(a)[1])), SPD)),
        "eigvalsh": lambda: where_on_the_matrix(
            g(lambda a: T.sum(T.linalg.eigvalsh(a) * tensor([1.0, 2.0, 3.0])), SPD)),
        "solve_triangular": lambda: where_on_the_matrix(
            g(lambda a: T.sum(T.linalg.solve_triangular(a, tensor(B), upper=False)), SPD)),
        "eigh values": lambda: show(g(lambda a: T.sum(T.linalg.eigh(a)[0]), REPEATED)),
        "eigh projector": lambda: show(g(eigh_projector, REPEATED)),
        "eigh rebuild": lambda: show(g(eigh_rebuild, REPEATED)),
        "svd rebuild": lambda: show(g(svd_rebuild, REPEATED)),
        "complex": lambda: show(g(lambda z: T.abs(z) ** 2, Z)),
        "real to complex": lambda: with_dtype(g(lambda x: T.abs(x * (1.0 + 2.0j)) ** 2, 1.0)),
        "astype int": lambda: " / ".join(
            cell(lambda: show(g(lambda x: T.sum(x.to(t) * 1.0), HALVES))) for t in (T.int64, T.bool)),
        "astype float32": lambda: with_dtype(g(lambda x: T.sum(x.to(T.float32)), np.array([1.5]))),
        "sort": lambda: show(g(lambda x: T.sum(T.sort(x).values * tensor([1.0, 2.0, 3.0])), TIES)),
        "median": lambda: reductions("median", None, TIES),
    }


# ---------------------------------------------------------------- the table

def cell(thunk):
    """What thunk returns, or the exception it raised: a library refusing a case is an observation too."""
    try:
        return thunk()
    except Exception as e:
        message = str(e).strip().splitlines()[0][:70] if str(e).strip() else ""
        return f"{type(e).__name__}" + (f": {message}" if message else "")


def run(cases):
    return {key: cell(cases[key]) for key, _ in CASES}


def version(name, module):
    try:
        from importlib.metadata import version as installed_version
        return installed_version(name)
    except Exception:
        return getattr(module, "__version__", "?")


def main():
    libraries = [("transgrad", "transgrad", tg, transgrad_cases), ("JAX", "jax", jax, jax_cases),
                 ("autograd", "autograd", autograd, autograd_cases), ("PyTorch", "torch", torch, torch_cases)]
    present = [lib for lib in libraries if lib[2] is not None]
    print("observed with numpy " + np.__version__ + ", "
          + ", ".join(f"{dist} {version(dist, module)}" for _, dist, module, _ in present) + "\n")
    columns = {title: run(cases()) for title, _, _, cases in present}
    print("| gradient of | " + " | ".join(columns) + " |")
    print("| --- " * (len(columns) + 1) + "|")
    for key, what in CASES:
        print(f"| {what} | " + " | ".join(columns[title][key].replace("|", "/") for title in columns) + " |")


if __name__ == "__main__":
    main()
