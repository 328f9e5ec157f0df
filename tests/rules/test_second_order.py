"""Second derivatives through every rule of the rule table.

Each row's function `row_k` is wrapped as a scalar `np.sum(np.sin(row_k(...)))`
(the sine makes the second derivative of a linear rule non-zero too), and the
Hessian-vector product from tg.hvp (forward over reverse, through the generated
gradient code and its runtime helpers) is compared with central finite
differences of tg.grad along the same random direction. Reverse over reverse
(tg.grad of a tg.grad) is checked on a sample of the rows the same way. Runtime helpers without
a rule are differentiated through their source (docs/higher_order.md): every one is reached here.
"""
import importlib.util
import sys
import warnings

import numpy as np
import pytest

import transgrad as tg
from rule_table import ROWS, TUPLE_ROWS, row_id
from test_rule_table import _param_specs, _probe, _wrt, generated  # noqa: F401  (the fixture)
from test_tangents import _random_like

ALL_ROWS = ROWS + TUPLE_ROWS


def _scalar_output(index):
    """Rows whose function returns one float value or array (lists and integer results are left
    to the first-order tests)."""
    if index >= len(ROWS):
        return True
    probe = np.asarray(_probe(ROWS[index])) if not isinstance(_probe(ROWS[index]), (list, tuple)) else None
    return probe is not None and np.issubdtype(probe.dtype, np.inexact) and not _param_specs[index] == []


def _singular(index):
    """The det row at a singular matrix checks the first derivative there; its second derivative goes
    through the inverse, as in JAX and autograd, and is not defined by this rule."""
    return "det(V[[1.0, 2.0], [2.0, 4.0]])" in row_id(ALL_ROWS[index])


SCALAR_ROWS = [i for i in range(len(ALL_ROWS)) if _param_specs[i] and _scalar_output(i) and not _singular(i)]


@pytest.fixture(scope="module")
def wrapped(generated, tmp_path_factory):  # noqa: F811
    """A module of `second_k(p0, ...)`: np.sum(np.sin(row_k(p0, ...))), written to a file so transgrad
    can read its source."""
    sources = []
    for index in SCALAR_ROWS:
        params = ", ".join(f"p{k}" for k in range(len(_param_specs[index])))
        sources.append(f"def second_{index}({params}):\n    return np.sum(np.sin(rows.row_{index}({params})))\n")
    return module_of(tmp_path_factory, "second_order_functions",
                     "import numpy as np\n\nimport rule_table_functions as rows\n\n\n" + "\n\n".join(sources))


def module_of(tmp_path_factory, name, source):
    """The module `name` made from `source`, written to a file so that transgrad can read it."""
    path = tmp_path_factory.mktemp(name) / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _shifted(value, direction, eps):
    if isinstance(value, list):
        return [_shifted(v, d, eps) for v, d in zip(value, direction)]
    return value + eps * direction


def _assert_close(product, gradient_at):
    """product against the derivative of gradient_at(t) at t = 0 (a five-point stencil), item by item
    for a list's gradient, with a tolerance relative to the largest entry. An ill-conditioned row
    (tan near its pole, inv of a nearly singular matrix) may need a smaller step; the product does not
    depend on the step, so agreeing at either step is agreement."""
    for eps in (1e-4, 1e-6):
        points = [gradient_at(k * eps) for k in (-2, -1, 1, 2)]
        try:
            _compare(product, *points, eps=eps)
            return
        except AssertionError:
            if eps == 1e-6:
                raise


def _compare(product, m2, m1, p1, p2, eps):
    if isinstance(m1, (list, tuple)):
        assert len(product) == len(m1)
        for items in zip(product, m2, m1, p1, p2):
            _compare(*items, eps=eps)
        return
    m2, m1, p1, p2 = (np.asarray(v) for v in (m2, m1, p1, p2))
    numeric = (m2 - 8 * m1 + 8 * p1 - p2) / (12 * eps)
    scale = 1.0 + np.max(np.abs(numeric[np.isfinite(numeric)]), initial=0.0)   # nan where the input is
    np.testing.assert_allclose(product, numeric, rtol=1e-4, atol=1e-5 * scale)


def _largest(tree):
    if isinstance(tree, (list, tuple)):
        return max((_largest(t) for t in tree), default=0.0)
    return float(np.max(np.abs(tree), initial=0.0))


def _check_second_order(fn, specs, seed, reverse_over_reverse=False):
    rng = np.random.default_rng(seed)
    wrt = _wrt(specs)
    as_tuple = isinstance(wrt, tuple)
    gradient = tg.grad(fn, wrt=wrt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(5):   # a point next to a pole (tan) is redrawn: differences cannot check it
            values = [s.make(rng, np.float64) for s in specs]
            if _largest(gradient(*values)) < 1e4:
                break
        directions = [_random_like(v, rng) for v in values]
        if reverse_over_reverse:   # the Hessian is symmetric: a vjp of the gradient is an hvp
            _, pullback = tg.vjp(gradient, *values, wrt=wrt)
            product = pullback(tuple(directions) if as_tuple else directions[0])
        else:
            _, product = tg.hvp(fn, tuple(values), tuple(directions) if as_tuple else directions[0], wrt=wrt)
        _assert_close(product, lambda step: gradient(*_shifted(values, directions, step)))


@pytest.mark.parametrize("index", SCALAR_ROWS, ids=[row_id(ALL_ROWS[i]) for i in SCALAR_ROWS])
def test_hessian_vector_product_matches_finite_differences(wrapped, index):
    _check_second_order(getattr(wrapped, f"second_{index}"), _param_specs[index], seed=index)


REVERSE_SAMPLE = SCALAR_ROWS[::9]


@pytest.mark.parametrize("index", REVERSE_SAMPLE, ids=[row_id(ALL_ROWS[i]) for i in REVERSE_SAMPLE])
def test_reverse_over_reverse_matches_finite_differences(wrapped, index):
    _check_second_order(getattr(wrapped, f"second_{index}"), _param_specs[index], seed=index,
                        reverse_over_reverse=True)
