"""Generate docs/coverage.md from the rule registry: every item of docs/numpy_targets.txt
(a copy of the team's ../shared/numpy_targets.txt) with its status and convention.

    python docs/generate_coverage.py          # rewrite docs/coverage.md
Statuses:
  rule      an adjoint template differentiates it (checked in tests/rules/rule_table.py)
  constant  piecewise constant or integer-valued: a registered zero gradient
  compiler  a language feature the compiler handles (tests/rules/test_language_targets.py)
  missing   not differentiable yet; NOT_COVERED says why
"""
import builtins
import importlib
import math
import pathlib

import numpy as np

import transgrad.rules  # noqa: F401  (registers every rule module)
from transgrad.rules import registry

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGETS = ROOT / "docs" / "numpy_targets.txt"
PAGE = ROOT / "docs" / "coverage.md"

# Language features, handled by the compiler rather than a rule (tested in test_language_targets.py).
COMPILER = {
    "operator *= (ndarray in-place)": "rewritten `a = a * b` (numpy's aliasing honoured or rejected)",
    "operator += (ndarray in-place)": "rewritten `a = a + b`",
    "operator += (rebinding)": "rewritten `a = a + b`",
    "operator -= (ndarray in-place)": "rewritten `a = a - b`",
    "operator /= (ndarray in-place)": "rewritten `a = a / b`",
    "operator [] (None/Ellipsis)": "the gradient is added into the indexed slots",
    "operator [] (boolean mask)": "the gradient is added into the selected slots",
    "operator [] (int/slice)": "the gradient is added into the indexed slots",
    "operator [] (integer-array/fancy)": "repeated indices accumulate (np.add.at)",
    "operator [] (negative-step slice)": "the gradient is added into the indexed slots",
    "operator []= (loop build-up)": "overwritten slots get zero gradient; old values are recorded",
    "operator []= (overwrite elements of traced array)": "overwritten slots get zero gradient",
    "operator []= (setitem into fresh array)": "the slots' gradient flows to the assigned value",
    "operator []+= (augmented setitem)": "rewritten `x[i] = x[i] + v`",
    "ndarray iteration (for v in arr)": "the loop indexes the array; each row's gradient is added back",
    "builtin zip/list/tuple over arrays": "zip in for loops indexes each sequence; list(arr) and tuple(arr) "
                                          "give each row its slot's gradient",
    "operator **=": "rewritten `a = a ** b`",
    "np.add.at": "rewritten `a[...] = rt.added_at(a, i, v)`: repeated indices accumulate, each value gets its "
                 "slot's gradient (np.subtract.at too)",
    "operator @=": "rewritten `a = a @ b`",
}

