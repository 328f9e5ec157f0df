"""Central finite differences for the end-to-end tests, independent of transgrad.

`numeric_grad(f, args, wrt)` returns what `tg.grad(f, wrt=wrt)(*args)` must
return: one gradient for a single `wrt`, a tuple for a tuple `wrt`, each in
the structure of its input (arrays, Python floats, dicts/lists/tuples).
`numeric_vjp(f, args, cotangent, wrt)` does the same for <cotangent, f(args)>.
"""
import inspect

import numpy as np

EPS = 1e-6


def _positions(f, wrt):
    names = list(inspect.signature(f).parameters)
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    return [names.index(item) if isinstance(item, str) else item for item in items]


def _leaves(tree, path=()):
    """(path, leaf) for every array or float in a pytree."""
    if isinstance(tree, dict):
        for key in tree:
            yield from _leaves(tree[key], path + (key,))
    elif isinstance(tree, (list, tuple)):
        for key, item in enumerate(tree):
            yield from _leaves(item, path + (key,))
    else:
        yield path, tree


def _replace(tree, path, leaf):
    if not path:
        return leaf
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return {**tree, head: _replace(tree[head], rest, leaf)}
    items = list(tree)
    items[head] = _replace(items[head], rest, leaf)
    return type(tree)(items)


def _differentiate(scalar, args, position):
    """Gradient of scalar(*args) with respect to args[position], by central differences."""
    tree = args[position]
    grads = {}
    for path, leaf in _leaves(tree):
        if isinstance(leaf, float):
            def at(delta):
                shifted = list(args)
                shifted[position] = _replace(tree, path, leaf + delta)
                return scalar(*shifted)
            grads[path] = (at(EPS) - at(-EPS)) / (2 * EPS)
            continue
        base = np.array(leaf, dtype=np.float64)
        out = np.zeros_like(base)
        for index in np.ndindex(base.shape):
            values = []
            for delta in (EPS, -EPS):
                moved = base.copy()
                moved[index] += delta
                shifted = list(args)
                shifted[position] = _replace(tree, path, moved)
                values.append(scalar(*shifted))
            out[index] = (values[0] - values[1]) / (2 * EPS)
        grads[path] = out
    result = tree
    for path, grad in grads.items():
        result = _replace(result, path, grad)
    return result


def numeric_grad(f, args, wrt=0):
    """Central-difference gradient of the scalar f(*args), shaped like tg.grad's answer."""
    args = list(args)

    def scalar(*a):
        return float(f(*a))
    grads = tuple(_differentiate(scalar, args, p) for p in _positions(f, wrt))
    return grads if isinstance(wrt, tuple) else grads[0]


def numeric_vjp(f, args, cotangent, wrt=0):
    """Central-difference vector-Jacobian product: the gradient of sum(cotangent * f(*args))."""
    args = list(args)
    cotangent = np.asarray(cotangent, dtype=np.float64)

    def scalar(*a):
        return float(np.sum(cotangent * np.asarray(f(*a), dtype=np.float64)))
    grads = tuple(_differentiate(scalar, args, p) for p in _positions(f, wrt))
    return grads if isinstance(wrt, tuple) else grads[0]


def assert_tree_close(actual, expected, rtol=1e-5, atol=1e-6):
    """Same structure (dict keys, list/tuple lengths and kinds), values close."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"expected a dict, got {type(actual).__name__}"
        assert set(actual) == set(expected)
        for key in expected:
            assert_tree_close(actual[key], expected[key], rtol, atol)
    elif isinstance(expected, (list, tuple)):
        assert type(actual) is type(expected), f"expected {type(expected).__name__}, got {type(actual).__name__}"
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_tree_close(a, e, rtol, atol)
    else:
        assert np.shape(actual) == np.shape(expected), f"shape {np.shape(actual)} != {np.shape(expected)}"
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)
