"""tg.gradcheck: compare transgrad's derivative with central finite differences, element by element.

For a non-scalar output the check goes through a random cotangent u: the
vector-Jacobian product Jᵀu from transgrad must equal the central difference
of <u, f(x)> along each input element. Inputs are checked in float64 so the
differences are accurate (the dtype contract is tested separately).
"""
import copy
import inspect

import numpy as np

from transgrad.api import _normalize_wrt, vjp
from transgrad.errors import GradcheckError
from transgrad.frontend.parse import unwrap
from transgrad.runtime import is_record


def gradcheck(function, *args, wrt=0, eps=1e-6, rtol=1e-5, atol=1e-8, seed=0):
    """True when every element of transgrad's gradient matches central differences.

    Raises GradcheckError naming the worst element: the argument, the element's
    index, both values and the error.
    """
    names, _ = _normalize_wrt(unwrap(function), wrt)
    parameters = list(inspect.signature(unwrap(function)).parameters)
    positions = [parameters.index(name) for name in names]
    args = [_as_float64(a) for a in args]
    value, pullback = vjp(function, *args, wrt=tuple(positions))
    rng = np.random.default_rng(seed)
    cotangent = rng.standard_normal(np.shape(value)) if np.ndim(value) else 1.0
    grads = pullback(cotangent)
    worst = None
    for name, position, grad in zip(names, positions, grads):
        for path, index, analytic in _elements(grad):
            numeric = _central_difference(function, args, position, path, index, cotangent, eps)
            error = abs(analytic - numeric)
            excess = error / (atol + rtol * abs(numeric))
            if worst is None or excess > worst[0]:
                worst = (excess, name, path, index, analytic, numeric, error)
    if worst is not None and worst[0] > 1:
        _, name, path, index, analytic, numeric, error = worst
        where = name + "".join(f"[{p!r}]" for p in path) + (f"[{', '.join(map(str, index))}]" if index else "")
        raise GradcheckError(
            f"gradcheck failed for {getattr(function, '__name__', function)}: d/d {where} is {analytic!r} from "
            f"transgrad but {numeric!r} by central differences (error {error:.3g}, allowed "
            f"{atol + rtol * abs(numeric):.3g} = atol + rtol * |numeric|)")
    return True


def _as_float64(value):
    if is_record(value):
        copied = copy.copy(value)
        for name, field in vars(value).items():
            setattr(copied, name, _as_float64(field))
        return copied
    if isinstance(value, dict):
        return {k: _as_float64(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_as_float64(v) for v in value)
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return value.astype(np.float64)
    return value


def _elements(tree, path=()):
    """(path into the pytree, element index, value) for every scalar of a gradient."""
    if is_record(tree):
        tree = {k: v for k, v in vars(tree).items() if isinstance(v, (float, np.ndarray, list, tuple, dict))
                or is_record(v)}
    if isinstance(tree, dict):
        for key in tree:
            yield from _elements(tree[key], path + (key,))
    elif isinstance(tree, (list, tuple)):
        for key, item in enumerate(tree):
            yield from _elements(item, path + (key,))
    else:
        array = np.asarray(tree, dtype=float)
        for index in np.ndindex(array.shape):
            yield path, index, float(array[index])


def _central_difference(function, args, position, path, index, cotangent, eps):
    def evaluate(shift):
        shifted = list(args)
        shifted[position] = _shift(args[position], path, index, shift)
        return float(np.sum(np.asarray(cotangent) * np.asarray(function(*shifted), dtype=float)))
    return (evaluate(eps) - evaluate(-eps)) / (2 * eps)


def _shift(tree, path, index, amount):
    if path:
        head, rest = path[0], path[1:]
        if is_record(tree):
            copied = copy.copy(tree)
            setattr(copied, head, _shift(getattr(tree, head), rest, index, amount))
            return copied
        if isinstance(tree, dict):
            return {**tree, head: _shift(tree[head], rest, index, amount)}
        items = list(tree)
        items[head] = _shift(items[head], rest, index, amount)
        return type(tree)(items)
    if isinstance(tree, float):
        return tree + amount
    array = np.array(tree, dtype=float)
    array[index] += amount
    return array