# Listed items that are not differentiated, and why. test_coverage.py fails on an item that is
# neither covered nor listed here, and on one listed here that has become covered.
NOT_COVERED = {
    "np.put_along_axis": "mutates its first argument (no result to attach a rule to)",
    "ndarray.fill": "mutates the array in place (rejected by the compiler)",
    "ndarray.sort": "sorts in place (rejected by the compiler); use np.sort",
    "ndarray.flat": "a flatiter object, not an array",
    "ndarray.tolist": "returns nested lists as deep as the array: not yet (list(x) is covered)",
    "ndarray.view": "reinterprets memory; a dtype view has no derivative",
    "ndarray.ptp": "removed from ndarray in numpy 2 (np.ptp is covered)",
    "np.choose": "not yet",
    "np.select": "not yet (np.where chains are covered)",
    "np.piecewise": "calls user functions on masked pieces: not yet",
    "np.block": "nested lists of blocks: not yet",
    "np.delete": "not yet",
    "np.insert": "not yet",
    "np.resize": "not yet",
    "np.partition": "not yet (np.sort is covered)",
    "np.trim_zeros": "data-dependent length: not yet",
    "np.unstack": "returns a tuple (see tuple results in the report)",
    "np.gradient": "not yet",
    "np.corrcoef": "not yet",
    "np.percentile": "not yet", "np.quantile": "not yet", "np.nanpercentile": "not yet",
    "np.nanquantile": "not yet", "np.nanmedian": "not yet", "np.nanstd": "not yet", "np.nanvar": "not yet",
    "np.nancumprod": "not yet",
    "np.polyfit": "not yet", "np.roots": "not yet",
    "np.linalg.cond": "not yet", "np.linalg.eig": "complex eigenvectors of a general matrix: not yet",
    "np.linalg.eigvals": "not yet", "np.linalg.tensorinv": "not yet", "np.linalg.tensorsolve": "not yet",
    "np.fft.hfft": "not yet", "np.fft.ihfft": "not yet", "np.fft.irfft2": "not yet",
    "np.fft.irfftn": "not yet", "np.fft.rfft2": "not yet", "np.fft.rfftn": "not yet",
    "np.i0": "not yet",
    "scipy.integrate.odeint": "needs the adjoint ODE: not yet",
    "scipy.linalg.eigh": "scipy's default driver flips eigenvector signs between nearby inputs, so the "
                         "rule cannot be checked against finite differences; use np.linalg.eigh",
    "scipy.linalg.logm": "not yet", "scipy.linalg.sqrtm": "not yet", "scipy.linalg.lu": "not yet",
    "scipy.linalg.lu_solve": "not yet", "scipy.linalg.cho_solve": "not yet",
    "scipy.linalg.solve_banded": "not yet", "scipy.linalg.solve_sylvester": "not yet",
    "scipy.signal.convolve": "not yet (np.convolve is covered)",
    "scipy.stats.beta.logpdf": "not yet", "scipy.stats.chi2.logpdf": "not yet",
    "scipy.stats.dirichlet.logpdf": "not yet", "scipy.stats.gamma.logpdf": "not yet",
    "scipy.stats.multivariate_normal.logpdf": "not yet", "scipy.stats.poisson.logpmf": "not yet",
    "scipy.stats.t.logpdf": "not yet",
}

def targets():
    """[(tier, item)] in file order."""
    rows = []
    for line in TARGETS.read_text().splitlines():
        if line.strip():
            tier, item = line.split(" ", 1)
            rows.append((int(tier), item))
    return rows


_OPERATORS = {"*": "mul", "**": "pow", "+": "add", "-": "sub", "/": "truediv", "@": "matmul",
              "unary -": "neg", "unary +": "pos", "%": "mod", "//": "floordiv"}


def resolve(item):
    """The registry Rule for a target item, or None."""
    import operator
    if item.startswith("operator "):
        name = _OPERATORS.get(item[len("operator "):])
        return registry.lookup(getattr(operator, name)) if name else None
    if item.startswith("builtin "):
        return registry.lookup(getattr(builtins, item[len("builtin "):], None))
    if item.startswith("ndarray."):
        name = item[len("ndarray."):]
        return registry.lookup_method(name) or registry.lookup_attribute(name)
    parts = item.split(".")
    if parts[0] == "scipy":
        try:
            obj = importlib.import_module(".".join(parts[:2]))
        except ImportError:
            return None
        rest = parts[2:]
    else:
        obj, rest = {"np": np, "math": math}[parts[0]], parts[1:]
    for part in rest:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return registry.lookup(obj)


def status(item):
    """(status, convention or reason) of one target item."""
    if item in COMPILER:
        return "compiler", COMPILER[item]
    rule = resolve(item)
    if rule is not None and rule.kind == "template":
        return "rule", rule.convention or ""
    if rule is not None and rule.kind == "nondiff":
        return "constant", rule.convention or "piecewise constant or integer-valued: gradient 0"
    if rule is not None:
        return "rule", "a tg.adjoint rule"
    return "missing", NOT_COVERED.get(item, "")


COVERED = ("rule", "constant", "compiler")

