"""tg.gradcheck: compare transgrad's derivative with central finite differences.

For a non-scalar output it checks the vector-Jacobian product against
directional finite differences through random cotangents and directions
(autograd's inner-product test): <u, J v> from differences must equal
<J^T u, v> from transgrad.
"""
import numpy as np

from transgrad.api import _normalize_wrt, vjp
from transgrad.errors import GradcheckError
from transgrad.frontend.parse import unwrap


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for key in tree for leaf in _leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [tree]


def _rebuild(tree, leaves):
    if isinstance(tree, dict):
        return {key: _rebuild(tree[key], leaves) for key in tree}
    if isinstance(tree, (list, tuple)):
        items = [_rebuild(item, leaves) for item in tree]
        return type(tree)(items)
    leaf = leaves.pop(0)
    return float(leaf) if isinstance(tree, float) else np.asarray(leaf, dtype=np.asarray(tree).dtype)


def gradcheck(function, *args, wrt=0, eps=1e-6, rtol=1e-5, atol=1e-8, seed=0):
    """True when transgrad's derivative matches central differences; raises GradcheckError otherwise."""
    names, _ = _normalize_wrt(unwrap(function), wrt)
    positions = [list(_param_names(function)).index(n) for n in names]
    rng = np.random.default_rng(seed)
    value, pullback = vjp(function, *args, wrt=tuple(positions))
    for trial in range(2):
        cotangent = rng.standard_normal(np.shape(value)) if np.ndim(value) else 1.0
        grads = pullback(np.asarray(cotangent, dtype=np.result_type(value, np.float64)) if np.ndim(value)
                         else cotangent)
        directions = [[rng.standard_normal(np.shape(leaf)) for leaf in _leaves(args[p])] for p in positions]
        analytic = sum(float(np.sum(np.asarray(g) * d)) for gs, ds in zip(grads, directions)
                       for g, d in zip(_leaves(gs), ds))
        numeric = _directional(function, args, positions, directions, cotangent, eps)
        error = abs(analytic - numeric)
        if error > atol + rtol * max(abs(numeric), abs(analytic)) and error > 1e-4 * max(1.0, abs(numeric)):
            raise GradcheckError(
                f"gradcheck failed for {getattr(function, '__name__', function)} (wrt={wrt}): "
                f"<cotangent, J·direction> is {numeric!r} by central differences but {analytic!r} from transgrad "
                f"(absolute error {error:.3g}, trial {trial})")
    return True


def _directional(function, args, positions, directions, cotangent, eps):
    def shifted(sign):
        new_args = list(args)
        for p, ds in zip(positions, directions):
            leaves = [np.asarray(leaf, dtype=np.float64) + sign * eps * d for leaf, d in zip(_leaves(args[p]), ds)]
            new_args[p] = _rebuild(args[p], leaves)
        return np.asarray(function(*new_args), dtype=np.float64)
    difference = (shifted(+1) - shifted(-1)) / (2 * eps)
    return float(np.sum(np.asarray(cotangent) * difference))


def _param_names(function):
    import inspect
    return inspect.signature(unwrap(function)).parameters
