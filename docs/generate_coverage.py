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
    "np.piecewise": "calls user functions on masked pieces: not yet",
    "np.trim_zeros": "data-dependent length: not yet",
    "scipy.integrate.odeint": "needs the adjoint ODE: not yet",
    "scipy.linalg.eigh": "scipy's default driver flips eigenvector signs between nearby inputs, so the "
                         "rule cannot be checked against finite differences; use np.linalg.eigh",
    "scipy.linalg.lu": "not yet",
    "scipy.signal.convolve": "not yet (np.convolve is covered)",
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

One choice for each, with the peers' choices beside it. The peer columns were observed with numpy 2.4.6,
jax 0.10.2, autograd 1.9.1 and torch 2.13.0 (CPU) by `docs/verify_conventions.py`, which prints the
gradient every library returns for each case; rerun it to check them.

| where | transgrad | JAX | autograd | PyTorch |
| --- | --- | --- | --- | --- |
| `abs`, `fabs` at 0 | 0 (`sign(0)`) | 1 | 0 | 0 (`abs`; there is no `torch.fabs`) |
| `sign`, `floor`, `ceil`, `round` | constant: 0 | 0 | 0 | 0 |
| `maximum`/`minimum` tie | half to each operand | half each | half each | half each |
| `max`/`min` reduction ties | split equally among the tied elements | split equally | split equally | split equally (`max()`, `amax`); all to one element (`max(dim)`) |
| `clip` at a bound | the input gets the gradient at `a_min <= a <= a_max` (bounds inclusive: 1) | half (0.5 at either bound) | exclusive: 0 at either bound | inclusive: 1 |
| `sqrt`, `log` at 0 | `inf` like numpy's division by zero, but 0 when the incoming gradient is 0 (`0 * sqrt(x)`) | `inf`; `0 * sqrt(x)` gives `nan` | `inf`; `0 * sqrt(x)` gives `nan` | `inf`; `0 * sqrt(x)` gives `nan` |
| `np.where(x > 0, np.sqrt(x), 0)` at 0 and at -1 | 0: the masked branch gets an exact 0 | `nan` (the "double where" trick needed) | `nan` | `nan` |
| `np.linalg.norm` at 0 | 0 | `nan` | `nan` | 0 |
| `hypot(0, 0)` | 0 | 0.5 to each argument | `nan` | `nan` |
| `std` of constant data | 0 | `nan` | `nan` | 0 |
| `prod` with one zero, with two zeros | exact: the product of the other factors (0 with two zeros) | exact | `nan` at each zero, exact elsewhere | exact |
| `det` of a singular matrix | the cofactor matrix (finite, exact) | the cofactor matrix | `LinAlgError: Singular matrix` | 0 (not the cofactor matrix) |
| `cholesky`, `eigh`, `eigvalsh`, `solve_triangular`: the gradient of a loss with a non-symmetric weight | the gradient lives on the triangle numpy reads: the exact derivative of what it computes, for any input | `cholesky`, `eigh`, `eigvalsh`: symmetric; `solve_triangular`: the lower triangle | `cholesky`: symmetric; `eigh`: the lower triangle; `eigvalsh`: not implemented; `solve_triangular`: the lower triangle | `cholesky`, `eigh`, `eigvalsh`: symmetric; `solve_triangular`: the lower triangle |
| repeated eigenvalues / singular values | a loss of the eigenvalues only: exact. The eigen-/singular-vector terms drop the pairs with equal values: exact when the loss leaves the vectors of an eigenspace free (a spectral projector `V[:, :k] V[:, :k]ᵀ`), but not in general: through `V diag(w) Vᵀ` or `U diag(s) Vᵀ` the entries of the tied pair get 0 instead of the exact gradient, so a `RuntimeWarning` says the vectors' part left the tied pairs out | eigenvalues only: exact; through the vectors: `nan` | eigenvalues only: exact; through the vectors: `nan` | eigenvalues only: exact; through the vectors: `nan` |
| complex inputs | for a real loss of `z = a + ib` the gradient is `dL/da - i dL/db` (`grad(lambda z: abs(z)**2)(np.complex128(3+4j))` is 6-8j; a Python `complex` argument is rejected with `TypeError`) | same (6-8j) | same (6-8j) | the conjugate (6+8j) |
| real input of a complex computation | real gradient (the real part) | real | real | real |
| `astype` | a floating target keeps the gradient, cast back to the input dtype; an integer or boolean target stops it (gradient 0) | same | a floating target: same; an integer or boolean target passes the gradient through (1) | a floating target: same; an integer or boolean cast is not differentiable (`backward` raises `RuntimeError`) |
| `sort`, `median` ties | the gradient follows numpy's stable order | same | `sort`: same; `median`: not implemented | `sort`: same (on the tested input); `median()` splits it equally among the elements equal to the median; `median(dim)`: one element |
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