CONVENTIONS = """## Conventions at kinks, ties and singular points

One choice for each, with the peers' choices beside it.

| where | transgrad | JAX | autograd | PyTorch |
| --- | --- | --- | --- | --- |
| `abs`, `fabs` at 0 | 0 (`sign(0)`) | 0 | 0 | 0 |
| `sign`, `floor`, `ceil`, `round` | constant: 0 | 0 | 0 | 0 |
| `maximum`/`minimum` tie | half to each operand | half each (since 0.4.x) | half each | half each |
| `max`/`min` reduction ties | split equally among the tied elements | split equally | split equally | split equally (`amax`), one element (`max(dim)`) |
| `clip` at a bound | the input gets the gradient at `a_min <= a <= a_max` (bounds inclusive) | inclusive | inclusive | inclusive |
| `sqrt`, `log` at 0 | `inf` like numpy's division by zero, but 0 when the incoming gradient is 0 | `inf`; `nan` under `where` | `inf`; `nan` under `where` | `inf`; `nan` under `where` |
| `np.where(x > 0, np.sqrt(x), 0)` | finite: the masked branch gets an exact 0 | `nan` (the "double where" trick needed) | `nan` | `nan` |
| `np.linalg.norm` at 0, `hypot(0, 0)`, `std` of constant data | 0 | 0 (`nan` before the safe-norm fix) | `nan` | 0 (subgradient) |
| `prod` with zeros | exact: product of the other factors | exact | `nan` for two or more zeros | exact |
| `det` of a singular matrix | the cofactor matrix (finite, exact) | the cofactor matrix | `inf`/`nan` (uses the inverse) | finite (SVD) |
| `cholesky`, `eigh`, `eigvalsh`, `solve_triangular` | the gradient lives on the triangle numpy reads: the exact derivative of what it computes, for any input | symmetrized `(G + Gᵀ)/2` | symmetrized | symmetrized |
| repeated eigenvalues / singular values | eigen-/singular-vector terms drop the pairs with equal values (exact for losses that do not depend on the basis of an eigenspace) | `inf`/`nan` | `inf`/`nan` | `inf`/`nan` |
| complex inputs | for a real loss of `z = a + ib` the gradient is `dL/da - i dL/db` (`grad(|z|²)(3+4j) = 6-8j`) | same | same | the conjugate (`6+8j`) |
| real input of a complex computation | real gradient (the real part) | real | real | real |
| `astype` | a floating target keeps the gradient, cast back to the input dtype; an integer or boolean target stops it (gradient 0) | same | same | integer casts are not differentiable |
| `sort`, `median` ties | the gradient follows numpy's stable order | same | same | same |
"""


def page():
    rows = targets()
    tiers = sorted({t for t, _ in rows})
    lines = ["# Coverage of the numpy targets", "",
             "<!-- generated by docs/generate_coverage.py; edit that script or the rules, not this page -->", "",
             "Every differentiable API item of the team's target list (`docs/numpy_targets.txt`), with what "
             "transgrad does for it. *rule*: an adjoint template, checked against finite differences end to end "
             "(`tests/rules/rule_table.py`); *constant*: piecewise constant or integer-valued, a zero gradient "
             "by design; *compiler*: a language feature (`tests/rules/test_language_targets.py`); "
             "*missing*: not differentiable yet, with the reason.", "",
             "| tier | covered | total |", "| --- | --- | --- |"]
    total_covered = 0
    for tier in tiers:
        items = [i for t, i in rows if t == tier]
        covered = sum(status(i)[0] in COVERED for i in items)
        total_covered += covered
        lines.append(f"| {tier} | {covered} | {len(items)} |")
    lines += [f"| all | {total_covered} | {len(rows)} |", "", CONVENTIONS]
    for tier in tiers:
        lines += [f"## Tier {tier}", "", "| item | status | convention or reason |", "| --- | --- | --- |"]
        for t, item in rows:
            if t == tier:
                state, note = status(item)
                lines.append(f"| `{item}` | {state} | {note.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    PAGE.write_text(page())
    print(f"wrote {PAGE}")
