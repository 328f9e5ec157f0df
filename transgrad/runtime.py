"""The small runtime that generated gradient code calls, and nothing else.

Generated code imports only numpy and this module (as `rt`). Adjoints of
values that may or may not have received a gradient yet are `None` where a
branch or loop joins ("None is zero"); everywhere else the compiler knows
statically and emits plain numpy.
"""
import math
import warnings

import numpy as np


class _Lazy:
    """A module imported on first use: scipy is optional, and generated code and the helpers below
    call `rt.scipy_special.digamma(x)` or `scipy_linalg.expm(a)`, which transgrad resolves to
    scipy's own functions (and their rules) when it differentiates that code again."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attribute):
        import importlib
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self):
        return f"<lazily imported {self._name}>"


scipy_special = _Lazy("scipy.special")
scipy_linalg = _Lazy("scipy.linalg")

# ----- shapes and broadcasting -----


def unbroadcast(g, x):
    """Sum the gradient `g` back to the shape of the operand `x` it broadcast from.

    Idea from HIPS autograd's `unbroadcast`: sum over the leading axes that
    broadcasting added and over the axes where `x` has length 1.
    """
    if type(g) is np.ndarray and type(x) is np.ndarray and g.shape == x.shape:
        return g   # the common case, first and cheap
    if isinstance(x, (list, tuple)):
        raise TypeError("transgrad could not tell that this + or * combines lists or tuples; build the list "
                        "with a display ([a, b]), append or extend so the compiler sees it is a list")
    shape = np.shape(x)
    if np.shape(g) == shape:
        return g
    g = np.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        return g[()] if g.ndim == 0 else g
    return g


def normalize_axis(axis, ndim):
    """`axis` as a tuple of non-negative ints (None means every axis)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(sorted(a % ndim for a in axis))
    return (axis % ndim,)


def unreduce(g, x, axis=None, keepdims=False):
    """Broadcast the gradient of a reduction over `axis` back to `x`'s shape."""
    shape = np.shape(x)
    g = np.asarray(g)
    if not keepdims and axis is not None:
        g = np.expand_dims(g, normalize_axis(axis, len(shape)))
    return np.broadcast_to(g, shape)


def reduced_size(x, axis=None):
    """Number of elements a reduction over `axis` combines (for mean)."""
    shape = np.shape(x)
    if axis is None:
        return int(np.prod(shape))
    return int(np.prod([shape[a] for a in normalize_axis(axis, len(shape))]))


def keep_reduced(ans, x, axis=None, keepdims=False):
    """A reduction's result with its reduced axes kept, so it broadcasts against `x`."""
    ans = np.asarray(ans)
    if not keepdims and axis is not None:
        ans = np.expand_dims(ans, normalize_axis(axis, np.ndim(x)))
    return ans


# ----- zeros, accumulation and seeds ("None is zero") -----


def is_record(x):
    """A plain object whose attributes hold arrays (types.SimpleNamespace, a simple class instance)."""
    return hasattr(x, "__dict__") and not isinstance(x, (type, np.ndarray, np.generic)) and not callable(x) \
        and type(x).__module__ not in ("builtins", "numpy")


def zeros_like(x):
    """A zero gradient shaped like `x`; containers get a mutable copy of their structure
    (a plain object's gradient is a dict of its attributes)."""
    if isinstance(x, dict):
        return {k: None for k in x}
    if is_record(x):
        return {k: None for k in vars(x)}
    if isinstance(x, (list, tuple)):
        return [None] * len(x)
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, dtype=x.dtype if np.issubdtype(x.dtype, np.inexact) else float)
    if isinstance(x, np.generic):
        return np.zeros((), dtype=x.dtype if np.issubdtype(x.dtype, np.inexact) else float)
    return 0.0


def add(a, b):
    """a + b where either may be None (zero); containers add leaf by leaf."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        return {k: add(a.get(k), b.get(k)) for k in a.keys() | b.keys()}
    if isinstance(a, (list, tuple)):
        return [add(u, v) for u, v in zip(a, b)]
    return a + b


def slot_of(obj, attribute):
    """Where the gradient of obj.attribute lives in obj's gradient: the field's position for a
    named tuple (np.linalg.qr(a).Q is item 0), the attribute's name for a plain object."""
    fields = getattr(type(obj), "_fields", None)
    return fields.index(attribute) if isinstance(obj, tuple) and fields else attribute


def add_at(dx, index, g):
    """Accumulate `g` into the slots `index` of the gradient buffer `dx`, in place, and return it.

    Repeated integer indices accumulate (np.add.at semantics); containers
    accumulate into their items. A complex `g` for a real array buffer gives a
    complex copy instead (the caller rebinds dx to the result).
    """
    if isinstance(dx, (list, dict)):
        if isinstance(index, slice):
            positions = range(len(dx))[index]
            for k, gk in zip(positions, g):
                dx[k] = add(dx[k], gk)
        else:
            dx[index] = add(dx[index], g)
        return dx
    if dx.dtype.kind != "c" and (type(g) is complex or getattr(g, "dtype", None) is not None and g.dtype.kind == "c"):
        dx = dx.astype(np.result_type(dx, g))   # a complex term reaching a real buffer (analysis/dtypes.py)
    if _is_fancy(index):
        np.add.at(dx, index, g)
    else:
        dx[index] += g
    return dx


def _is_fancy(index):
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (list, np.ndarray)) for i in items)


def ones_like(y):
    """The seed of a scalar gradient: 1 in the output's own type."""
    if isinstance(y, np.ndarray):
        return np.ones(y.shape, dtype=y.dtype if np.issubdtype(y.dtype, np.inexact) else float)
    if isinstance(y, np.generic):
        return y.dtype.type(1) if np.issubdtype(y.dtype, np.inexact) else 1.0
    return 1.0


def maybe_copy(dx, x):
    """A buffer the caller owns: zeros when `dx` is None, otherwise a copy of it."""
    if dx is None:
        return zeros_like(x)
    if isinstance(dx, dict):
        return dict(dx)
    if isinstance(dx, (list, tuple)):
        return list(dx)
    return np.array(dx, copy=True)


def buffer(dx, x):
    """`dx` itself, or a zero gradient shaped like `x` when it is None."""
    return zeros_like(x) if dx is None else dx


_SEEDS = {float: 1.0, np.float64: np.float64(1.0), np.float32: np.float32(1.0)}


def scalar_seed(y):
    """The gradient of a scalar output with respect to itself; rejects non-scalar outputs."""
    seed = _SEEDS.get(type(y))
    if seed is not None:
        return seed
    if y is None:
        raise TypeError("tg.grad: the function returned None; it must return a scalar")
    if isinstance(y, (list, tuple, dict)) or np.size(y) != 1:
        raise ValueError(
            f"tg.grad needs a scalar output, but the function returned a value of shape {np.shape(y)}; "
            "use tg.vjp(fn, *args) and call the pullback with a cotangent of that shape")
    if isinstance(y, (np.ndarray, np.generic)) and not np.issubdtype(np.asarray(y).dtype, np.inexact):
        raise TypeError("tg.grad: the function returned an integer or boolean value, which has no gradient")
    return ones_like(y)


def rule_tuple(grads, count, rule_name="an adjoint rule"):
    """What call_rule makes of a tg.adjoint rule's result: always a tuple of `count` cotangents."""
    if count == 1 and not isinstance(grads, tuple):
        grads = (grads,)
    if not isinstance(grads, tuple) or len(grads) != count:
        raise ValueError(f"{rule_name} must return a tuple of {count} cotangents (None where there is "
                         f"none), got {type(grads).__name__}")
    return grads


def rule_tuple_grad(g, grads, count):
    """The adjoint of rule_tuple for the rule's result: the bare item's gradient when it was wrapped."""
    if count == 1 and not isinstance(grads, tuple):
        return None if g is None else g[0]
    return list(g) if g is not None else None


def call_rule(rule, count, g, ans, *args, **kwargs):
    """Call a tg.adjoint rule; always a tuple with one cotangent (or None) per argument."""
    return rule_tuple(rule(g, ans, *args, **kwargs), count, f"the adjoint rule {getattr(rule, '__name__', rule)}")


# ----- in-place updates: saving and restoring what they overwrite -----

_MISSING = object()


def take(container, index):
    """A copy of what `container[index]` holds (a missing dict key is remembered as missing)."""
    if isinstance(container, dict):
        return container.get(index, _MISSING)
    value = container[index]
    return value.copy() if isinstance(value, (np.ndarray, list, dict)) else value


def put(container, index, old):
    """Undo `container[index] = v` with what `take` saved."""
    if old is _MISSING:
        del container[index]
    else:
        container[index] = old


def getitem(gradient, index):
    """`gradient[index]` of a container's gradient (None when that slot has none)."""
    if isinstance(gradient, dict):
        return gradient.get(index)
    return gradient[index]


def clear(gradient, index):
    """Zero the slots `index` of a gradient buffer (None in containers)."""
    if isinstance(gradient, (list, dict)):
        if isinstance(index, slice):
            for position in range(len(gradient))[index]:
                gradient[position] = None
        elif not isinstance(gradient, dict) or index in gradient:
            gradient[index] = None
    else:
        gradient[index] = 0.0


def unextend(items, added):
    """Undo `items.extend(added)`: remove and return the last len(added) entries."""
    count = len(added)
    tail = items[len(items) - count:]
    del items[len(items) - count:]
    return tail


def unextended(items, added):
    """The list before `items.extend(added)`, without changing `items` (rt.unextend in code that is
    differentiated again, normalize/generated.py)."""
    return items[:len(items) - len(added)]


def extended_tail(items, added):
    """What rt.unextend(items, added) returns (the last len(added) entries), without changing items."""
    return items[len(items) - len(added):]


def like(gradient_items, value):
    """Items of a list gradient as the gradient of `value` (an array's gradient is an array)."""
    if isinstance(value, np.ndarray):
        return np.array([zeros_like(v) if g is None else g for g, v in zip(gradient_items, value)])
    return gradient_items


def keys(mapping):
    """The keys of a dict a loop iterates over, as a list (constants: keys carry no gradient)."""
    return list(mapping.keys())


def values_grad(gradient, mapping):
    """Gradient of mapping.values(): the items' gradients (a list) back under their keys."""
    return dict(zip(mapping.keys(), gradient))


def owned(gradient):
    """A copy of a gradient buffer that the code may then update in place."""
    if isinstance(gradient, (list, tuple)):
        return list(gradient)
    if isinstance(gradient, dict):
        return dict(gradient)
    return np.array(gradient, copy=True)


def copy_input(x):
    """A copy of an argument the function updates in place, so the caller's value is never changed;
    in generated code differentiated again, a copy of a view of an array the code later updates in
    place (normalize/generated.py)."""
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, list):
        return list(x)
    if isinstance(x, dict):
        return dict(x)
    return x


# ----- rule helpers -----


def select_max(g, x, ans, axis=None, keepdims=False):
    """Gradient of max/min: split equally among the tied extreme elements."""
    ans = keep_reduced(ans, x, axis, keepdims)
    g = keep_reduced(g, x, axis, keepdims)
    mask = np.asarray(x) == ans
    count = np.sum(mask, axis=None if axis is None else normalize_axis(axis, np.ndim(x)), keepdims=True)
    return g * (mask / count).astype(_grad_dtype(g, x), copy=False)


def balanced_eq(x, z, y):
    """1 where x is the winner of maximum/minimum(x, y), 0.5 on ties (autograd's convention)."""
    weight = (x == z) / (1.0 + (x == y))
    return weight.astype(_grad_dtype(z), copy=False) if isinstance(weight, np.ndarray) else weight


def matmul_grad_left(g, a, b):
    """d(a @ b)/da contracted with g, for vectors, matrices and batches."""
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if b_nd == 1:
        ga = np.multiply.outer(g, b) if a_nd > 1 else g * b
    elif a_nd == 1:
        ga = np.matmul(b, np.expand_dims(g, -1))[..., 0] if np.ndim(g) > 0 else g * b
        ga = np.matmul(b, g) if np.ndim(g) == 1 and b_nd == 2 else ga
    else:
        ga = np.matmul(g, np.swapaxes(b, -1, -2))
    return unbroadcast(ga, a)


def matmul_grad_right(g, a, b):
    """d(a @ b)/db contracted with g, for vectors, matrices and batches."""
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 1:
        # a (k,) @ b (..., k, m) -> (..., m): gb[..., k, m] = a[k] * g[..., m]
        gb = np.asarray(a)[:, None] * np.expand_dims(g, -2) if b_nd > 1 else g * a
    elif b_nd == 1:
        gb = np.matmul(np.swapaxes(a, -1, -2), g[..., None])[..., 0] if np.ndim(g) else g * a
        gb = np.matmul(g, a) if np.ndim(g) == 1 and a_nd == 2 else gb
        if np.ndim(gb) > 1:
            gb = gb.reshape(-1, gb.shape[-1]).sum(axis=0)
    else:
        gb = np.matmul(np.swapaxes(a, -1, -2), g)
    return unbroadcast(gb, b)


def dot_grad_left(g, a, b):
    """d(np.dot(a, b))/da contracted with g."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    if np.ndim(b) == 1:
        return np.multiply.outer(g, b)
    # contract g over b's axes other than its second-to-last
    b_axes = [ax for ax in range(np.ndim(b)) if ax != np.ndim(b) - 2]
    g_axes = list(range(np.ndim(a) - 1, np.ndim(g)))
    return np.tensordot(g, b, (g_axes, b_axes))


def dot_grad_right(g, a, b):
    """d(np.dot(a, b))/db contracted with g."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    a_lead = list(range(np.ndim(a) - 1))
    g_lead = list(range(np.ndim(a) - 1))
    gb = np.tensordot(a, g, (a_lead, g_lead))
    if np.ndim(b) > 2:
        gb = np.moveaxis(gb, 0, -2)
    return gb


def norm_grad(g, x, ans, ord=None, axis=None, keepdims=False):
    """Gradient of np.linalg.norm: vector p-norms (any p, inf, -inf) and the Frobenius norm.

    Matrix norms other than Frobenius (ord=2, -2, 1, -1, inf, -inf, 'nuc' over two
    axes) raise ValueError. Convention: the gradient at x = 0 is 0 (a subgradient),
    as in JAX; inf-norm ties split equally like max.
    """
    x = np.asarray(x)
    matrix = (isinstance(axis, (tuple, list)) and len(axis) == 2) or (axis is None and x.ndim == 2 and ord is not None)
    if matrix and ord not in (None, "fro"):
        raise ValueError(f"transgrad: np.linalg.norm gradient supports only the Frobenius matrix norm, got ord={ord!r}")
    if isinstance(ord, str) and ord != "fro":
        raise ValueError(f"transgrad: np.linalg.norm gradient does not support ord={ord!r}")
    g = np.real(g)   # the norm is real: only the real part of its cotangent counts
    if ord == np.inf or ord == -np.inf:
        return conj_sign(x) * select_max(g, np.abs(x), ans, axis, keepdims)
    if ord == 0:
        return np.zeros_like(x)
    ans = keep_reduced(ans, x, axis, keepdims)
    g = keep_reduced(g, x, axis, keepdims)
    if ord == 1:
        return g * conj_sign(x)
    safe = np.where(ans == 0, 1.0, ans)
    if ord in (None, 2, "fro"):
        return np.where(ans == 0, 0.0, g * conj(x) / safe)
    p = float(ord)
    return np.where(ans == 0, 0.0, g * conj_sign(x) * (np.abs(x) / safe) ** (p - 1))


def float_like(g, x):
    """Cast a finished gradient to its input's type: float32 stays float32, float stays float; a real
    input gets the real part of a complex gradient (JAX/autograd convention)."""
    if type(x) is float:
        return g if type(g) is float else float(np.real(g))
    if isinstance(x, np.ndarray):
        g = real_like(np.asarray(g), x)
        if g.shape != x.shape:
            g = np.broadcast_to(g, x.shape)
        if g.dtype != x.dtype and np.issubdtype(x.dtype, np.inexact):
            g = g.astype(x.dtype)
        return g if g.flags.writeable else np.array(g)
    if isinstance(x, np.generic):
        return x.dtype.type(real_like(g, x))
    return g


# ----- helpers for numpy rules -----
# Small helpers the templates in rules/numpy_rules.py, linalg_rules.py,
# math_rules.py and builtin_rules.py call when a rule needs more than one
# numpy expression (axis logic, lists of gradients, singular points).


def _grad_dtype(*values):
    """The inexact dtype a gradient for these values should have: float64 unless they are float32/16,
    complex when one of them is (a complex cotangent or operand must keep its imaginary part)."""
    dtypes = [np.asarray(v).dtype for v in values]
    inexact = [t for t in dtypes if np.issubdtype(t, np.inexact)]
    return np.result_type(*inexact) if inexact else np.dtype(float)


def _grad_dtype_of(values):
    """_grad_dtype of a list of values (a call without *args, for code differentiated again)."""
    return _grad_dtype(*values)


def inverse_axes(axes):
    """The permutation that undoes np.transpose(x, axes) (None for a plain reversal).

    Accepts the forms np.transpose and ndarray.transpose take: None, (), a tuple,
    or a one-item tuple holding the tuple (`x.transpose((1, 0))`).
    """
    if axes is not None and len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
        axes = axes[0]
    if axes is None or len(axes) == 0:
        return None
    n = len(axes)
    return tuple(int(i) for i in np.argsort([a % n for a in axes]))


def clip_inside(a, a_min, a_max):
    """Where np.clip passes `a` through: a_min <= a <= a_max (bounds inclusive, None is unbounded)."""
    inside = np.ones(np.shape(a), dtype=bool)
    if a_min is not None:
        inside = inside & (a >= a_min)
    if a_max is not None:
        inside = inside & (a <= a_max)
    return inside


def prod_grad(g, x, axis=None, keepdims=False):
    """Gradient of np.prod: g times the product of the other factors (exact where x has zeros)."""
    x = np.asarray(x)
    g = keep_reduced(g, x, axis, keepdims)
    if x.ndim == 0:
        return g * np.ones_like(x)
    axes = list(normalize_axis(axis, x.ndim))
    kept = [ax for ax in range(x.ndim) if ax not in axes]
    moved = np.transpose(x, kept + axes)
    lead = moved.shape[:len(kept)]
    flat = moved.reshape(lead + (-1,))
    ones = np.ones(lead + (1,), dtype=x.dtype)
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], -1), -1)[..., ::-1]
    others = np.transpose((before * after).reshape(moved.shape), np.argsort(kept + axes))
    return g * others


def cumsum_grad(g, x, axis=None):
    """Gradient of np.cumsum: a reversed cumulative sum (over the flattened array when axis is None)."""
    if axis is None:
        return np.reshape(np.cumsum(np.ravel(g)[::-1])[::-1], np.shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def array_grad(g, obj):
    """Gradient of np.array/np.asarray(obj): `g` itself, or a (nested) list of its items for a list."""
    if isinstance(obj, (list, tuple)):
        return [array_grad(g[i], item) for i, item in enumerate(obj)]
    return g


def concatenate_grad(g, arrays, axis=0):
    """Gradient of np.concatenate(arrays, axis): a list of the pieces of `g`."""
    if axis is None:
        bounds = np.cumsum([np.size(a) for a in arrays])[:-1]
        return [np.reshape(p, np.shape(a)) for p, a in zip(np.split(np.ravel(g), bounds), arrays)]
    bounds = np.cumsum([np.shape(a)[axis] for a in arrays])[:-1]
    return list(np.split(g, bounds, axis))


def stack_grad(g, arrays, axis=0):
    """Gradient of np.stack(arrays, axis): a list of the slices of `g` along `axis`."""
    return [np.reshape(piece, np.shape(a)) for piece, a in zip(np.moveaxis(g, axis, 0), arrays)]


def hstack_grad(g, arrays):
    """Gradient of np.hstack: split along axis 0 for 1-d inputs, axis 1 otherwise."""
    shapes = [np.shape(np.atleast_1d(a)) for a in arrays]
    axis = 0 if len(shapes[0]) == 1 else 1
    bounds = np.cumsum([s[axis] for s in shapes])[:-1]
    return [np.reshape(p, np.shape(a)) for p, a in zip(np.split(g, bounds, axis), arrays)]


def vstack_grad(g, arrays):
    """Gradient of np.vstack: split along axis 0 of the inputs made at least 2-d."""
    bounds = np.cumsum([np.shape(np.atleast_2d(a))[0] for a in arrays])[:-1]
    return [np.reshape(p, np.shape(a)) for p, a in zip(np.split(g, bounds, 0), arrays)]


def diag_grad(g, v, k=0):
    """Gradient of np.diag(v, k): the k-th diagonal of g for a vector v; g on v's k-th diagonal for a matrix."""
    if np.ndim(v) == 1:
        return np.diagonal(g, k).copy()
    out = np.zeros(np.shape(v), dtype=_grad_dtype(g))
    n = np.shape(g)[0]
    rows = np.arange(n) + max(-k, 0)
    out[rows, rows + k] = g
    return out


_REUSE_MIN_SIZE = 1 << 16   # below this, a fresh array is cheap (no new pages to map)


def reuse(ufunc, left, right):
    """ufunc(left, right) where one side is a number and the other an array the generated code made
    and never reads again (optimize/reuse.py): large results are written into that array's memory
    when they keep its dtype, as numpy's own temporary elision would."""
    array = right if type(right) is np.ndarray else left
    if type(array) is np.ndarray and array.size >= _REUSE_MIN_SIZE and array.flags.writeable \
            and np.result_type(left, right) == array.dtype:
        return ufunc(left, right, out=array)
    return ufunc(left, right)


def trace_matmul(a, b):
    """np.trace(a @ b) for 2-d a and b, without forming the product: the sum of a * bᵀ over the
    diagonal entries the trace reads."""
    n = min(np.shape(a)[0], np.shape(b)[1])
    return np.sum(a[:n] * np.swapaxes(b, 0, 1)[:n])


_ZERO_BYTES = bytes(64)   # the one element every stand-in's entries read


def stand_in(*operands):
    """A read-only, zero-strided array with the shape (and dtype) of an elementwise result of the
    operands, made without computing it: the gradient reads only its shape (optimize/stand_ins.py).
    Built directly on a constant zero buffer: np.broadcast_to costs more than the arithmetic it saves
    for arrays of ten thousand elements."""
    first = operands[0]
    if type(first) is np.ndarray and first.dtype.kind in "fc" and all(
            type(o) is np.ndarray and o.shape == first.shape and o.dtype == first.dtype for o in operands):
        shape, dtype = first.shape, first.dtype   # the common case: operands alike
    else:
        shape = np.broadcast_shapes(*[np.shape(o) for o in operands])
        dtype = np.result_type(*[o.dtype if isinstance(o, np.ndarray) else o for o in operands], 0.0)
    return np.ndarray(shape, dtype=dtype, buffer=_ZERO_BYTES, strides=(0,) * len(shape))


def repeated_factor(factor, count):
    """factor ** count as a Python float: a gradient's factor over `count` loop trips
    (optimize/loops.py); inf past the float range, as repeated multiplication gives."""
    try:
        return float(factor) ** count
    except OverflowError:
        return math.inf if factor > 0 or count % 2 == 0 else -math.inf


def trace_quadratic(x, m):
    """np.trace(x @ m @ x.T) with one matrix product: the sum of (x @ m) * x."""
    return np.sum(np.matmul(x, m) * x)


def trace_quadratic_grad(g, x, m):
    """The gradient of trace(x m xᵀ) for x: g x (m + mᵀ), one matrix product."""
    return g * np.matmul(x, m + np.swapaxes(m, 0, 1))


def trace_matmul_grad(g, other, rows):
    """Gradient of trace_matmul for one operand: g times the other's transpose, on the `rows`
    (for a) or columns (for b) the trace reads; zero elsewhere (a non-square product)."""
    full = g * np.swapaxes(other, 0, 1)
    if full.shape[0] == rows:
        return full
    out = np.zeros((rows,) + full.shape[1:], dtype=full.dtype)
    out[:full.shape[0]] = full[:rows]
    return out


def trace_grad(g, a, offset=0, axis1=0, axis2=1):
    """Gradient of np.trace: g spread over the `offset` diagonal of axes (axis1, axis2)."""
    shape = np.shape(a)
    nd = len(shape)
    ax1, ax2 = axis1 % nd, axis2 % nd
    eye = np.eye(shape[ax1], shape[ax2], k=offset, dtype=_grad_dtype(g))
    if ax1 > ax2:
        eye = eye.T
    eye_shape = [1] * nd
    eye_shape[ax1], eye_shape[ax2] = shape[ax1], shape[ax2]
    return np.expand_dims(g, (ax1, ax2)) * eye.reshape(eye_shape)


def inner_grad_left(g, a, b):
    """d(np.inner(a, b))/da contracted with g (sum over the last axes)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    g_axes = list(range(np.ndim(a) - 1, np.ndim(g)))
    return np.tensordot(g, b, (g_axes, list(range(np.ndim(b) - 1))))


def inner_grad_right(g, a, b):
    """d(np.inner(a, b))/db contracted with g."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    lead = list(range(np.ndim(a) - 1))
    return np.moveaxis(np.tensordot(a, g, (lead, lead)), 0, -1)


def solve_transposed(a, g, b):
    """aᵀ⁻¹ g for x = np.linalg.solve(a, b): the gradient of b (before unbroadcasting)."""
    at = np.swapaxes(a, -1, -2)
    if np.ndim(b) == 1:
        return np.linalg.solve(at, np.asarray(g)[..., None])[..., 0]
    return np.linalg.solve(at, g)


def solve_grad_a(gb, x, b):
    """The gradient of a for x = np.linalg.solve(a, b), given gb = aᵀ⁻¹ g: -gb xᵀ."""
    if np.ndim(b) == 1:
        return -(np.asarray(gb)[..., :, None] * np.asarray(x)[..., None, :])
    return -np.matmul(gb, np.swapaxes(x, -1, -2))


def safe_ratio(num, den):
    """num / den, and 0 where den == 0 (hypot at the origin, like norm at 0)."""
    safe = np.where(den == 0, 1.0, den)
    return np.where(den == 0, 0.0, num / safe)


def div(a, b):
    """a / b with IEEE semantics for Python floats, as numpy: x/0 is ±inf, 0/0 is nan (with numpy's warning)."""
    try:
        return a / b
    except ZeroDivisionError:
        return float(np.float64(a) / np.float64(b))


def fpow(x, p):
    """math.pow(x, p), but inf/nan like numpy where math raises (0 to a negative power)."""
    try:
        return x ** p if isinstance(x, int) and isinstance(p, int) and p >= 0 else math_pow(x, p)
    except (ValueError, ZeroDivisionError, OverflowError):
        return float(np.power(np.float64(x), p))


def math_pow(x, p):
    import math
    return math.pow(x, p)


def sequence_grad(g, items):
    """Gradient of the builtin sum(items): each item gets g (unbroadcast to its shape).

    An ndarray summed over its first axis gets g broadcast back; a list or tuple
    gets a list with one gradient per item.
    """
    if isinstance(items, np.ndarray):
        return np.broadcast_to(g, items.shape)
    return [unbroadcast(g, item) for item in items]


def extreme_grad(g, a, ans, other=None):
    """Gradient of the builtin max/min for the operand `a`.

    max(a, b) / min(a, b): `a` gets g, half of it on a tie (like np.maximum).
    max(items) / min(items) (other is None): a list (or array) with g split
    equally among the items equal to the result.
    """
    if other is not None:
        return g * balanced_eq(a, ans, other)
    if isinstance(a, np.ndarray):
        mask = a == ans
        return g * mask / np.sum(mask)
    hits = [bool(item == ans) for item in a]
    count = sum(hits)
    return [g / count if hit else 0.0 * g for hit in hits]


def reduce_like(g, target, axis=None, keepdims=False):
    """Sum `g` over `axis` down to the shape of `target` (the adjoint of unreduce)."""
    if axis is None and not keepdims:
        return np.sum(g)
    return np.reshape(np.sum(g, axis=normalize_axis(axis, np.ndim(g)), keepdims=keepdims), np.shape(target))


def select_weights(x, ans, axis=None, keepdims=False):
    """The weights select_max spreads a gradient with: 1/count on the tied extremes, 0 elsewhere."""
    mask = np.asarray(x) == keep_reduced(ans, x, axis, keepdims)
    count = np.sum(mask, axis=None if axis is None else normalize_axis(axis, np.ndim(x)), keepdims=True)
    return (mask / count).astype(_grad_dtype(x), copy=False)


# ----- helpers for the numpy, linalg and scipy rules added for full target coverage -----


def masked_div(g, den):
    """g / den, but exactly 0 where g is 0: a branch masked by np.where (np.where(x > 0, np.sqrt(x), 0))
    passes a zero cotangent, and its infinite or nan derivative must not turn that zero into nan."""
    if type(den) is np.ndarray and den.all():
        return g / den      # no zero in the denominator: nothing to mask (one pass over den)
    if type(den) is float and den != 0.0:
        return g / den
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = g / den
    except ZeroDivisionError:
        return div(g, den) if g != 0 else 0.0 * g
    if np.ndim(out) == 0:
        if g == 0 and not np.isfinite(out):
            return np.zeros_like(out) if isinstance(out, np.ndarray) else type(out)(0)
        return out
    if not np.all(np.isfinite(out)):
        out = np.where(np.asarray(g) == 0, 0, out).astype(out.dtype, copy=False)
    return out


def real_like(g, x):
    """A real gradient for a real input (the real part of a complex cotangent), g itself otherwise."""
    if np.iscomplexobj(g) and not np.iscomplexobj(x):
        return np.real(g)
    return g


def imag_grad(g, x):
    """Gradient of np.imag(x): -1j Re(g) (JAX/autograd convention: the output is real, so only the real
    part of its cotangent counts); 0 for a real x."""
    if np.iscomplexobj(x):
        return -1j * np.real(g)
    return np.zeros_like(np.real(g))


def conj(x):
    """np.conj(x), without the copy for a real x (x itself): rules of real code stay as fast."""
    return np.conj(x) if np.iscomplexobj(x) else x


def conj_sign(x):
    """conj(x) / |x| (0 at 0), the derivative of |x|: np.sign(x) for a real x."""
    if not np.iscomplexobj(x):
        return np.sign(x)
    return masked_div(np.conj(x), np.abs(x))


def conj_sign_derivative(v, x):
    """The derivative of conj_sign at x along v: -1j c Im(c v) / |x| with c = conj_sign(x) (0 at 0);
    0 for a real x (np.sign is piecewise constant). Re(sum(w * derivative(v))) is symmetric in v
    and w, so it is also its own adjoint."""
    if not np.iscomplexobj(x):
        return np.zeros(np.shape(v), dtype=_grad_dtype(x)) if np.ndim(v) else 0.0
    c = conj_sign(x)
    return masked_div(-1j * c * np.imag(c * v), np.abs(x))


def astype_grad(g, x, y):
    """Gradient of x.astype(dtype): g cast back to x's dtype for a floating target; 0 for an integer or
    boolean target (the cast stops the gradient, like PyTorch's .long())."""
    if not np.issubdtype(np.asarray(y).dtype, np.inexact):
        return np.zeros(np.shape(x), dtype=_grad_dtype(x))
    g = real_like(real_like(g, y), x)
    dtype = np.asarray(x).dtype
    return np.asarray(g).astype(dtype if np.issubdtype(dtype, np.inexact) else float, copy=False)


def no_gradient(callee, parameter, value):
    """Raise NonDifferentiableError: an input that carries a gradient reaches a parameter the rule keeps constant."""
    from transgrad.errors import NonDifferentiableError
    raise NonDifferentiableError(callee, None, f"its argument {parameter!r} is treated as a constant; "
                                 "wrap it in tg.detach(...) if that is what you want")


def real_only(callee, x, detail):
    """Raise NonDifferentiableError for a complex x: the rule of `callee` is written for real arrays
    (a silently wrong complex derivative is worse than none)."""
    if np.iscomplexobj(x):
        from transgrad.errors import NonDifferentiableError
        raise NonDifferentiableError(f"{callee} of a complex array", None, detail)


_COMPLEX_FACTORIZATION = ("its gradient is written for real matrices only (a complex one needs conjugate "
                          "transposes it does not take)")


def output_grad(g, y, position):
    """The gradient of item `position` of a tuple-valued result (zeros when it received none)."""
    part = None if g is None else g[position]
    return np.zeros_like(y[position], dtype=_grad_dtype(y[position])) if part is None else part


def added_at(a, indices, values):
    """np.add.at(a, indices, values) on a copy of a: repeated indices accumulate."""
    out = np.array(a, copy=True)
    np.add.at(out, indices, values)
    return out


def items_grad(g, items, y):
    """Gradient of list(items) / tuple(items): an array gets its rows' gradients stacked back,
    a sequence a list with one gradient per item."""
    grads = tuple_grads(g, y)
    if isinstance(items, np.ndarray):
        return np.stack(grads) if grads else np.zeros_like(items, dtype=_grad_dtype(items))
    return grads


def sorted_grad(g, items, y, reverse=False):
    """Gradient of the builtin sorted(items): each item gets the gradient of the slot it landed in.
    The order is recomputed the way sorted() computes it (stable, also with reverse=True)."""
    grads = tuple_grads(g, y)
    order = sorted(range(len(grads)), key=lambda i: items[i], reverse=reverse)
    back = [None] * len(grads)
    for slot, position in enumerate(order):
        back[position] = grads[slot]
    return items_grad(back, items, items) if isinstance(items, np.ndarray) else back


def tuple_grads(g, y):
    """The gradients of every item of a tuple-valued result, zeros for the items that received none."""
    return [output_grad(g, y, i) for i in range(len(y))]


def take_grad(g, a, indices, axis=None, mode="raise"):
    """Gradient of np.take: scatter-add g back to the taken positions (repeated indices accumulate)."""
    shape = np.shape(a)
    out = np.zeros(int(np.prod(shape)) if axis is None else shape, dtype=_grad_dtype(g, a))
    n = out.shape[0 if axis is None else axis]
    indices = np.asarray(indices)
    indices = indices % n if mode == "wrap" else np.clip(indices, 0, n - 1) if mode == "clip" else indices
    if axis is None:
        np.add.at(out, indices, g)
        return out.reshape(shape)
    axis = axis % len(shape)
    index = (slice(None),) * axis + (indices,)
    np.add.at(out, index, g)
    return out


def take_along_axis_grad(g, arr, indices, axis=-1):
    """Gradient of np.take_along_axis: scatter-add g back along `axis`."""
    shape = np.shape(arr)
    if axis is None:
        out = np.zeros(int(np.prod(shape)), dtype=_grad_dtype(g, arr))
        np.add.at(out, np.asarray(indices), g)
        return out.reshape(shape)
    out = np.zeros(shape, dtype=_grad_dtype(g, arr))
    indices = np.asarray(indices)
    axis = axis % len(shape)
    grids = np.ogrid[tuple(slice(0, n) for n in indices.shape)]
    index = tuple(indices if k == axis else grids[k] for k in range(len(shape)))
    np.add.at(out, index, g)
    return out


def unsort(g, a, axis=-1):
    """Gradient of np.sort: g put back where each sorted element came from (stable order on ties)."""
    if axis is None:
        order = np.argsort(np.ravel(a), kind="stable")
        out = np.empty_like(np.ravel(g))
        out[order] = np.ravel(g)
        return out.reshape(np.shape(a)) if np.ndim(a) else out
    order = np.argsort(a, axis=axis, kind="stable")
    out = np.empty_like(g)
    np.put_along_axis(out, order, g, axis=axis)
    return out


def cumprod_grad(g, x, y, axis=None):
    """Gradient of np.cumprod, exact where x has zeros: d x_i = sum_{k>=i} g_k prod_{j<=k, j!=i} x_j."""
    shape = np.shape(x)
    if axis is None:
        x, g, y, axis = np.ravel(x), np.ravel(g), np.ravel(y), 0
    x, g, y = np.moveaxis(np.asarray(x), axis, -1), np.moveaxis(np.asarray(g), axis, -1), np.moveaxis(np.asarray(y), axis, -1)
    if np.all(x != 0):
        out = np.flip(np.cumsum(np.flip(g * y, -1), -1), -1) / x
    else:
        n = x.shape[-1]
        out = np.zeros(np.broadcast_shapes(x.shape, g.shape), dtype=_grad_dtype(g, x))
        for i in range(n):
            others = np.concatenate([x[..., :i], np.ones_like(x[..., i:i + 1]), x[..., i + 1:]], -1)
            out[..., i] = np.sum(g[..., i:] * np.cumprod(others, -1)[..., i:], -1)
    out = np.moveaxis(out, -1, axis)
    return out.reshape(shape)


def median_grad(g, a, axis=None, keepdims=False):
    """Gradient of np.median: g to the middle element, or half to each of the two middle elements
    (by position in a stable sort, so ties are resolved like np.sort)."""
    a = np.asarray(a)
    g = keep_reduced(g, a, axis, keepdims)
    if axis is None:
        flat, gflat = a.reshape(-1), np.reshape(g, (1,))
        return median_grad(gflat[0], flat, 0).reshape(a.shape)
    axes = normalize_axis(axis, a.ndim)
    if len(axes) > 1:
        kept = [k for k in range(a.ndim) if k not in axes]
        moved = np.transpose(a, kept + list(axes))
        merged = moved.reshape(moved.shape[:len(kept)] + (-1,))
        gm = np.transpose(np.broadcast_to(g, np.broadcast_shapes(np.shape(g), a.shape)), kept + list(axes))
        gm = gm.reshape(gm.shape[:len(kept)] + (-1,))[..., :1]
        out = median_grad(gm, merged, -1, True).reshape(moved.shape)
        return np.transpose(out, np.argsort(kept + list(axes)))
    axis = axes[0]
    n = a.shape[axis]
    order = np.argsort(a, axis=axis, kind="stable")
    weights = np.zeros(a.shape, dtype=_grad_dtype(g, a))
    shape = list(a.shape)
    shape[axis] = 1
    middle = [n // 2] if n % 2 else [n // 2 - 1, n // 2]
    for m in middle:
        np.put_along_axis(weights, np.take(order, [m], axis=axis), 1.0 / len(middle), axis=axis)
    return weights * g


def nan_count(a, axis=None):
    """Number of non-nan entries a nan-reduction over `axis` combines (kept dims)."""
    return np.sum(~np.isnan(a), axis=None if axis is None else normalize_axis(axis, np.ndim(a)), keepdims=True)


def sinc_slope(x):
    """d sinc(x)/dx = (cos(pi x) - sinc(x)) / x, and 0 at x = 0."""
    x = np.asarray(x)
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 0.0, (np.cos(np.pi * x) - np.sinc(x)) / safe).astype(_grad_dtype(x), copy=False)


def polyval_grad_p(g, p, x):
    """Gradient of np.polyval(p, x) for the coefficients: sum of g * x**(n-1-i)."""
    n = len(p)
    powers = np.asarray(x)[..., None] ** np.arange(n - 1, -1, -1)
    out = np.sum(np.reshape(np.asarray(g) * np.ones(np.shape(x)), np.shape(x) + (1,)) * powers,
                 axis=tuple(range(np.ndim(x))))
    return list(out) if isinstance(p, list) else out.astype(_grad_dtype(g, p), copy=False)


def polyder(p):
    """Coefficients of the derivative of the polynomial p (np.polyder for arrays and lists)."""
    p = np.asarray(p)
    n = len(p)
    return p[:-1] * np.arange(n - 1, 0, -1) if n > 1 else np.zeros(1, dtype=p.dtype)


def interp_segments(x, xp):
    """The segment j (xp[j] <= x < xp[j+1], the last one closed) each x falls into, and its weight t."""
    xp = np.asarray(xp)
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 2)
    t = (np.asarray(x) - xp[j]) / (xp[j + 1] - xp[j])
    return j, t


def interp_grad_fp(g, x, xp, fp, left=None, right=None):
    """Gradient of np.interp(x, xp, fp) for the values fp: g split linearly between the segment ends."""
    x, g = np.asarray(x), np.broadcast_to(g, np.shape(x))
    out = np.zeros(np.shape(fp), dtype=_grad_dtype(g, fp))
    if len(xp) == 1:
        out[0] = np.sum(g)
        return out
    j, t = interp_segments(x, xp)
    below, above = x < xp[0], x > xp[-1]
    inside = ~(below | above)
    np.add.at(out, j[inside], (g * (1 - t))[inside])
    np.add.at(out, j[inside] + 1, (g * t)[inside])
    if left is None:
        out[0] += np.sum(g[below])
    if right is None:
        out[-1] += np.sum(g[above])
    return out


def interp_slope(x, xp, fp):
    """d np.interp(x, xp, fp)/dx: the slope of x's segment (the right-hand one at a knot), 0 outside."""
    x, xp, fp = np.asarray(x), np.asarray(xp), np.asarray(fp)
    if len(xp) == 1:
        return np.zeros(np.shape(x))
    j, _ = interp_segments(x, xp)
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    return np.where((x < xp[0]) | (x > xp[-1]), 0.0, slope)


def average_weights(a, axis=None, weights=None):
    """w / sum(w) shaped to broadcast against a (1 / n for no weights)."""
    if weights is None:
        return np.ones(np.shape(a)) / reduced_size(a, axis)
    w = np.asarray(weights)
    if w.shape != np.shape(a):
        shape = [1] * np.ndim(a)
        shape[axis % np.ndim(a)] = w.shape[0]
        w = w.reshape(shape)
    return w / np.sum(w, axis=None if axis is None else normalize_axis(axis, np.ndim(a)), keepdims=True)


def average_grad_weights(g, a, ans, axis=None, weights=None, keepdims=False):
    """Gradient of np.average for the weights: g (a - average) / sum(w), summed back to w's shape."""
    a, w = np.asarray(a), np.asarray(weights)
    axes = None if axis is None else normalize_axis(axis, a.ndim)
    wide = w if w.shape == a.shape else w.reshape([w.size if k == axes[0] else 1 for k in range(a.ndim)])
    total = np.sum(np.broadcast_to(wide, a.shape), axis=axes, keepdims=True)
    full = unreduce(g, a, axis, keepdims) * (a - keep_reduced(ans, a, axis, keepdims)) / total
    if w.shape == a.shape:
        return full
    return np.sum(full, axis=tuple(k for k in range(a.ndim) if k != axes[0]))


def cov_grad(g, m, y=None, rowvar=True, bias=False, ddof=None):
    """Gradients of np.cov(m, y) for m and y: (G + G^T) Xc / (N - ddof) for the stacked variables X
    ((G + G^H) conj(Xc) / (N - ddof) for complex ones)."""
    def rows(v):
        v = np.atleast_2d(np.asarray(v))
        return v if rowvar else v.T
    parts = [rows(m)] + ([] if y is None else [rows(y)])
    x = np.concatenate(parts, 0)
    n = x.shape[1]
    ddof = (0 if bias else 1) if ddof is None else ddof
    g = np.reshape(g, (x.shape[0], x.shape[0]))
    xc = x - x.mean(axis=1, keepdims=True)
    gx = (g + conj(g.T)) @ conj(xc) / (n - ddof)   # C = Xc Xc^H / (N - ddof) for complex variables
    pieces = np.split(gx, np.cumsum([p.shape[0] for p in parts])[:-1], 0)
    inputs = [m] if y is None else [m, y]
    return [(p if rowvar else p.T).reshape(np.shape(v)) for p, v in zip(pieces, inputs)]


def trapezoid_grad_y(g, y, x=None, dx=1.0, axis=-1):
    """Gradient of np.trapezoid for the values y: trapezoid weights along `axis`."""
    y = np.asarray(y)
    axis = axis % y.ndim
    n = y.shape[axis]
    if x is None:
        w = np.full(n, float(dx))
        w[0] = dx / 2.0
        w[-1] = dx / 2.0
        shape = [1] * y.ndim
        shape[axis] = n
        w = w.reshape(shape)
    else:
        x = np.asarray(x)
        if x.ndim == 1:
            shape = [1] * y.ndim
            shape[axis] = n
            x = x.reshape(shape)
        steps = np.diff(x, axis=axis)
        pad0 = [(0, 0)] * y.ndim
        pad1 = [(0, 0)] * y.ndim
        pad0[axis] = (1, 0)
        pad1[axis] = (0, 1)
        w = (np.pad(steps, pad0) + np.pad(steps, pad1)) / 2.0
    return np.expand_dims(g, axis) * w


def trapezoid_grad_x(g, y, x, axis=-1):
    """Gradient of np.trapezoid for the sample points x."""
    y = np.asarray(y)
    axis = axis % y.ndim
    means = (np.take(y, range(1, y.shape[axis]), axis) + np.take(y, range(0, y.shape[axis] - 1), axis)) / 2.0
    pad0 = [(0, 0)] * y.ndim
    pad1 = [(0, 0)] * y.ndim
    pad0[axis] = (1, 0)
    pad1[axis] = (0, 1)
    full = np.expand_dims(g, axis) * (np.pad(means, pad0) - np.pad(means, pad1))
    if np.ndim(x) == 1 and y.ndim > 1:
        return np.sum(full, axis=tuple(k for k in range(y.ndim) if k != axis))
    return unbroadcast(full, x)


def convolve_full(g, n, m, mode="full"):
    """The cotangent of np.convolve's full output, from the cotangent of its `mode` output."""
    if mode == "full":
        return g
    start = (min(n, m) - 1) // 2 if mode == "same" else min(n, m) - 1
    out = np.zeros(n + m - 1, dtype=_grad_dtype(g))
    out[start:start + len(g)] = g
    return out


def pad_grad(g, array, pad_width, mode="constant"):
    """Gradient of np.pad: each output slot's gradient goes back to the input element it copies
    (constant, edge, reflect, symmetric and wrap modes; the constant padding gets none)."""
    shape = np.shape(array)
    if mode not in ("constant", "edge", "reflect", "symmetric", "wrap"):
        raise ValueError(f"transgrad: np.pad gradient does not support mode={mode!r}")
    size = int(np.prod(shape))
    index = np.arange(size).reshape(shape)
    extra = {"constant_values": -1} if mode == "constant" else {}
    padded = np.pad(index, pad_width, mode=mode, **extra)
    keep = padded >= 0
    out = np.zeros(size, dtype=_grad_dtype(g, array))
    np.add.at(out, padded[keep], np.asarray(g)[keep])
    return out.reshape(shape)


def pad_constant_grad(g, array, pad_width):
    """Gradient of np.pad(..., constant_values=c) for a scalar c: the sum of g over the padding."""
    inside = np.pad(np.ones(np.shape(array), dtype=bool), pad_width)
    return np.sum(np.asarray(g)[~inside])


def repeat_grad(g, a, repeats, axis=None):
    """Gradient of np.repeat: sum the copies of each element."""
    shape = np.shape(a)
    n = int(np.prod(shape)) if axis is None else shape[axis]
    source = np.repeat(np.arange(n), repeats)
    if axis is None:
        out = np.zeros(n, dtype=_grad_dtype(g, a))
        np.add.at(out, source, np.ravel(g))
        return out.reshape(shape)
    out = np.zeros(shape, dtype=_grad_dtype(g, a))
    np.add.at(out, (slice(None),) * (axis % len(shape)) + (source,), g)
    return out


def tile_grad(g, a, reps):
    """Gradient of np.tile: sum the tiles."""
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    shape = np.shape(a)
    nd = max(len(shape), len(reps))
    shape_full = (1,) * (nd - len(shape)) + tuple(shape)
    reps = (1,) * (nd - len(reps)) + reps
    split = [s for pair in zip(reps, shape_full) for s in pair]
    return np.reshape(np.sum(np.reshape(g, split), axis=tuple(range(0, 2 * nd, 2))), shape)


def split_grad(g, ary, y, axis=0):
    """Gradient of np.split / array_split: the pieces' gradients put back together."""
    return np.concatenate(tuple_grads(g, y), axis)


def append_grad(g, arr, values, axis=None):
    """Gradients of np.append for arr and values."""
    if axis is None:
        flat = np.ravel(g)
        n = int(np.size(arr))
        return [np.reshape(flat[:n], np.shape(arr)), np.reshape(flat[n:], np.shape(values))]
    n = np.shape(arr)[axis]
    first, second = np.split(g, [n], axis)
    return [first, np.reshape(second, np.shape(values))]


def column_stack_grad(g, tup):
    """Gradient of np.column_stack: 1-d inputs are columns, 2-d inputs keep their columns."""
    widths = [1 if np.ndim(t) < 2 else np.shape(t)[1] for t in tup]
    pieces = np.split(g, np.cumsum(widths)[:-1], 1)
    return [np.reshape(p, np.shape(t)) for p, t in zip(pieces, tup)]


def dstack_grad(g, tup):
    """Gradient of np.dstack: split along the third axis of the inputs made at least 3-d."""
    widths = [np.shape(np.atleast_3d(t))[2] for t in tup]
    return [np.reshape(p, np.shape(t)) for p, t in zip(np.split(g, np.cumsum(widths)[:-1], 2), tup)]


def diagonal_grad(g, a, offset=0, axis1=0, axis2=1):
    """Gradient of np.diagonal: g written on the `offset` diagonal of axes (axis1, axis2), zeros elsewhere."""
    shape = np.shape(a)
    out = np.zeros(shape, dtype=_grad_dtype(g, a))
    view = np.moveaxis(out, (axis1 % len(shape), axis2 % len(shape)), (-2, -1))
    n = np.shape(g)[-1]
    rows = np.arange(n) + max(-offset, 0)
    view[..., rows, rows + offset] = g
    return out


def diff_grad(g, a, n=1, axis=-1):
    """Gradient of np.diff: the adjoint of the first difference, applied n times."""
    axis = axis % np.ndim(a)
    for _ in range(n):
        widths = [(0, 0)] * np.ndim(g)
        widths[axis] = (1, 1)
        padded = np.pad(g, widths)
        g = np.take(padded, range(0, padded.shape[axis] - 1), axis) - np.take(padded, range(1, padded.shape[axis]), axis)
    return g


def linspace_weights(num, endpoint=True):
    """t in linspace(start, stop, num) = start + t (stop - start)."""
    if num == 1:
        return np.zeros(1)
    return np.arange(num) / ((num - 1) if endpoint else num)


def einsum_operands(subscripts, operands):
    """Explicit subscripts for each operand and the output: ellipses become letters, implicit outputs explicit."""
    if not isinstance(subscripts, str):
        raise ValueError("transgrad: np.einsum is differentiated only with a subscripts string")
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    inputs = inputs.split(",")
    used = set(subscripts) - set(".,->")
    free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used]
    ell = max((np.ndim(op) - len(s.replace("...", "")) for s, op in zip(inputs, operands) if "..." in s), default=0)
    letters = "".join(free[:ell])
    explicit = [s.replace("...", letters[ell - (np.ndim(op) - len(s.replace("...", ""))):]) for s, op in zip(inputs, operands)]
    if not arrow:
        counts = "".join(explicit)
        output = letters + "".join(sorted(c for c in set(counts) if counts.count(c) == 1 and c not in letters))
    else:
        output = output.replace("...", letters)
    return explicit, output


def einsum_grad(g, subscripts, operands, position):
    """Gradient of np.einsum for operand `position`: an einsum of g with the other operands, summed back
    over broadcast axes, spread over labels only that operand has, put on the diagonal for repeated labels."""
    operands = [op for op in operands if op is not None]
    inputs, output = einsum_operands(subscripts, operands)
    target = inputs[position]
    x = np.asarray(operands[position])
    sizes = dict(zip(target, x.shape))
    others = [(s, op) for k, (s, op) in enumerate(zip(inputs, operands)) if k != position]
    available = set(output).union(*[set(s) for s, _ in others])
    labels = "".join(dict.fromkeys(c for c in target if c in available))
    part = np.einsum(",".join([output] + [s for s, _ in others]) + "->" + labels, g, *[op for _, op in others])
    for c in dict.fromkeys(target):
        if c not in labels:          # a label only this operand has: the gradient is constant along it
            part = np.expand_dims(part, -1)
            labels += c
    broadcast = tuple(k for k, c in enumerate(labels) if sizes[c] == 1 and part.shape[k] != 1)
    part = np.broadcast_to(np.sum(part, axis=broadcast, keepdims=True), tuple(sizes[c] for c in labels))
    if len(labels) == len(target):
        return np.transpose(part, [labels.index(c) for c in target]).astype(_grad_dtype(g, x), copy=False)
    out = np.zeros(x.shape, dtype=_grad_dtype(g, x))
    grids = np.ogrid[tuple(slice(0, sizes[c]) for c in labels)]
    out[tuple(grids[labels.index(c)] for c in target)] = part
    return out


def tensordot_subscripts(a, b, axes=2):
    """np.tensordot(a, b, axes) as einsum subscripts."""
    na, nb = np.ndim(a), np.ndim(b)
    if np.ndim(axes) == 0:
        axes = (list(range(na - axes, na)), list(range(axes)))
    ax_a, ax_b = [list(np.atleast_1d(v) % n) if np.size(v) else [] for v, n in zip(axes, (na, nb))]
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in ax_a] + [c for k, c in enumerate(sb) if k not in ax_b]
    return "".join(sa) + "," + "".join(sb) + "->" + "".join(out)


def multi_dot_grad(g, arrays):
    """Gradients of np.linalg.multi_dot for each array (1-d ends are a row and a column vector)."""
    mats = [np.asarray(m) for m in arrays]
    first_vec, last_vec = mats[0].ndim == 1, mats[-1].ndim == 1
    if first_vec:
        mats[0] = mats[0][None, :]
    if last_vec:
        mats[-1] = mats[-1][:, None]
    shape = (mats[0].shape[0], mats[-1].shape[1])
    g = np.asarray(g)
    g = g.reshape(shape) if g.size == shape[0] * shape[1] else np.broadcast_to(g, shape)   # a number: spread
    grads = []
    for k in range(len(mats)):
        left = np.linalg.multi_dot(mats[:k]) if k > 1 else (mats[0] if k == 1 else None)
        right = np.linalg.multi_dot(mats[k + 1:]) if len(mats) - k > 2 else (mats[-1] if k == len(mats) - 2 else None)
        gk = g if right is None else g @ right.T
        gk = gk if left is None else left.T @ gk
        grads.append(real_like(np.reshape(gk, np.shape(arrays[k])), arrays[k]))   # real part for a real array
    return grads


def matrix_power_grad(g, a, n):
    """Gradient of np.linalg.matrix_power(a, n): sum_k (a^T)^k g (a^T)^(n-1-k); through inv for n < 0."""
    if n == 0:
        return np.zeros(np.shape(a), dtype=_grad_dtype(g, a))
    if n < 0:
        b = np.linalg.inv(a)
        gb = matrix_power_grad(g, b, -n)
        bt = np.swapaxes(b, -1, -2)
        return -np.matmul(bt, np.matmul(gb, bt))
    at = np.swapaxes(a, -1, -2)
    powers = [np.broadcast_to(np.eye(np.shape(a)[-1]), np.shape(a))]
    for _ in range(n - 1):
        powers.append(np.matmul(powers[-1], at))
    return sum(np.matmul(powers[k], np.matmul(g, powers[n - 1 - k])) for k in range(n))


def _sym_tri(s, lower=True):
    """The gradient of a function that reads one triangle of its symmetric argument, from the
    unconstrained gradient s: that triangle of s + s^T, with the diagonal counted once."""
    both = s + np.swapaxes(s, -1, -2)
    tri = np.tril(both) if lower else np.triu(both)
    return tri - np.eye(np.shape(s)[-1]) * np.diagonal(s, 0, -2, -1)[..., None, :]


def cholesky_grad(g, L, upper=False):
    """Gradient of np.linalg.cholesky, which reads only the lower (upper=True: upper) triangle:
    S = L^-T Phi(L^T G) L^-1 (Murray 2016), returned on that triangle."""
    real_only("np.linalg.cholesky", L, _COMPLEX_FACTORIZATION)
    if upper:
        L, g = np.swapaxes(L, -1, -2), np.swapaxes(g, -1, -2)
    phi = np.tril(np.matmul(np.swapaxes(L, -1, -2), g))
    phi = phi - 0.5 * np.eye(np.shape(L)[-1]) * np.diagonal(phi, 0, -2, -1)[..., None, :]
    eye = np.broadcast_to(np.eye(np.shape(L)[-1]), np.shape(L))
    linv = np.linalg.solve(L, eye)
    s = np.matmul(np.swapaxes(linv, -1, -2), np.matmul(phi, linv))
    s = (s + np.swapaxes(s, -1, -2)) / 2
    out = _sym_tri(s, lower=True)
    return np.swapaxes(out, -1, -2) if upper else out


def det_grad(g, a, ans):
    """Gradient of np.linalg.det: g times the cofactor matrix, det(a) inv(a)^T; for a singular a the
    cofactor matrix from an SVD (finite and exact, like JAX and PyTorch)."""
    a = np.asarray(a)
    g = np.expand_dims(g, (-2, -1))
    if np.all(ans != 0):
        try:
            return g * np.expand_dims(ans, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)
        except np.linalg.LinAlgError:
            pass
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, k, axis=-1), axis=-1) for k in range(n)], -1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    cof = np.expand_dims(sign, (-2, -1)) * np.matmul(u * others[..., None, :], vh)
    return g * cof


def _warn_if_tied(distinct, vector_grad, name, values, vectors):
    """Repeated values make the vectors' part of the gradient undetermined: transgrad drops the tied
    pairs (exact when the loss leaves the basis of each such subspace free, a projector onto it say,
    and not otherwise), and says so."""
    n = distinct.shape[-1]
    if np.all(distinct | np.eye(n, dtype=bool)) or not np.any(vector_grad):
        return
    warnings.warn(f"transgrad: {name} has repeated {values}; the gradient through its {vectors} leaves out "
                  f"the tied pairs, which is exact only if the loss does not depend on the choice of {vectors} "
                  "within each repeated subspace", RuntimeWarning, stacklevel=3)


def eigh_grad(g, a, ans, UPLO="L", vectors=True):
    """Gradient of np.linalg.eigh / eigvalsh. Repeated eigenvalues: the eigenvector part ignores pairs
    with equal eigenvalues (F_ij = 0), exact when the loss does not depend on the basis chosen in an
    eigenspace. The result lives on the triangle numpy reads (UPLO)."""
    real_only("np.linalg.eigh / eigvalsh", a, _COMPLEX_FACTORIZATION)
    if vectors:
        w, v = ans
        gw, gv = output_grad(g, ans, 0), output_grad(g, ans, 1)
    else:
        w, v = np.linalg.eigh(a, UPLO)
        gw, gv = g, None
    vt = np.swapaxes(v, -1, -2)
    s = np.matmul(v * np.expand_dims(gw, -2), vt)
    if gv is not None:
        gap = w[..., None, :] - w[..., :, None]
        scale = np.max(np.abs(w), axis=-1, keepdims=True)[..., None] + 1.0
        distinct = np.abs(gap) > 1e-10 * scale
        f = np.where(distinct, 1.0 / np.where(gap == 0, 1.0, gap), 0.0)
        _warn_if_tied(distinct, gv, "np.linalg.eigh", "eigenvalues", "eigenvectors")
        s = s + np.matmul(v, np.matmul(f * np.matmul(vt, gv), vt))
    return _sym_tri(s, lower=UPLO.upper() == "L")


def slogdet_grad(g, a, ans):
    """Gradient of np.linalg.slogdet for the log-determinant: g inv(a)^T (the sign is a constant)."""
    if np.iscomplexobj(a) and np.any(output_grad(g, ans, 0) != 0):
        real_only("the sign of np.linalg.slogdet", a, "the sign of a complex determinant varies and its "
                  "gradient is not written; differentiate np.linalg.det instead")
    glog = output_grad(g, ans, 1)
    return np.expand_dims(glog, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


def svd_grad(g, a, ans, full_matrices=True, compute_uv=True):
    """Gradient of np.linalg.svd (Townsend 2016). Repeated singular values: pairs with equal values are
    left out of the singular-vector part (F_ij = 0). full_matrices=True is accepted only for square inputs."""
    a = np.asarray(a)
    real_only("np.linalg.svd", a, _COMPLEX_FACTORIZATION)
    if not compute_uv:
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        return np.matmul(u * np.expand_dims(g, -2), vh)
    u, s, vh = ans
    m, n = a.shape[-2:]
    k = min(m, n)
    if full_matrices and m != n:
        raise ValueError("transgrad: the gradient of np.linalg.svd needs full_matrices=False for a non-square matrix")
    gu, gs, gvh = output_grad(g, ans, 0), output_grad(g, ans, 1), output_grad(g, ans, 2)
    v, gv = np.swapaxes(vh, -1, -2), np.swapaxes(gvh, -1, -2)
    ut, vt = np.swapaxes(u, -1, -2), vh
    gap = s[..., None, :] ** 2 - s[..., :, None] ** 2
    distinct = np.abs(gap) > 1e-12 * (np.max(s, -1, keepdims=True)[..., None] ** 2 + 1)
    f = np.where(distinct, 1.0 / np.where(gap == 0, 1, gap), 0.0)
    _warn_if_tied(distinct, gu if np.any(gu) else gv, "np.linalg.svd", "singular values", "singular vectors")
    utgu, vtgv = np.matmul(ut, gu), np.matmul(vt, gv)
    inner = (f * (utgu - np.swapaxes(utgu, -1, -2))) * s[..., None, :] \
        + np.eye(k) * gs[..., :, None] + s[..., :, None] * (f * (vtgv - np.swapaxes(vtgv, -1, -2)))
    out = np.matmul(u, np.matmul(inner, vt))
    sinv = np.where(s == 0, 0.0, 1.0 / np.where(s == 0, 1, s))
    if m > k:
        out = out + np.matmul(gu - np.matmul(u, utgu), np.swapaxes(v * sinv[..., None, :], -1, -2))
    if n > k:
        out = out + np.matmul(u * sinv[..., None, :], np.swapaxes(gv, -1, -2) - np.matmul(np.swapaxes(vtgv, -1, -2), vt))
    return out


def qr_grad(g, a, ans):
    """Gradient of np.linalg.qr (reduced, m >= n): (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q."""
    real_only("np.linalg.qr", a, _COMPLEX_FACTORIZATION)
    q, r = ans
    if np.shape(a)[-2] < np.shape(a)[-1]:
        raise ValueError("transgrad: the gradient of np.linalg.qr needs a matrix with at least as many rows as columns")
    gq, gr = output_grad(g, ans, 0), output_grad(g, ans, 1)
    m = np.matmul(r, np.swapaxes(gr, -1, -2)) - np.matmul(np.swapaxes(gq, -1, -2), q)
    copyltu = np.tril(m) + np.swapaxes(np.tril(m, -1), -1, -2)
    b = gq + np.matmul(q, copyltu)
    return np.swapaxes(np.linalg.solve(r, np.swapaxes(b, -1, -2)), -1, -2)


def pinv_grad(g, a, x):
    """Gradient of np.linalg.pinv (constant rank): -X^T G X^T + (I - A X)^T... in Golub-Pereyra form."""
    a, x = np.asarray(a), np.asarray(x)
    T = lambda m: np.swapaxes(m, -1, -2)  # noqa: E731
    eye_m, eye_n = np.eye(a.shape[-2]), np.eye(a.shape[-1])
    return (-np.matmul(T(x), np.matmul(g, T(x)))
            + np.matmul(eye_m - np.matmul(a, x), np.matmul(T(g), np.matmul(x, T(x))))
            + np.matmul(np.matmul(T(x), x), np.matmul(T(g), eye_n - np.matmul(x, a))))


def lstsq_grads(g, a, b, ans):
    """Gradients of np.linalg.lstsq (through the solution x = pinv(a) b and the residuals)."""
    x = ans[0]
    gx = output_grad(g, ans, 0)
    gres = output_grad(g, ans, 1)
    pinv = np.linalg.pinv(a)
    vec = np.ndim(b) == 1
    bb, xx, gxx = (np.asarray(v)[:, None] if vec else np.asarray(v) for v in (b, x, gx))
    ga = pinv_grad(np.matmul(gxx, bb.T), a, pinv)
    gb = np.matmul(pinv.T, gxx)
    if np.size(gres) and np.any(gres != 0):
        r = np.matmul(a, xx) - bb          # d ||r||^2 = 2 r^T (dA x - db), x optimal
        gr = 2 * r * np.reshape(gres, (1, -1))
        ga = ga + np.matmul(gr, xx.T)
        gb = gb - gr
    gsv = output_grad(g, ans, 3)
    if np.any(gsv != 0):
        ga = ga + svd_grad(gsv, a, None, False, False)
    return [ga, gb[:, 0] if vec else gb]


def expm_grad(g, a):
    """Gradient of scipy.linalg.expm: the upper-right block of expm([[A^T, G], [0, A^T]])."""
    n = np.shape(a)[-1]
    big = np.zeros((2 * n, 2 * n), dtype=np.result_type(a, g))
    big[:n, :n] = np.transpose(a)
    big[n:, n:] = np.transpose(a)
    big[:n, n:] = g
    return scipy_linalg.expm(big)[:n, n:]


def solve_triangular_grads(g, a, b, x, trans=0, lower=False, unit_diagonal=False):
    """Gradients of scipy.linalg.solve_triangular for a (on the triangle it reads) and b."""
    transposed = trans in (1, 2, "T", "C")
    gb = scipy_linalg.solve_triangular(a, g, trans=0 if transposed else 1, lower=lower, unit_diagonal=unit_diagonal)
    gb2, x2 = (np.asarray(gb)[:, None], np.asarray(x)[:, None]) if np.ndim(b) == 1 else (gb, x)
    ga = -(np.matmul(x2, gb2.T) if transposed else np.matmul(gb2, x2.T))
    ga = np.tril(ga, -1 if unit_diagonal else 0) if lower else np.triu(ga, 1 if unit_diagonal else 0)
    return [ga, gb]


def fft_grad(g, a, n=None, axis=-1, norm=None, inverse=False):
    """Gradient of np.fft.fft / ifft: the transposed transform (the DFT matrix is symmetric) of the
    cotangent, cut or zero-padded back to the input's length; real for a real input."""
    transform = np.fft.ifft if inverse else np.fft.fft
    out = transform(g, axis=axis, norm=norm)
    return real_like(_fit(out, np.shape(a)[axis], axis), a)


def _fit(x, length, axis):
    """x cut or zero-padded to `length` along `axis`."""
    have = np.shape(x)[axis]
    if have >= length:
        return np.take(x, range(length), axis)
    widths = [(0, 0)] * np.ndim(x)
    widths[axis] = (0, length - have)
    return np.pad(x, widths)


def rfft_grad(g, a, n=None, axis=-1, norm=None):
    """Gradient of np.fft.rfft for a real input: Re(fft(g zero-padded to the full spectrum))."""
    size = np.shape(a)[axis] if n is None else n
    full = _fit(g, size, axis)
    return np.real(_fit(np.fft.fft(full, axis=axis, norm=norm), np.shape(a)[axis], axis))


def irfft_grad(g, a, n=None, axis=-1, norm=None):
    """Gradient of np.fft.irfft (JAX/autograd convention for the complex input): conj(rfft(g)) weighted
    by 1 for the zero and Nyquist bins and 2 for the others (they stand for a conjugate pair), scaled
    like the inverse transform."""
    return real_like(_irfft_last_grad(np.asarray(g), np.shape(a)[axis], axis, norm), a)


def digamma(x):
    """The digamma function (scipy.special.digamma when scipy is installed; a series otherwise)."""
    try:
        from scipy.special import digamma as scipy_digamma
        return scipy_digamma(x)
    except ImportError:  # pragma: no cover - scipy is a test dependency
        x = np.asarray(x, dtype=float)
        shift = np.zeros_like(x)
        while np.any(x < 6):
            shift = shift - np.where(x < 6, 1.0 / x, 0.0)
            x = np.where(x < 6, x + 1, x)
        inv2 = 1.0 / (x * x)
        return shift + np.log(x) - 0.5 / x - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 / 252))


def angle_grad(g, z, deg=False):
    """Gradient of np.angle: -1j Re(g) / z for a complex z (0 at z = 0); 0 for a real z."""
    scale = 180 / np.pi if deg else 1.0
    if not np.iscomplexobj(z):
        return np.zeros_like(np.real(g))
    z = np.asarray(z)
    return np.where(z == 0, 0, -1j * scale * np.real(g) / np.where(z == 0, 1, z))


def angle_grad_transpose(w, g, z, deg=False):
    """The transpose of g -> angle_grad(g, z, deg): Im(w / z) (scaled; 0 at z = 0); 0 for a real z."""
    if not np.iscomplexobj(z):
        return np.zeros(np.shape(g), dtype=_grad_dtype(g))
    return np.imag(masked_div(w, z)) * (180 / np.pi if deg else 1.0)


def kron_grads(g, a, b):
    """Gradients of np.kron for 1-d or 2-d operands of the same rank."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim == 1:
        blocks = np.reshape(g, (a.shape[0], b.shape[0]))
        return [blocks @ b, a @ blocks]
    blocks = np.reshape(g, (a.shape[0], b.shape[0], a.shape[1], b.shape[1]))
    return [np.einsum("acbd,cd->ab", blocks, b), np.einsum("acbd,ab->cd", blocks, a)]


def meshgrid_grad(g, ans, position, indexing="xy"):
    """Gradient of np.meshgrid for input `position`: its grid's gradient summed over the other axes."""
    part = output_grad(g, ans, position)
    axis = position
    if indexing == "xy" and len(ans) > 1 and position < 2:
        axis = 1 - position
    return np.sum(part, axis=tuple(k for k in range(np.ndim(part)) if k != axis))


def rollaxis_destination(a, axis, start=0):
    """Where np.rollaxis(a, axis, start) puts `axis`."""
    n = np.ndim(a)
    axis, start = axis % n, start % (n + 1) if start < 0 else start
    return start - 1 if axis < start else start


def fftn_grad(g, a, s=None, axes=None, norm=None, inverse=False):
    """Gradient of np.fft.fftn / ifftn: the same transform of g, cut or padded back to a's shape."""
    axes = tuple(range(np.ndim(g))) if axes is None else tuple(axes)
    if inverse:
        out = np.fft.ifftn(g, axes=axes, norm=norm)
    else:
        out = np.fft.fftn(g, axes=axes, norm=norm)
    for axis in axes:
        out = _fit(out, np.shape(a)[axis], axis)
    return out


def block_diag_grads(g, blocks):
    """Gradients of scipy.linalg.block_diag for each block (the diagonal blocks of g)."""
    grads, row, col = [], 0, 0
    for block in blocks:
        if block is None:
            grads.append(None)
            continue
        rows, cols = np.shape(np.atleast_2d(block))
        grads.append(np.reshape(g[row:row + rows, col:col + cols], np.shape(block)))
        row, col = row + rows, col + cols
    return grads


def sequence_prod_grad(g, items, start=1):
    """Gradient of math.prod(items): g times the product of the other items (exact with zeros)."""
    items = list(items)
    return [g * start * float(np.prod(items[:k] + items[k + 1:])) for k in range(len(items))]


def dist_grad(g, p, q, ans):
    """Gradient of math.dist(p, q) for p: g (p - q) / dist, and 0 when the points coincide."""
    return [0.0 * g if ans == 0 else g * (a - b) / ans for a, b in zip(p, q)]


def vector_norm_grad(g, x, ans, ord=2, axis=None, keepdims=False):
    """Gradient of np.linalg.vector_norm (axis=None flattens, unlike np.linalg.norm)."""
    if axis is None:
        return np.reshape(norm_grad(g, np.ravel(x), ans, ord, None, False), np.shape(x))
    return norm_grad(g, x, ans, ord, axis, keepdims)


# ----- helpers for the rules added to raise tier-3 coverage (quantiles, selection, pieces, linalg,
# fft, scipy.linalg and scipy.stats). Appended section: nothing above depends on it. -----


def _cast_like(g, x):
    """g in the floating dtype of x (float32 stays float32; a Python float gives a Python float)."""
    if isinstance(x, (list, tuple)) or g is None:
        return g
    if type(x) is float:
        return float(np.real(g))
    dtype = np.asarray(x).dtype
    g = np.asarray(g)
    if np.issubdtype(dtype, np.inexact) and g.dtype != dtype and not (np.iscomplexobj(g) and not
                                                                       np.issubdtype(dtype, np.complexfloating)):
        g = g.astype(dtype)
    return g


def quantile_grads(g, a, q, axis=None, keepdims=False, scale=1.0, nan=False, method="linear"):
    """Gradients of np.quantile (scale=1) / np.percentile (scale=1/100) and their nan- variants with
    method='linear': the result is (1 - t) s[lo] + t s[hi] for the sorted values s at the virtual index
    q (n - 1). `a` gets (1 - t) g and t g at the positions of s[lo] and s[hi] (ties resolved like a
    stable sort); q gets g (s[hi] - s[lo]) (n - 1) scale. nan entries (nan=True) get 0. Returns [ga, gq]."""
    if method != "linear":
        raise ValueError(f"transgrad: the gradient of quantiles supports method='linear' only, not {method!r}")
    a, qa = np.asarray(a), np.asarray(q, dtype=float)
    dtype = _grad_dtype(g, a)
    axes = normalize_axis(axis, a.ndim)
    kept = [k for k in range(a.ndim) if k not in axes]
    moved = np.transpose(a, kept + list(axes))
    lead = moved.shape[:len(kept)]
    flat = moved.reshape(lead + (-1,))
    n = flat.shape[-1]
    fractions = qa.reshape((-1,) + (1,) * len(lead)) * scale
    gq = np.reshape(np.asarray(g), (fractions.shape[0],) + lead)
    order = np.argsort(flat, axis=-1, kind="stable")          # nan sorts last
    ordered = np.take_along_axis(flat, order, -1)
    count = np.sum(~np.isnan(flat), -1) if nan else np.full(lead, n)
    virtual = fractions * np.maximum(count - 1, 0)
    lo = np.clip(np.floor(virtual), 0, max(n - 1, 0)).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    t = virtual - lo
    valid = count > 0
    gq_weighted = np.where(valid, gq, 0)
    sorted_grad = np.zeros(lead + (n,), dtype=dtype)
    slots = np.arange(n)
    for k in range(fractions.shape[0]):   # (1 - t) g to slot lo and t g to slot hi of the sorted values
        sorted_grad = sorted_grad + (slots == lo[k][..., None]) * (gq_weighted[k] * (1 - t[k]))[..., None] \
            + (slots == hi[k][..., None]) * (gq_weighted[k] * t[k])[..., None]
    out = np.take_along_axis(sorted_grad, np.argsort(order, axis=-1), -1)   # back to the unsorted positions
    ga = np.transpose(out.reshape(moved.shape), np.argsort(kept + list(axes)))
    tops = np.stack([np.take_along_axis(ordered, hi[k][..., None], -1)[..., 0] for k in range(fractions.shape[0])])
    bottoms = np.stack([np.take_along_axis(ordered, lo[k][..., None], -1)[..., 0] for k in range(fractions.shape[0])])
    slope = np.where(valid, (tops - bottoms) * np.maximum(count - 1, 0) * scale, 0.0)
    gradient_q = np.sum(np.reshape(gq_weighted * slope, (fractions.shape[0], -1)), -1).reshape(qa.shape)
    return [_cast_like(ga, a), _cast_like(gradient_q, q)]


def nanvar_grad(g, a, axis=None, ddof=0, keepdims=False):
    """Gradient of np.nanvar: 2 g conj(a - nanmean) / (count - ddof) at the non-nan entries, 0 at nan."""
    a = np.asarray(a)
    count = nan_count(a, axis)
    centred = conj(a - np.nanmean(a, axis=None if axis is None else normalize_axis(axis, a.ndim), keepdims=True))
    out = np.where(np.isnan(a), 0.0, unreduce(np.real(g), a, axis, keepdims) * 2.0 * centred / (count - ddof))
    return out.astype(_grad_dtype(g, a), copy=False)


def select_grads(g, condlist, choicelist):
    """Gradients of np.select for each choice: g where its condition is the first true one."""
    taken = np.zeros(np.shape(g), dtype=bool)
    grads = []
    for condition, choice in zip(condlist, choicelist):
        mask = np.broadcast_to(condition, np.shape(g)) & ~taken
        taken = taken | mask
        grads.append(_cast_like(unbroadcast(np.where(mask, g, 0.0), choice), choice))
    return grads


def select_default_grad(g, condlist, default):
    """Gradient of np.select for `default`: g where no condition holds."""
    none = _none_selected(condlist, g)
    return _cast_like(unbroadcast(np.where(np.broadcast_to(none, np.shape(g)), g, 0.0), default), default)


def _none_selected(condlist, g):
    """Where no condition of np.select holds (a boolean mask shaped like g)."""
    if not len(condlist):
        return np.ones(np.shape(g), dtype=bool)
    return ~np.any(np.broadcast_arrays(*[np.asarray(c) for c in condlist], np.asarray(g, dtype=float))[:-1], axis=0)


def choose_grad(g, a, choices, mode="raise"):
    """Gradient of np.choose(a, choices): choice k gets g where the (wrapped or clipped) index is k."""
    index = np.asarray(a)
    count = len(choices)
    if mode == "wrap":
        index = index % count
    elif mode == "clip":
        index = np.clip(index, 0, count - 1)
    grads = [_cast_like(unbroadcast(np.where(np.broadcast_to(index == k, np.shape(g)), g, 0.0), choice), choice)
             for k, choice in enumerate(choices)]
    if isinstance(choices, np.ndarray):
        return np.stack(grads) if grads else np.zeros_like(choices, dtype=_grad_dtype(choices))
    return grads


def _positions(make, *shapes):
    """Run an index-moving function on integer labels to see where each element goes: make(*labels)
    with labels 0..n-1 for the first shape and -1, -2, ... for the second."""
    first = np.arange(int(np.prod(shapes[0])), dtype=np.intp).reshape(shapes[0])
    if len(shapes) == 1:
        return make(first)
    second = -1 - np.arange(int(np.prod(shapes[1])), dtype=np.intp).reshape(shapes[1])
    return make(first, second)


def _gather_back(g, labels, size, offset=0, sign=1):
    """Sum g over the slots whose label (sign * label - offset) is 0..size-1: each element's gradient."""
    labels = np.ravel(sign * np.asarray(labels) - offset)
    g = np.ravel(np.broadcast_to(g, np.shape(g)))
    mask = (labels >= 0) & (labels < size)
    if np.iscomplexobj(g):
        return (np.bincount(labels[mask], np.real(g[mask]), size)
                + 1j * np.bincount(labels[mask], np.imag(g[mask]), size))
    return np.bincount(labels[mask], g[mask], size)


def delete_grad(g, arr, obj, axis=None):
    """Gradient of np.delete: each kept element gets the gradient of the slot it moved to."""
    labels = _positions(lambda first: np.delete(first, obj, axis), np.shape(arr))
    return _cast_like(_gather_back(g, labels, int(np.size(arr))).reshape(np.shape(arr)), arr)


def insert_grads(g, arr, obj, values, axis=None):
    """Gradients of np.insert for arr and values: each element (values after numpy's broadcasting,
    summed back) gets the gradient of the slots it landed in. Returns [garr, gvalues]."""
    labels = _positions(lambda first, second: np.insert(first, obj, second, axis), np.shape(arr), np.shape(values))
    garr = _gather_back(g, labels, int(np.size(arr))).reshape(np.shape(arr))
    gvalues = _gather_back(g, labels, int(np.size(values)), 1, -1).reshape(np.shape(values))
    return [_cast_like(garr, arr), _cast_like(gvalues, values)]


def resize_grad(g, a, new_shape):
    """Gradient of np.resize: every copy of an element (the array repeats cyclically) adds its gradient."""
    labels = _positions(lambda first: np.resize(first, new_shape), np.shape(a))
    return _cast_like(_gather_back(g, labels, int(np.size(a))).reshape(np.shape(a)), a)


def partition_grad(g, a, y, axis=-1):
    """Gradient of np.partition: each element gets the gradient of the slot it landed in, found by
    matching sorted values of input and result (equal values, a tie, are matched in stable order)."""
    if axis is None:
        return partition_grad(np.ravel(g), np.ravel(a), y, 0).reshape(np.shape(a))
    source = np.argsort(a, axis=axis, kind="stable")
    target = np.argsort(y, axis=axis, kind="stable")
    # out[source] = g[target] along the axis, as a gather by the inverse permutation of source
    moved = np.take_along_axis(np.asarray(g), target, axis)
    return np.take_along_axis(moved, np.argsort(source, axis=axis), axis).astype(_grad_dtype(g, a), copy=False)


def unstack_grad(g, x, y, axis=0):
    """Gradient of np.unstack: the items' gradients stacked back along `axis` (zeros where none)."""
    return _cast_like(np.stack(tuple_grads(g, y), axis=axis), x)


def _block_leaves(arrays, out):
    if isinstance(arrays, list):
        for item in arrays:
            _block_leaves(item, out)
    else:
        out.append(arrays)
    return out


def block_grad(g, arrays):
    """Gradient of np.block: a nested list like `arrays`, each block getting its slots' gradient."""
    leaves = _block_leaves(arrays, [])
    offsets = np.cumsum([0] + [int(np.size(leaf)) for leaf in leaves])
    numbers = _block_numbers(arrays, [0])
    labels = np.block(_block_labels(arrays, numbers, offsets))
    return _block_rebuild(g, labels, arrays, numbers, offsets)


def _block_numbers(node, next_number):
    """`node`'s nested list structure with each block replaced by its position among the blocks."""
    if isinstance(node, list):
        return [_block_numbers(item, next_number) for item in node]
    next_number[0] += 1
    return next_number[0] - 1


def _block_labels(node, numbers, offsets):
    """Each block's elements numbered by their position in np.block's flattened input (constants)."""
    if isinstance(node, list):
        return [_block_labels(item, k, offsets) for item, k in zip(node, numbers)]
    return offsets[numbers] + np.arange(int(np.size(node)), dtype=np.intp).reshape(np.shape(node))


def _block_rebuild(g, labels, node, numbers, offsets):
    """The gradient of each block of `node`: g gathered back from the slots its elements landed in."""
    if isinstance(node, list):
        return [_block_rebuild(g, labels, item, k, offsets) for item, k in zip(node, numbers)]
    part = _gather_back(g, labels, int(np.size(node)), offsets[numbers]).reshape(np.shape(node))
    return _cast_like(part, node)

def _gradient_matrix(n, spacing, edge_order):
    """np.gradient as a matrix on length-n vectors with this spacing ([] for the default 1): a constant."""
    return np.gradient(np.eye(n), *spacing, axis=0, edge_order=edge_order)


def gradient_grad(g, f, y, varargs=(), axis=None, edge_order=1):
    """Gradient of np.gradient for f (linear in f): along each axis the transposed difference matrix
    (np.gradient of the identity) applied to that axis's output gradient. The spacings are constants."""
    f = np.asarray(f)
    axes = tuple(range(f.ndim)) if axis is None else normalize_axis(axis, f.ndim)
    if isinstance(axis, int):
        axes = (axis % f.ndim,)
    grads = [g] if not isinstance(y, (tuple, list)) else tuple_grads(g, y)
    varargs = [v for v in varargs if v is not None]
    spacings = list(varargs) if len(varargs) != 1 else list(varargs) * len(axes)
    out = np.zeros(f.shape, dtype=_grad_dtype(g, f))
    for k, ax in enumerate(axes):
        n = f.shape[ax]
        matrix = _gradient_matrix(n, spacings[k:k + 1], edge_order)
        out = out + np.moveaxis(np.tensordot(matrix.T, np.moveaxis(np.asarray(grads[k]), ax, 0), axes=1), 0, ax)
    return _cast_like(out, f)


def corrcoef_grad(g, x, ans, y=None, rowvar=True):
    """Gradient of np.corrcoef through cov: R = C / (s s^T) with s = sqrt(diag C)."""
    real_only("np.corrcoef", x, "its gradient is written for real variables only (numpy clips a complex "
              "correlation's real and imaginary parts)")
    if y is not None:
        real_only("np.corrcoef", y, "its gradient is written for real variables only")
    c = np.cov(x, y, rowvar=rowvar)
    if np.ndim(c) == 0:
        return [np.zeros(np.shape(x), dtype=_grad_dtype(x)), None if y is None else np.zeros(np.shape(y), dtype=_grad_dtype(y))]
    s = np.sqrt(np.diag(c))
    r = np.asarray(ans)
    gc = np.asarray(g) / np.outer(s, s)
    gs = -(np.sum(g * r, 1) + np.sum(g * r, 0)) / s
    gc = gc + np.diag(gs / (2 * s))
    grads = cov_grad(gc, x, y, rowvar, False, None)
    gx, gy = grads[0], (grads[1] if len(grads) > 1 else None)
    return [_cast_like(gx, x), _cast_like(gy, y)]


def cond_grad(g, x, p=None):
    """Gradient of np.linalg.cond for p = None/2 (s_max / s_min) and -2 (s_min / s_max), through the
    outer singular vectors; other norms raise ValueError."""
    if p not in (None, 2, -2):
        raise ValueError(f"transgrad: the gradient of np.linalg.cond supports p=None, 2 and -2, not {p!r}")
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    big = u[..., :, :1] * vh[..., :1, :]
    small = u[..., :, -1:] * vh[..., -1:, :]
    s1, sn = s[..., :1, None], s[..., -1:, None]
    if p == -2:
        s1, sn, big, small = sn, s1, small, big
    out = np.expand_dims(g, (-2, -1)) * (big / sn - s1 / sn ** 2 * small)
    return _cast_like(out, x)


def eig_grad(g, a, ans, vectors=True):
    """Gradient of np.linalg.eig / eigvals (JAX/autograd complex convention, real part for a real a):
    with P = V^-1 dA V, dw = diag(P) and dV = V (F o P) + V diag(c), c fixed by numpy's normalization of
    each eigenvector (unit norm, largest-magnitude component real), as JAX's eig with
    enable_eigvec_derivs=True. Repeated eigenvalues are singular."""
    a = np.asarray(a)
    if vectors:
        w, v = ans
        gw, gv = output_grad(g, ans, 0), output_grad(g, ans, 1)
    else:
        w, v = np.linalg.eig(a)
        gw, gv = g, None
    vt = np.swapaxes(v, -1, -2)
    gp = np.zeros(np.shape(v), dtype=np.result_type(v, complex)) + np.expand_dims(gw, -1) * np.eye(v.shape[-1])
    if gv is not None:
        # numpy (LAPACK geev) scales each eigenvector to unit norm with its largest-magnitude component
        # real: dv_j = u_j + c_j v_j, c_j = -Re(v_j^H u_j) - i Im(u_kj) / v_kj; this is c's adjoint
        s = np.sum(gv * v, axis=-2, keepdims=True)
        largest = np.argmax(np.abs(v), axis=-2)[..., None, :]
        mask = np.arange(v.shape[-2])[:, None] == largest
        pivot = np.real(np.take_along_axis(v, largest, -2))
        gv = gv - np.conj(v) * np.real(s) - 1j * mask * np.imag(s) / pivot
        gap = w[..., None, :] - w[..., :, None]
        f = np.where(np.eye(v.shape[-1], dtype=bool), 0.0, 1.0 / np.where(gap == 0, 1.0, gap))
        gp = gp + f * np.matmul(vt, gv)
    vinv_t = np.swapaxes(np.linalg.inv(v), -1, -2)
    out = np.matmul(vinv_t, np.matmul(gp, vt))
    return _cast_like(real_like(out, a), a)


def tensorinv_grad(g, a, ans, ind=2):
    """Gradient of np.linalg.tensorinv: -Y^T G Y^T on the matricized inverse Y, reshaped back."""
    rows = int(np.prod(np.shape(a)[:ind]))
    ym = np.reshape(ans, (-1, rows))
    gm = np.reshape(g, ym.shape)
    out = -np.matmul(ym.T, np.matmul(gm, ym.T))
    return _cast_like(np.reshape(out, np.shape(a)), a)


def tensorsolve_grads(g, a, b, x):
    """Gradients of np.linalg.tensorsolve(a, b) (axes=None): on the matricized system A x = b,
    gb = A^-T gx and gA = -gb x^T. Returns [ga, gb]."""
    am = np.reshape(a, (int(np.size(b)), int(np.size(x))))
    gb = np.linalg.solve(am.T, np.ravel(g))
    ga = -np.outer(gb, np.ravel(x))
    return [_cast_like(np.reshape(ga, np.shape(a)), a), _cast_like(np.reshape(gb, np.shape(b)), b)]


def _fft_axes(a, s, axes, default_axes=None):
    """The axes of an n-dimensional transform, as numpy fills them in ("last two": rfft2's default)."""
    if isinstance(axes, str):
        axes = (-2, -1)
    if axes is None:
        axes = default_axes if default_axes is not None else (
            tuple(range(np.ndim(a))) if s is None else tuple(range(-len(s), 0)))
    axes = tuple(ax % np.ndim(a) for ax in axes)
    return axes


def rfftn_grad(g, a, s=None, axes=None, norm=None, default_axes=None):
    """Gradient of np.fft.rfftn / rfft2 for a real input: Re(fftn(g zero-padded to the full last
    axis)), cut or padded back to a's shape (the DFT matrix is symmetric)."""
    axes = _fft_axes(a, s, axes, default_axes)
    sizes = [np.shape(a)[ax] for ax in axes] if s is None else list(s)
    full = _fit(np.asarray(g), sizes[-1], axes[-1])
    out = np.fft.fftn(full, s=sizes, axes=axes, norm=norm)
    for ax in axes:
        out = _fit(out, np.shape(a)[ax], ax)
    return _cast_like(np.real(out), a)


def _irfft_last_grad(g, length, axis, norm):
    """The cotangent of irfft's complex input (JAX convention) from the gradient g of its real output:
    conj(rfft(g)) weighted 1 at the zero and Nyquist bins, 2 elsewhere, scaled like the inverse."""
    size = np.shape(g)[axis]
    spec = np.conj(np.fft.rfft(np.real(g), axis=axis))   # the output is real: Re(g) is its cotangent
    weights = np.full(spec.shape[axis], 2.0)
    weights[0] = 1.0
    if size % 2 == 0:
        weights[-1] = 1.0
    shape = [1] * np.ndim(spec)
    shape[axis] = len(weights)
    scale = {None: 1.0 / size, "backward": 1.0 / size, "ortho": 1.0 / np.sqrt(size), "forward": 1.0}[norm]
    return _fit(spec * weights.reshape(shape) * scale, length, axis)


def irfftn_grad(g, a, s=None, axes=None, norm=None, default_axes=None):
    """Gradient of np.fft.irfftn / irfft2: irfft's adjoint along the last axis (see np.fft.irfft's
    convention), then the inverse transform (its own transpose) along the others."""
    axes = _fft_axes(a, s, axes, default_axes)
    last = axes[-1]
    out = _irfft_last_grad(np.asarray(g), np.shape(a)[last], last, norm)
    if len(axes) > 1:
        sizes = [np.shape(g)[ax] for ax in axes[:-1]]
        out = np.fft.ifftn(out, s=sizes, axes=axes[:-1], norm=norm)
        for ax in axes[:-1]:
            out = _fit(out, np.shape(a)[ax], ax)
    return _cast_like(real_like(out, a), a)


_SWAP_NORM = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def hfft_grad(g, a, n=None, axis=-1, norm=None):
    """Gradient of np.fft.hfft(a) = irfft(conj(a), norm swapped): the conjugate of irfft's adjoint."""
    axis = axis % np.ndim(a)
    out = np.conj(_irfft_last_grad(np.asarray(g), np.shape(a)[axis], axis, _SWAP_NORM[norm]))
    return _cast_like(real_like(out, a), a)


def ihfft_grad(g, a, n=None, axis=-1, norm=None):
    """Gradient of np.fft.ihfft(a) = conj(rfft(a, norm swapped)) for a real input."""
    axis = axis % np.ndim(a)
    size = np.shape(a)[axis] if n is None else n
    full = _fit(np.conj(np.asarray(g)), size, axis)
    out = np.real(_fit(np.fft.fft(full, axis=axis, norm=_SWAP_NORM[norm]), np.shape(a)[axis], axis))
    return _cast_like(out, a)


_I1_SLOPE_SERIES = [(2 * k + 1) / (2.0 ** (2 * k + 1) * math.factorial(k) * math.factorial(k + 1)) for k in range(8)]


def i1_slope(x):
    """d i1(x)/dx = i0(x) - i1(x) / x (written with np.i0 and i0_slope, whose rules carry it to higher
    derivatives); near 0 its Taylor series sum_k (2k+1) (x/2)^(2k) / (2 k! (k+1)!), so that every
    derivative is right at 0 too (1/2 there, then 3/8 for the second, ...)."""
    small, safe, series = _near_zero(x, _I1_SLOPE_SERIES)
    return np.where(small, series, np.i0(safe) - i0_slope(safe) / safe)


def _near_zero(x, coefficients):
    """(|x| < 0.1, x with 1 there, sum_k c_k x^(2k) there): the Taylor series of an even function
    that a formula dividing by x gives away from 0. Every derivative of the series is right at 0,
    where np.where of a constant would make them all 0."""
    small = np.less(np.abs(x), 0.1)
    square = np.where(small, x, 0.0) ** 2
    series = 0.0
    for coefficient in reversed(coefficients):
        series = series * square + coefficient
    return small, np.where(small, 1.0, x), series


def i0_slope(x):
    """d i0(x)/dx = i1(x) (scipy.special.i1; a power series when scipy is missing)."""
    try:
        from scipy.special import i1
        return i1(x)
    except ImportError:  # pragma: no cover - scipy is a test dependency
        x = np.asarray(x, dtype=float)
        term, total = x / 2, x / 2
        for k in range(1, 200):
            term = term * (x / 2) ** 2 / (k * (k + 1))
            total = total + term
        return total


def vander_slopes(x, N=None, increasing=False):
    """d np.vander(x, N, increasing) / dx, column by column: power_j x ** (power_j - 1) (0 for power 0)."""
    x = np.asarray(x)
    n = len(x) if N is None else N
    if n == 0:
        return np.zeros((len(x), 0), dtype=_grad_dtype(x))
    dtype = _grad_dtype(x)
    zero = np.zeros((len(x), 1), dtype=dtype)
    if increasing:
        return np.concatenate([zero, np.arange(1, n, dtype=dtype) * np.vander(x, n - 1, increasing=True)], axis=1)
    return np.concatenate([np.arange(n - 1, 0, -1, dtype=dtype) * np.vander(x, n - 1), zero], axis=1)


def vander_grad(g, x, N=None, increasing=False):
    """Gradient of np.vander for x: each row's cotangent against its column slopes (x's dtype)."""
    return _cast_like(np.sum(g * vander_slopes(x, N, increasing), axis=1), x)


def _leading_zeros_trimmed(p):
    """np.trim_zeros(p, "f"), but p itself when it is all zeros: the positions kept are constants."""
    nonzero = np.flatnonzero(p)
    return p[nonzero[0]:] if nonzero.size else p


def polyfit_grads(g, x, y, deg, p):
    """Gradients of np.polyfit (least squares, full column rank): with V = vander(x, deg + 1),
    Z = (V^T V)^-1 G and R = y - V p, gy = V Z and gV = R Z^T - V Z p^T, so gx = sum_j gV_j V'_j."""
    xa = np.asarray(x, dtype=float)
    vander = np.vander(xa, deg + 1)
    pm = np.asarray(p, dtype=float)
    gm = np.asarray(g, dtype=float)
    vec = pm.ndim == 1
    if vec:
        pm, gm = pm[:, None], gm[:, None]
    ya = np.asarray(y, dtype=float).reshape(len(xa), -1)
    pinv = np.linalg.pinv(vander)
    z = np.matmul(pinv, np.matmul(pinv.T, gm))
    gy = np.matmul(vander, z)
    gv = np.matmul(ya - np.matmul(vander, pm), z.T) - np.matmul(np.matmul(vander, z), pm.T)
    powers = np.arange(deg, -1, -1)
    slopes = np.zeros((len(xa), deg + 1))
    slopes[:, :-1] = powers[:-1] * np.vander(xa, deg)
    gx = np.sum(gv * slopes, axis=1)
    return [_cast_like(gx, x), _cast_like(gy[:, 0] if np.ndim(y) == 1 else gy, y)]


def roots_grad(g, p, ans):
    """Gradient of np.roots (simple roots, JAX/autograd complex convention, real part for real p):
    dr = -sum_k dp_k r^(N-k) / p'(r)."""
    p = np.asarray(p)
    roots = np.asarray(ans)
    if roots.size == 0:
        return np.zeros(p.shape, dtype=_grad_dtype(p))
    powers = np.arange(len(p) - 1, -1, -1)
    slope = np.polyval(polyder(_leading_zeros_trimmed(p)), roots)
    out = -np.sum((np.asarray(g) / slope)[:, None] * roots[:, None] ** powers[None, :], axis=0)
    return _cast_like(real_like(out, p), p)


def lu_solve_grads(g, lu_and_piv, b, x, trans=0):
    """Gradients of scipy.linalg.lu_solve: gb = A^-T gx (A = P L U) and, for the packed factor,
    gL (strict lower) and gU (upper) from gA = -gb x^T. Returns [[glu, None], gb]."""
    lu, piv = lu_and_piv
    transposed = trans in (1, 2, "T", "C")
    gb = scipy_linalg.lu_solve((lu, piv), g, trans=0 if transposed else 1)
    gb2, x2 = (np.asarray(gb)[:, None], np.asarray(x)[:, None]) if np.ndim(b) == 1 else (np.asarray(gb), np.asarray(x))
    ga = -(np.matmul(x2, gb2.T) if transposed else np.matmul(gb2, x2.T))
    n = np.shape(lu)[0]
    perm = np.arange(n)
    for i, j in enumerate(piv):
        at_i, at_j = perm[i], perm[j]
        perm[i] = at_j
        perm[j] = at_i
    lower = np.tril(lu, -1) + np.eye(n)
    upper = np.triu(lu)
    ptga = ga[perm]                 # P^T gA, with A = P L U and (P^T A) = A[perm]
    glu = np.tril(np.matmul(ptga, upper.T), -1) + np.triu(np.matmul(lower.T, ptga))
    return [[_cast_like(glu, lu), None], _cast_like(gb, b)]


def cho_solve_grads(g, c_and_lower, b, x):
    """Gradients of scipy.linalg.cho_solve: gb = A^-1 gx and, on the triangle of the factor it reads,
    (gA + gA^T) L (lower) or U (gA + gA^T) (upper) with gA = -gb x^T. Returns [[gc, None], gb]."""
    c, lower = c_and_lower
    gb = scipy_linalg.cho_solve((c, lower), g)
    gb2, x2 = (np.asarray(gb)[:, None], np.asarray(x)[:, None]) if np.ndim(b) == 1 else (np.asarray(gb), np.asarray(x))
    ga = -np.matmul(gb2, x2.T)
    sym = ga + ga.T
    gc = np.tril(np.matmul(sym, np.tril(c))) if lower else np.triu(np.matmul(np.triu(c), sym))
    return [[_cast_like(gc, c), None], _cast_like(gb, b)]


def sqrtm_grad(g, a, ans):
    """Gradient of scipy.linalg.sqrtm: Y solving X^T Y + Y X^T = G (from dX X + X dX = dA)."""
    xt = np.transpose(ans)
    out = scipy_linalg.solve_sylvester(xt, xt, np.asarray(g, dtype=np.result_type(xt, g)))
    return _cast_like(real_like(out, a), a)


def logm_grad(g, a):
    """Gradient of scipy.linalg.logm: the Frechet derivative of log at A^T applied to G, the upper-right
    block of logm([[A^T, G], [0, A^T]])."""
    n = np.shape(a)[-1]
    big = np.zeros((2 * n, 2 * n), dtype=np.result_type(a, g, float))
    big[:n, :n] = np.transpose(a)
    big[n:, n:] = np.transpose(a)
    big[:n, n:] = g
    return _cast_like(real_like(scipy_linalg.logm(big)[:n, n:], a), a)


def solve_sylvester_grads(g, a, b, q, x):
    """Gradients of scipy.linalg.solve_sylvester (A X + X B = Q): Y solving A^T Y + Y B^T = G gives
    gQ = Y, gA = -Y X^T, gB = -X^T Y. Returns [ga, gb, gq]."""
    y = scipy_linalg.solve_sylvester(np.transpose(a), np.transpose(b), g)
    return [_cast_like(-np.matmul(y, np.transpose(x)), a), _cast_like(-np.matmul(np.transpose(x), y), b),
            _cast_like(y, q)]


def solve_banded_grads(g, l_and_u, ab, b, x):
    """Gradients of scipy.linalg.solve_banded: gb solves the transposed banded system; ab gets
    -gb x^T at its band slots (ab[u + i - j, j] = A[i, j]; unused corner slots get 0). Returns [gab, gb]."""
    lo, up = l_and_u
    ab = np.asarray(ab)
    rows, n = ab.shape
    abt = np.zeros_like(ab, dtype=np.result_type(ab, float))
    for k in range(rows):            # A^T in banded form, with (l, u) swapped
        for j in range(n):
            i = j + k - lo
            if 0 <= i < n:
                abt[k, j] = ab[up + lo - k, i]
    gb = scipy_linalg.solve_banded((up, lo), abt, g)
    gb2, x2 = (np.asarray(gb)[:, None], np.asarray(x)[:, None]) if np.ndim(b) == 1 else (np.asarray(gb), np.asarray(x))
    gab = np.zeros(ab.shape, dtype=_grad_dtype(g, ab))
    for k in range(rows):
        for j in range(n):
            i = j + k - up
            if 0 <= i < n:
                gab[k, j] = -np.dot(gb2[i], x2[j])
    return [_cast_like(gab, ab), _cast_like(gb, b)]


def mvn_logpdf_grads(g, x, mean=None, cov=1):
    """Gradients of scipy.stats.multivariate_normal.logpdf for x, mean and cov: with D = x - mean,
    gx = -g Sigma^-1 D, gmean = -sum(gx) and gSigma = -g/2 (Sigma^-1 - Sigma^-1 D D^T Sigma^-1), summed
    over the points. scipy reads the lower triangle of a 2-d cov, so its gradient lives there; a
    1-d cov (the diagonal) gets the diagonal, a scalar the trace. Returns [gx, gmean, gcov]."""
    cov_a = np.asarray(cov, dtype=float)
    mean_a = None if mean is None else np.asarray(mean, dtype=float)
    dim = (cov_a.shape[0] if cov_a.ndim else (mean_a.size if mean_a is not None and mean_a.ndim else 1))
    sigma = cov_a if cov_a.ndim == 2 else np.diag(cov_a) if cov_a.ndim == 1 else cov_a * np.eye(dim)
    sigma = np.tril(sigma) + np.tril(sigma, -1).T
    xa = np.asarray(x, dtype=float)
    points = xa.reshape(-1, dim) if not (xa.ndim == 1 and dim == 1) else xa.reshape(-1, 1)
    centred = points - (0.0 if mean_a is None else np.broadcast_to(mean_a, (dim,)))
    gp = np.reshape(np.asarray(g, dtype=float), (-1,))
    precision = np.linalg.inv(sigma)
    solved = centred @ precision
    gx = -gp[:, None] * solved
    gsigma = -0.5 * (np.sum(gp) * precision - solved.T @ (gp[:, None] * solved))
    if cov_a.ndim == 2:
        gcov = np.tril(gsigma + gsigma.T) - np.diag(np.diag(gsigma))
    elif cov_a.ndim == 1:
        gcov = np.diag(gsigma)
    else:
        gcov = np.trace(gsigma)
    gmean = None if mean is None else unbroadcast(-np.sum(gx, axis=0), mean)
    return [_cast_like(gx.reshape(np.shape(x)), x), _cast_like(gmean, mean), _cast_like(gcov, cov)]


def dirichlet_logpdf_grads(g, x, alpha):
    """Gradients of scipy.stats.dirichlet.logpdf (components along x's first axis). With all K
    components, x gets (alpha - 1) / x (the sum-to-one constraint is not enforced by the gradient);
    with K - 1 of them the last is 1 - sum and x_i gets (alpha_i - 1)/x_i - (alpha_K - 1)/x_K.
    alpha gets log x - scipy_special.digamma(alpha) + scipy_special.digamma(sum alpha). Returns [gx, galpha]."""
    xa, alpha_a = np.asarray(x, dtype=float), np.asarray(alpha, dtype=float)
    full = xa if xa.shape[0] == alpha_a.shape[0] else np.concatenate([xa, 1 - np.sum(xa, 0, keepdims=True)], 0)
    shape = (-1,) + (1,) * (full.ndim - 1)
    gv = np.asarray(g, dtype=float)
    gx_full = gv * (alpha_a.reshape(shape) - 1) / full
    gx = gx_full if xa.shape[0] == alpha_a.shape[0] else gx_full[:-1] - gx_full[-1:]
    galpha = np.sum(np.reshape(gv * (np.log(full) - scipy_special.digamma(alpha_a).reshape(shape) + scipy_special.digamma(np.sum(alpha_a))),
                               (alpha_a.shape[0], -1)), -1)
    return [_cast_like(gx, x), _cast_like(galpha, alpha)]


# ----- forward mode -----
# Tangents are concrete values shaped like their primals (no "None is zero": the
# forward transform knows statically which tangents are zero and drops them).


def zero_tangent(x):
    """A zero tangent with the structure of `x`: zeros for floating arrays and numbers, the same
    containers around them (a plain object gets a copy with zero attributes)."""
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, dtype=x.dtype if np.issubdtype(x.dtype, np.inexact) else float)
    if isinstance(x, np.generic):
        return np.zeros((), dtype=x.dtype if np.issubdtype(x.dtype, np.inexact) else float)[()]
    if isinstance(x, dict):
        return {k: zero_tangent(v) for k, v in x.items()}
    if isinstance(x, list):
        return [zero_tangent(v) for v in x]
    if isinstance(x, tuple):
        items = [zero_tangent(v) for v in x]
        return type(x)(*items) if hasattr(x, "_fields") else tuple(items)
    if is_record(x):
        import copy
        record = copy.copy(x)
        for name, value in vars(x).items():
            setattr(record, name, zero_tangent(value))
        return record
    if isinstance(x, (str, type(None))) or callable(x):
        return None
    return 0.0   # a number, a bool too: a comparison's tangent is 0 (its saved value is read by products)


def broadcast_tangent(tangent, y):
    """A tangent with the shape of its primal `y`, for an elementwise operation whose tangent only
    involves operands that broadcast to less than the result (z = x + c with only x varying)."""
    shape = np.shape(y)
    if np.shape(tangent) == shape:
        return tangent
    return np.broadcast_to(tangent, shape)


def jvp_by_vjp(rule, ans, args, tangents, **kwargs):
    """The tangent of a tg.adjoint primitive, which has only a VJP: J v, one output element at a
    time, as <e_k, J v> = <J^T e_k, v>. Costs one call of the rule per output element, so it
    suits the small outputs such primitives usually have."""
    out = np.zeros(np.shape(ans), dtype=np.result_type(np.asarray(ans).dtype, float))
    flat = out.reshape(-1)
    for k in range(flat.size):
        seed = np.zeros(flat.size, dtype=flat.dtype)
        seed[k] = 1.0
        seed = seed.reshape(np.shape(ans)) if np.ndim(ans) else seed[0]
        cotangents = call_rule(rule, len(args), seed, ans, *args, **kwargs)
        flat[k] = sum(np.sum(np.real(np.conj(c) * v)) for c, v in zip(cotangents, tangents)
                      if c is not None and v is not None)
    return out if np.ndim(ans) or isinstance(ans, np.ndarray) else float(out)


def _present(tangent):
    """Is this tangent argument a real tangent (the compiler passes 0.0 or None for absent ones)?"""
    return tangent is not None and not (type(tangent) is float and tangent == 0.0)


def _or_zeros(tangent, x):
    return tangent if _present(tangent) else zero_tangent(np.asarray(x, dtype=float) if np.ndim(x) == 0 and
                                                          not isinstance(x, np.ndarray) else x)


def reduced_tangent(tangent, partials, axis=None, keepdims=False):
    """The tangent of a reduction whose output elements each read their own slice of the input:
    the input tangent weighted by the partial derivatives, summed over the reduced axes."""
    axes = None if axis is None else normalize_axis(axis, np.ndim(partials))
    return np.sum(tangent * partials, axis=axes, keepdims=keepdims)


def astype_tangent(tangent, y):
    """The tangent of x.astype(dtype): cast like the result for a floating target, 0 for an
    integer or boolean one (the cast stops the derivative)."""
    dtype = np.asarray(y).dtype
    if not np.issubdtype(dtype, np.inexact):
        return np.zeros(np.shape(y))
    return np.asarray(real_like(tangent, y)).astype(dtype, copy=False)


def sorted_tangent(tangent, a, axis=-1):
    """The tangent of np.sort: each element's tangent moves with it (numpy's stable order on ties)."""
    if axis is None:
        return np.ravel(tangent)[np.argsort(np.ravel(a), kind="stable")]
    return np.take_along_axis(np.asarray(tangent), np.argsort(a, axis=axis, kind="stable"), axis)


def cumprod_tangent(tangent, a, axis=None):
    """The tangent of np.cumprod, exact where the input has zeros: the k-th product's tangent is
    sum over j <= k of t_j times the product of the other factors up to k."""
    a, tangent = np.asarray(a), np.broadcast_to(tangent, np.shape(a))
    if axis is None:
        a, tangent, axis = a.ravel(), np.ravel(tangent), 0
    a, tangent = np.moveaxis(a, axis, -1), np.moveaxis(tangent, axis, -1)
    n = a.shape[-1]
    before = np.cumprod(np.concatenate([np.ones(a.shape[:-1] + (1,)), a[..., :-1]], -1), -1)
    out = np.zeros(np.broadcast_shapes(a.shape, tangent.shape), dtype=np.result_type(a, tangent, float))
    for j in range(n):
        after = np.cumprod(np.concatenate([np.ones(a.shape[:-1] + (1,)), a[..., j + 1:]], -1), -1)
        out[..., j:] += (tangent[..., j] * before[..., j])[..., None] * after
    return np.moveaxis(out, -1, axis)


def einsum_tangent(subscripts, operands, tangents):
    """The tangent of np.einsum: one term per operand with a tangent (einsum is multilinear)."""
    operands = [op for op in operands if op is not None]
    total = None
    for k, tangent in enumerate(tangents[:len(operands)]):
        if _present(tangent):
            term = np.einsum(subscripts, *operands[:k], tangent, *operands[k + 1:])
            total = term if total is None else total + term
    return total


def _weights_like(weights, a, axis):
    """np.average's weights broadcast against a (a 1-D weight vector lies along `axis`)."""
    w = np.asarray(weights, dtype=float)
    if w.ndim == 1 and np.ndim(a) > 1:
        shape = [1] * np.ndim(a)
        shape[axis] = w.size
        w = w.reshape(shape)
    return np.broadcast_to(w, np.shape(a))


def average_tangent(ta, tw, a, y, axis=None, weights=None, keepdims=False):
    """The tangent of np.average: (sum w ta + sum tw (a - y)) / sum w over the averaged axes."""
    w = np.ones(np.shape(a)) if weights is None else _weights_like(weights, a, axis)
    axes = None if axis is None else normalize_axis(axis, np.ndim(a))
    total = np.sum(w, axis=axes, keepdims=True)
    out = np.sum(w * _or_zeros(ta, a), axis=axes, keepdims=True)
    if weights is not None and _present(tw):
        out = out + np.sum(_weights_like(tw, a, axis) * (a - keep_reduced(y, a, axis, keepdims)), axis=axes,
                           keepdims=True)
    return np.reshape(out / total, np.shape(y))


def cov_tangent(tm, ty, m, y=None, rowvar=True, bias=False, ddof=None):
    """The tangent of np.cov, bilinear in the centred observations X: (dX Xc^T + Xc dX^T) / (n - ddof)."""
    def rows(value):
        value = np.atleast_2d(np.asarray(value, dtype=float))
        return value if rowvar or value.shape[0] == 1 else value.T
    x = rows(m) if y is None else np.concatenate([rows(m), rows(y)], 0)
    dx = rows(_or_zeros(tm, m)) if y is None else np.concatenate([rows(_or_zeros(tm, m)), rows(_or_zeros(ty, y))], 0)
    count = x.shape[1] - (ddof if ddof is not None else 0 if bias else 1)
    xc, dxc = x - x.mean(1, keepdims=True), dx - dx.mean(1, keepdims=True)
    out = (dxc @ xc.T + xc @ dxc.T) / count
    return np.reshape(out, np.shape(np.cov(m, y, rowvar, bias, ddof)))


def pad_tangent(ta, tc, array, pad_width, mode="constant"):
    """The tangent of np.pad: linear in the array and, in constant mode, the fill values."""
    if mode == "constant":
        return np.pad(_or_zeros(ta, array), pad_width, "constant", constant_values=tc if _present(tc) else 0.0)
    return np.pad(ta, pad_width, mode)


def split_like(tangent, pieces, axis=0):
    """The tangent of np.split and its kin: the input tangent cut where the result was cut."""
    bounds = np.cumsum([np.shape(p)[axis] for p in pieces])[:-1]
    return np.split(tangent, bounds, axis)


def append_tangent(tarr, tvalues, arr, values, axis=None):
    """The tangent of np.append: the tangents appended in the same way."""
    return np.append(_or_zeros(tarr, arr), _or_zeros(tvalues, values), axis)


def meshgrid_tangent(tangents, xs, indexing="xy"):
    """The tangent of np.meshgrid: each grid is its own input spread out, and so is its tangent."""
    present = [(t, x) for t, x in zip(tangents, xs) if x is not None]
    return list(np.meshgrid(*[_or_zeros(t, x) for t, x in present], indexing=indexing))


def broadcast_tangents(tangents, outputs):
    """The tangent of np.broadcast_arrays: each tangent broadcast to its output's shape."""
    return [np.broadcast_to(t, np.shape(y)) if _present(t) else zero_tangent(y) for t, y in zip(tangents, outputs)]


def matmul_like(ta, x, b):
    """dA x in np.linalg.solve's own convention: b (and x) is a vector only when b is 1-D."""
    if np.ndim(b) == 1:
        return np.matmul(ta, x[..., None])[..., 0]
    return np.matmul(ta, x)


def multi_dot_tangent(arrays, tangents):
    """The tangent of np.linalg.multi_dot: one product per factor with a tangent."""
    total = None
    for k, tangent in enumerate(tangents):
        if _present(tangent) and np.any(tangent):
            term = np.linalg.multi_dot(list(arrays[:k]) + [tangent] + list(arrays[k + 1:]))
            total = term if total is None else total + term
    return total if total is not None else np.zeros(np.shape(np.linalg.multi_dot(arrays)))


def matrix_power_tangent(ta, a, n):
    """d(A^n) = sum_k A^k dA A^(n-1-k); a negative power through dA^-1 = -A^-1 dA A^-1."""
    if n == 0:
        return np.zeros(np.shape(a))
    if n < 0:
        a_inv = np.linalg.inv(a)
        return matrix_power_tangent(-np.matmul(a_inv, np.matmul(ta, a_inv)), a_inv, -n)
    powers = [np.broadcast_to(np.eye(np.shape(a)[-1]), np.shape(a))]
    for _ in range(n - 1):
        powers.append(np.matmul(powers[-1], a))
    return sum(np.matmul(powers[k], np.matmul(ta, powers[n - 1 - k])) for k in range(n))


def _symmetric_from(ta, lower=True):
    """The symmetric perturbation a function that reads one triangle sees."""
    tri = np.tril(ta) if lower else np.triu(ta)
    return tri + np.swapaxes(tri, -1, -2) - tri * np.eye(np.shape(ta)[-1])


def cholesky_tangent(ta, L, upper=False):
    """dL = L phi(L^-1 dA L^-T), phi: the lower triangle with half the diagonal (for upper=True the
    transpose of the lower factor's tangent)."""
    lower = np.swapaxes(L, -1, -2) if upper else L
    sym = _symmetric_from(ta, not upper)
    inner = np.linalg.solve(lower, np.swapaxes(np.linalg.solve(lower, sym), -1, -2))
    phi = np.tril(inner) - 0.5 * inner * np.eye(np.shape(L)[-1])
    out = np.matmul(lower, phi)
    return np.swapaxes(out, -1, -2) if upper else out


def eigh_tangent(ta, ans, UPLO="L"):
    """The tangent of np.linalg.eigh: with P = V^T dA V, dw = diag(P), dV = V (F o P), where
    F_ij = 1 / (w_j - w_i) and pairs with equal eigenvalues are dropped (the adjoint's convention)."""
    w, v = ans
    p = np.matmul(np.swapaxes(v, -1, -2), np.matmul(_symmetric_from(ta, UPLO == "L"), v))
    gaps = w[..., None, :] - w[..., :, None]
    f = np.divide(1.0, gaps, out=np.zeros_like(gaps), where=gaps != 0)
    return [np.diagonal(p, axis1=-2, axis2=-1).copy(), np.matmul(v, f * p)]


def svdvals_tangent(ta, a):
    """ds = diag(U^T dA V) for the singular values."""
    u, _, vt = np.linalg.svd(a, full_matrices=False)
    return np.einsum("...ij,...ik,...kj->...j", u, ta, np.swapaxes(vt, -1, -2))


def tensorinv_tangent(ta, y, ind=2):
    """d tensorinv(A) = -Y dA Y on the matricized forms."""
    out_shape = np.shape(y)
    rows = int(np.prod(np.shape(ta)[:ind]))
    y2 = np.reshape(y, (-1, rows))
    ta2 = np.reshape(ta, (rows, -1))
    return np.reshape(-y2 @ ta2 @ y2, out_shape)


def tensordot_like(ta, x):
    """dA contracted with the solution over x's axes (np.linalg.tensorsolve, axes=None)."""
    return np.tensordot(ta, x, np.ndim(x))


def extreme_tangent(ta, tb, a, b, ans):
    """The tangent of max(a, b) / min(a, b) (half each on a tie) or max(items) / min(items) (split
    equally among the items equal to the result), as extreme_grad's weights."""
    if b is not None:
        wa = extreme_grad(1.0, a, ans, b)
        return wa * (ta if _present(ta) else 0.0) + (1.0 - wa) * (tb if _present(tb) else 0.0)
    weights = extreme_grad(1.0, a, ans)
    return sum(w * t for w, t in zip(weights, ta))


def sorted_items_tangent(tangents, items, reverse=False):
    """The tangent of sorted(items): each item's tangent moves with it (sorted is stable)."""
    order = sorted(range(len(items)), key=lambda k: items[k], reverse=reverse)
    return [tangents[k] for k in order]


# ----- higher order: pure forms of the in-place helpers, for differentiating generated code -----
# When generated gradient code is itself differentiated (tg.grad(tg.grad(f)), tg.hessian, tg.hvp),
# normalize/generated.py rewrites its in-place helper statements (rt.add_at(dx, i, g),
# rt.clear(dx, i), rt.put(x, i, old)) into assignments of these pure versions, which return a new
# value instead of changing their argument and have adjoint and tangent rules of their own
# (rules/runtime_rules.py).


def added_to(dx, index, g):
    """rt.add_at(dx, index, g) on a copy of dx: the buffer with g accumulated into its slots
    (repeated indices accumulate)."""
    return add_at(owned(dx), index, g)


def added_to_tangent(tdx, dx, index, tg):
    """The tangent of added_to(dx, index, g); an absent tangent is 0.0 or None."""
    base = maybe_copy(tdx if _present(tdx) else None, dx)
    if not _present(tg):
        return base
    return add_at(base, index, tg)


def cleared(dx, index):
    """rt.clear(dx, index) on a copy of dx (None stays None: it is zero)."""
    if dx is None:
        return None
    out = owned(dx)
    clear(out, index)
    return out


def replaced(container, index, old):
    """rt.put(container, index, old) on a copy of the container."""
    out = owned(container)
    put(out, index, old)
    return out


def replaced_tangent(tc, container, index, told):
    """The tangent of replaced(container, index, old)."""
    base = owned(tc) if _present(tc) else zero_tangent(container)
    slot = told if _present(told) else zero_tangent(take(container, index) if not isinstance(
        container, dict) or index in container else 0.0)
    put(base, index, slot)
    return base


def scattered(g, x, index):
    """The adjoint of reading x[index] (rt.getitem, rt.take): g in the slots `index` of a zero
    gradient shaped like x; None when g is None."""
    if g is None:
        return None
    return add_at(zeros_like(x), index, g)


def grad_like(g, x):
    """The adjoint of an identity-like helper (rt.add, rt.owned, rt.buffer, ...) for the operand x:
    None when x is None (a constant zero), containers item by item, broadcasting undone."""
    return _leaf_by_leaf(g, x, unbroadcast)


def _leaf_by_leaf(g, x, leaf):
    """leaf(g_item, x_item) over the structure of x (dicts, lists, tuples), None for None."""
    if x is None or g is None:
        return None
    if isinstance(x, dict):
        return {k: _leaf_by_leaf(getitem(g, k) if isinstance(g, dict) else None, v, leaf) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        items = g if isinstance(g, (list, tuple)) else [None] * len(x)
        return [_leaf_by_leaf(gk, xk, leaf) for gk, xk in zip(items, x)]
    if is_record(x):
        return g
    return leaf(g, x)


def item_grad(g, y, position):
    """The adjoint of rt.output_grad(y_grads, y, position): g at `position` of a list of None."""
    if y is None or g is None:
        return None
    out = [None if item is None else zeros_like(item) for item in y]
    out[position] = g
    return out


def buffer_tangent(tdx, x):
    """The tangent of rt.buffer(dx, x) / rt.maybe_copy(dx, x): the tangent of dx, or zeros when it
    has none (dx was None, so the buffer is a zero constant)."""
    return maybe_copy(tdx if _present(tdx) else None, x)


# ----- tangents of decompositions and statistics -----
# Forward-mode twins of the adjoint helpers of the decompositions (svd, qr, eig, pinv, lstsq), the
# quantile family, corrcoef, gradient, partition, polyfit, roots and the scipy.linalg / scipy.stats
# rules. Each follows its adjoint helper's conventions (ties, triangles, supported options), so that
# <u, J v> = <J^T u, v> holds exactly. Appended section: nothing above depends on it.


def _swap(m):
    return np.swapaxes(m, -1, -2)


def _result_like(ans, items):
    """The tangents of a tuple-valued result in the same kind of tuple (numpy's SVDResult, QRResult, ...)."""
    return type(ans)(*items) if hasattr(ans, "_fields") else tuple(items)


def _column(v, vector):
    return np.asarray(v)[..., None] if vector else np.asarray(v)


def svd_tangent(ta, a, ans, full_matrices=True, compute_uv=True):
    """The tangent of np.linalg.svd (JAX's jvp rule, real input): with dS = U^T dA V, ds = diag(dS),
    dU = U (F o (dS S + S dS^T)) + (I - U U^T) dA V S^-1 and dV = V (F o (S dS + dS^T S))
    + (I - V V^T) dA^T U S^-1, F_ij = 1 / (s_j^2 - s_i^2). Repeated singular values: the tied pairs
    are dropped (F_ij = 0) with a RuntimeWarning and zero singular values get S^-1 = 0, as svd_grad;
    full_matrices=True is accepted only for square inputs."""
    a = np.asarray(a)
    if not compute_uv:
        return svdvals_tangent(ta, a)
    u, s, vh = ans
    m, n = a.shape[-2:]
    k = min(m, n)
    if full_matrices and m != n:
        raise ValueError("transgrad: the derivative of np.linalg.svd needs full_matrices=False for a non-square matrix")
    v = _swap(vh)
    ds_mat = np.matmul(_swap(u), np.matmul(ta, v))
    gap = s[..., None, :] ** 2 - s[..., :, None] ** 2
    distinct = np.abs(gap) > 1e-12 * (np.max(s, -1, keepdims=True)[..., None] ** 2 + 1)
    f = np.where(distinct, 1.0 / np.where(gap == 0, 1, gap), 0.0)
    _warn_if_tied(distinct, ds_mat - ds_mat * np.eye(k), "np.linalg.svd", "singular values", "singular vectors")
    sinv = np.where(s == 0, 0.0, 1.0 / np.where(s == 0, 1, s))
    dss = ds_mat * s[..., None, :]           # dS S
    sds = s[..., :, None] * ds_mat           # S dS
    du = np.matmul(u, f * (dss + _swap(dss)))
    dv = np.matmul(v, f * (sds + _swap(sds)))
    if m > k:
        dav = np.matmul(ta, v)
        du = du + (dav - np.matmul(u, np.matmul(_swap(u), dav))) * sinv[..., None, :]
    if n > k:
        dau = np.matmul(_swap(ta), u)
        dv = dv + (dau - np.matmul(v, np.matmul(_swap(v), dau))) * sinv[..., None, :]
    ds = np.diagonal(ds_mat, 0, -2, -1).copy()
    return _result_like(ans, [du, ds, _swap(dv)])


def qr_tangent(ta, a, ans):
    """The tangent of np.linalg.qr (mode='reduced', m >= n; JAX's jvp rule): with C = Q^T dA R^-1 and
    the skew-symmetric W = tril(C, -1) - tril(C, -1)^T, dQ = dA R^-1 - Q C + Q W and dR = (C - W) R."""
    q, r = ans
    if np.shape(a)[-2] < np.shape(a)[-1]:
        raise ValueError("transgrad: the derivative of np.linalg.qr needs a matrix with at least as many rows as columns")
    dx_rinv = _swap(np.linalg.solve(_swap(r), _swap(ta)))       # dA R^-1
    c = np.matmul(_swap(q), dx_rinv)
    low = np.tril(c, -1)
    w = low - _swap(low)
    dq = np.matmul(q, w - c) + dx_rinv
    dr = np.matmul(c - w, r)
    return _result_like(ans, [dq, dr])


def eig_tangent(ta, a, ans, vectors=True):
    """The tangent of np.linalg.eig / eigvals (JAX's jvp rule with enable_eigvec_derivs=True, as eig_grad):
    with P = V^-1 dA V, dw = diag(P) and dV = V (F o P) + V diag(c), F_ij = 1 / (w_j - w_i), c fixed by
    numpy's normalization of each eigenvector (unit norm, largest-magnitude component real). Real
    eigenvalues and eigenvectors (numpy's real result) get real tangents."""
    a = np.asarray(a)
    w, v = ans if vectors else np.linalg.eig(a)
    p = np.matmul(np.linalg.inv(v), np.matmul(ta, v))
    dw = np.diagonal(p, 0, -2, -1).copy()
    if not vectors:
        return _cast_like(real_like(dw, ans), ans)
    gap = w[..., None, :] - w[..., :, None]
    f = np.where(np.eye(v.shape[-1], dtype=bool), 0.0, 1.0 / np.where(gap == 0, 1.0, gap))
    du = np.matmul(v, f * p)
    largest = np.argmax(np.abs(v), axis=-2)[..., None, :]
    pivot = np.real(np.take_along_axis(v, largest, -2))
    c = -np.real(np.sum(np.conj(v) * du, axis=-2, keepdims=True)) \
        - 1j * np.imag(np.take_along_axis(du, largest, -2)) / pivot
    dv = du + c * v
    return _result_like(ans, [_cast_like(real_like(dw, w), w), _cast_like(real_like(dv, v), v)])


def pinv_tangent(ta, a, x):
    """The tangent of np.linalg.pinv at constant rank (Golub-Pereyra), the transpose of pinv_grad:
    dX = -X dA X + X X^T dA^T (I - A X) + (I - X A) dA^T X^T X."""
    a, x = np.asarray(a), np.asarray(x)
    eye_m, eye_n = np.eye(a.shape[-2]), np.eye(a.shape[-1])
    tat = _swap(ta)
    return (-np.matmul(x, np.matmul(ta, x))
            + np.matmul(np.matmul(x, _swap(x)), np.matmul(tat, eye_m - np.matmul(a, x)))
            + np.matmul(eye_n - np.matmul(x, a), np.matmul(tat, np.matmul(_swap(x), x))))


def lstsq_tangent(ta, tb, a, b, ans):
    """The tangent of np.linalg.lstsq, as lstsq_grads: the solution through x = pinv(a) b, the residuals
    through d||r||^2 = 2 r^T (dA x - db) (x optimal), the singular values as svdvals; the rank is a
    constant."""
    x, residuals, rank, sv = ans
    a = np.asarray(a)
    pinv = np.linalg.pinv(a)
    vec = np.ndim(b) == 1
    bb, xx = _column(b, vec), _column(x, vec)
    dx = np.zeros(xx.shape, dtype=np.result_type(xx, float))
    change = np.zeros(bb.shape, dtype=dx.dtype)    # dA x - db
    if _present(ta):
        dx = dx + np.matmul(pinv_tangent(ta, a, pinv), bb)
        change = change + np.matmul(ta, xx)
    if _present(tb):
        tbb = _column(tb, vec)
        dx = dx + np.matmul(pinv, tbb)
        change = change - tbb
    if np.size(residuals):
        r = np.matmul(a, xx) - bb
        dres = np.reshape(2 * np.sum(r * change, axis=0), np.shape(residuals))
    else:
        dres = np.zeros(np.shape(residuals))
    dsv = svdvals_tangent(ta, a) if _present(ta) else np.zeros(np.shape(sv))
    return (_cast_like(dx[..., 0] if vec else dx, x), _cast_like(dres, residuals), zero_tangent(rank),
            _cast_like(dsv, sv))


def quantile_tangent(ta, tq, a, q, y, axis=None, keepdims=False, scale=1.0, nan=False, method="linear"):
    """The tangent of np.quantile / np.percentile (scale=1/100) and their nan- variants with
    method='linear', as quantile_grads: (1 - t) da[lo] + t da[hi] at the two order statistics around
    the virtual index q (n - 1) (ties in a stable sort's order), plus dq (s[hi] - s[lo]) (n - 1) scale.
    A slice without any non-nan entry gets 0."""
    if method != "linear":
        raise ValueError(f"transgrad: the derivative of quantiles supports method='linear' only, not {method!r}")
    a, qa = np.asarray(a), np.asarray(q, dtype=float)
    axes = normalize_axis(axis, a.ndim)
    kept = [k for k in range(a.ndim) if k not in axes]
    perm = kept + list(axes)
    moved = np.transpose(a, perm)
    lead = moved.shape[:len(kept)]
    flat = moved.reshape(lead + (-1,))
    n = flat.shape[-1]
    fractions = qa.reshape((-1,) + (1,) * len(lead)) * scale
    order = np.argsort(flat, axis=-1, kind="stable")          # nan sorts last
    count = np.sum(~np.isnan(flat), -1) if nan else np.full(lead, n)
    virtual = fractions * np.maximum(count - 1, 0)
    lo = np.clip(np.floor(virtual), 0, max(n - 1, 0)).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    t = virtual - lo
    valid = count > 0

    def at(values, index):
        return np.take_along_axis(values, index[..., None], -1)[..., 0]

    out = np.zeros((fractions.shape[0],) + lead, dtype=np.result_type(a, float))
    if _present(ta):
        tflat = np.transpose(np.broadcast_to(ta, a.shape), perm).reshape(lead + (-1,))
        tsorted = np.take_along_axis(tflat, order, -1)
        for k in range(fractions.shape[0]):
            out[k] += (1 - t[k]) * at(tsorted, lo[k]) + t[k] * at(tsorted, hi[k])
    if _present(tq):
        ordered = np.take_along_axis(flat, order, -1)
        tqs = np.reshape(np.asarray(tq, dtype=float), (-1,) + (1,) * len(lead))
        for k in range(fractions.shape[0]):
            out[k] += tqs[k] * (at(ordered, hi[k]) - at(ordered, lo[k])) * np.maximum(count - 1, 0) * scale
    out = np.where(valid, out, 0.0)
    return _cast_like(np.reshape(out, np.shape(y)), y)


def corrcoef_tangent(tx, ty, x, ans, y=None, rowvar=True):
    """The tangent of np.corrcoef through np.cov, as corrcoef_grad: R = C / (s s^T), s = sqrt(diag C),
    dR = dC / (s s^T) - R o (ds/s 1^T + 1 (ds/s)^T); the diagonal (exactly 1) has tangent 0."""
    c = np.cov(x, y, rowvar=rowvar)
    if np.ndim(c) == 0:
        return np.zeros(np.shape(ans), dtype=np.result_type(np.asarray(ans).dtype, float))
    dc = cov_tangent(tx, ty, x, y, rowvar)
    s = np.sqrt(np.diag(c))
    relative = np.diag(dc) / (2 * s ** 2)          # ds / s
    out = dc / np.outer(s, s) - np.asarray(ans) * (relative[:, None] + relative[None, :])
    np.fill_diagonal(out, 0.0)
    return _cast_like(out, ans)


def gradient_tangent(tf, t1, t2, t3, spacings=(), axis=None, edge_order=1):
    """The tangent of np.gradient: np.gradient of the tangent of f (it is linear in f). The spacings are
    constants, as in gradient_grad: one that carries a tangent raises NonDifferentiableError."""
    if any(_present(tangent) for tangent in (t1, t2, t3)):
        no_gradient("np.gradient", "spacing", None)
    varargs = [v for v in spacings if v is not None]
    return np.gradient(tf, *varargs, axis=axis, edge_order=edge_order)


def partition_tangent(ta, a, y, axis=-1):
    """The tangent of np.partition: each element's tangent moves to the slot it lands in, matched by
    sorted values (a tie in stable order), as partition_grad."""
    if axis is None:
        return partition_tangent(np.ravel(np.broadcast_to(ta, np.shape(a))), np.ravel(a), y, 0)
    source = np.argsort(a, axis=axis, kind="stable")
    target = np.argsort(y, axis=axis, kind="stable")
    out = np.empty(np.shape(y), dtype=np.result_type(np.asarray(ta).dtype, float))
    np.put_along_axis(out, target, np.take_along_axis(np.broadcast_to(ta, np.shape(a)), source, axis), axis)
    return out


def polyfit_tangent(tx, ty, x, y, deg, p):
    """The tangent of np.polyfit (least squares, full column rank), as polyfit_grads: with
    V = vander(x, deg + 1) and r = y - V p, dp = (V^T V)^-1 (V^T (dy - dV p) + dV^T r)."""
    xa = np.asarray(x, dtype=float)
    vander = np.vander(xa, deg + 1)
    pm = np.asarray(p, dtype=float)
    vec = pm.ndim == 1
    pm = pm[:, None] if vec else pm
    ya = np.asarray(y, dtype=float).reshape(len(xa), -1)
    pinv = np.linalg.pinv(vander)
    dp = np.zeros(pm.shape)
    if _present(ty):
        dp = dp + np.matmul(pinv, np.reshape(np.asarray(ty, dtype=float), (len(xa), -1)))
    if _present(tx):
        powers = np.arange(deg, -1, -1)
        slopes = np.zeros((len(xa), deg + 1))
        slopes[:, :-1] = powers[:-1] * np.vander(xa, deg)
        dv = slopes * np.asarray(tx, dtype=float)[:, None]
        residual = ya - np.matmul(vander, pm)
        dp = dp + np.matmul(pinv, np.matmul(pinv.T, np.matmul(dv.T, residual))) - np.matmul(pinv, np.matmul(dv, pm))
    return _cast_like(dp[:, 0] if vec else dp, p)


def roots_tangent(tp, p, ans):
    """The tangent of np.roots (simple roots), as roots_grad: dr = -sum_k dp_k r^(N-k) / p'(r); real
    roots (numpy's real result) get a real tangent."""
    p = np.asarray(p)
    roots = np.asarray(ans)
    if roots.size == 0:
        return np.zeros(roots.shape, dtype=np.result_type(roots, float))
    powers = np.arange(len(p) - 1, -1, -1)
    slope = np.polyval(polyder(_leading_zeros_trimmed(p)), roots)
    out = -np.matmul(roots[:, None] ** powers[None, :], np.asarray(tp)) / slope
    return _cast_like(real_like(out, roots), roots)


# scipy.linalg and scipy.stats


def expm_tangent(ta, a):
    """The tangent of scipy.linalg.expm: the Frechet derivative, the upper-right block of
    expm([[A, dA], [0, A]]) (the transpose of expm_grad's block form)."""
    n = np.shape(a)[-1]
    big = np.zeros((2 * n, 2 * n), dtype=np.result_type(a, ta, float))
    big[:n, :n] = big[n:, n:] = a
    big[:n, n:] = ta
    return scipy_linalg.expm(big)[:n, n:]


def logm_tangent(ta, a, ans):
    """The tangent of scipy.linalg.logm: the upper-right block of logm([[A, dA], [0, A]]); real for a
    real result (logm_grad takes the real part for a real input)."""
    n = np.shape(a)[-1]
    big = np.zeros((2 * n, 2 * n), dtype=np.result_type(a, ta, float))
    big[:n, :n] = big[n:, n:] = a
    big[:n, n:] = ta
    return _cast_like(real_like(scipy_linalg.logm(big)[:n, n:], ans), ans)


def sqrtm_tangent(ta, ans):
    """The tangent of scipy.linalg.sqrtm: dX solving X dX + dX X = dA."""
    out = scipy_linalg.solve_sylvester(ans, ans, np.asarray(ta, dtype=np.result_type(ans, ta)))
    return _cast_like(real_like(out, ans), ans)


def solve_triangular_tangent(ta, tb, a, b, x, trans=0, lower=False, unit_diagonal=False):
    """The tangent of scipy.linalg.solve_triangular: op(T)^-1 (db - op(dT) x) with dT the triangle of
    dA it reads (without the diagonal for unit_diagonal=True), as solve_triangular_grads."""
    vec = np.ndim(b) == 1
    rhs = _column(_or_zeros(tb, b), vec).astype(np.result_type(b, x, float))
    if _present(ta):
        tri = np.tril(ta, -1 if unit_diagonal else 0) if lower else np.triu(ta, 1 if unit_diagonal else 0)
        op = np.transpose(tri) if trans in (1, 2, "T", "C") else tri
        rhs = rhs - np.matmul(op, _column(x, vec))
    out = scipy_linalg.solve_triangular(a, rhs[:, 0] if vec else rhs, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    return _cast_like(out, x)


def block_diag_tangent(ta, tb, tc, a, b=None, c=None):
    """The tangent of scipy.linalg.block_diag: the blocks' tangents on the diagonal (zeros for a block
    without one)."""
    blocks = [(t, x) for t, x in ((ta, a), (tb, b), (tc, c)) if x is not None]
    return scipy_linalg.block_diag(*[np.asarray(t, dtype=float) if _present(t) else np.zeros(np.shape(np.atleast_2d(x)))
                        for t, x in blocks])


def _factor_tangent(tangent):
    """The tangent of the factor of an (lu, piv) or (c, lower) pair, or None."""
    if not _present(tangent) or not isinstance(tangent, (tuple, list)) or not _present(tangent[0]):
        return None
    return np.asarray(tangent[0])


def lu_solve_tangent(tlu_and_piv, tb, lu_and_piv, b, x, trans=0):
    """The tangent of scipy.linalg.lu_solve: A^-1 (db - dA x) (A^T for trans=1, 2) with A = P L U and
    dA = P (dL U + L dU), dL the strict lower and dU the upper triangle of the packed factor's tangent;
    the pivots are constants (lu_solve_grads)."""
    lu, piv = lu_and_piv
    vec = np.ndim(b) == 1
    rhs = _column(_or_zeros(tb, b), vec).astype(np.result_type(b, x, float))
    tlu = _factor_tangent(tlu_and_piv)
    if tlu is not None:
        n = np.shape(lu)[0]
        perm = np.arange(n)
        for i, j in enumerate(piv):
            at_i, at_j = perm[i], perm[j]
        perm[i] = at_j
        perm[j] = at_i
        lower, upper = np.tril(lu, -1) + np.eye(n), np.triu(lu)
        da = np.empty((n, n), dtype=np.result_type(lu, tlu, float))
        da[perm] = np.matmul(np.tril(tlu, -1), upper) + np.matmul(lower, np.triu(tlu))
        op = da.T if trans in (1, 2, "T", "C") else da
        rhs = rhs - np.matmul(op, _column(x, vec))
    return _cast_like(scipy_linalg.lu_solve((lu, piv), rhs[:, 0] if vec else rhs, trans=trans), x)


def cho_solve_tangent(tc_and_lower, tb, c_and_lower, b, x):
    """The tangent of scipy.linalg.cho_solve: A^-1 (db - dA x) with dA = dL L^T + L dL^T (lower) or
    dU^T U + U^T dU (upper) from the triangle of the factor it reads (cho_solve_grads)."""
    c, lower = c_and_lower
    vec = np.ndim(b) == 1
    rhs = _column(_or_zeros(tb, b), vec).astype(np.result_type(b, x, float))
    tc = _factor_tangent(tc_and_lower)
    if tc is not None:
        if lower:
            factor, dfactor = np.tril(c), np.tril(tc)
            da = np.matmul(dfactor, factor.T) + np.matmul(factor, dfactor.T)
        else:
            factor, dfactor = np.triu(c), np.triu(tc)
            da = np.matmul(dfactor.T, factor) + np.matmul(factor.T, dfactor)
        rhs = rhs - np.matmul(da, _column(x, vec))
    return _cast_like(scipy_linalg.cho_solve((c, lower), rhs[:, 0] if vec else rhs), x)


def solve_banded_tangent(tab, tb, l_and_u, ab, b, x):
    """The tangent of scipy.linalg.solve_banded: A^-1 (db - dA x) with dA[i, j] = dab[u + i - j, j] on
    the band (the unused corner slots do not enter), as solve_banded_grads."""
    vec = np.ndim(b) == 1
    rhs = _column(_or_zeros(tb, b), vec).astype(np.result_type(b, x, float))
    if _present(tab):
        lo, up = l_and_u
        tab = np.asarray(tab)
        rows, n = tab.shape
        da = np.zeros((n, n), dtype=np.result_type(tab, float))
        for k in range(rows):
            for j in range(n):
                i = j + k - up
                if 0 <= i < n:
                    da[i, j] = tab[k, j]
        rhs = rhs - np.matmul(da, _column(x, vec))
    return _cast_like(scipy_linalg.solve_banded(l_and_u, ab, rhs[:, 0] if vec else rhs), x)


def mvn_logpdf_tangent(tx, tmean, tcov, x, mean=None, cov=1, y=None):
    """The tangent of scipy.stats.multivariate_normal.logpdf, as mvn_logpdf_grads: with D = x - mean and
    P = Sigma^-1, -(P D) . (dx - dmean) - tr(P dSigma) / 2 + (P D)^T dSigma (P D) / 2 per point; dSigma is
    built from the lower triangle of a 2-d cov's tangent, the diagonal of a 1-d one, a scalar's I."""
    cov_a = np.asarray(cov, dtype=float)
    mean_a = None if mean is None else np.asarray(mean, dtype=float)
    dim = (cov_a.shape[0] if cov_a.ndim else (mean_a.size if mean_a is not None and mean_a.ndim else 1))

    def sigma_of(value):
        value = np.asarray(value, dtype=float)
        full = value if value.ndim == 2 else np.diag(value) if value.ndim == 1 else value * np.eye(dim)
        return np.tril(full) + np.tril(full, -1).T

    xa = np.asarray(x, dtype=float)
    points = xa.reshape(-1, dim) if not (xa.ndim == 1 and dim == 1) else xa.reshape(-1, 1)
    centred = points - (0.0 if mean_a is None else np.broadcast_to(mean_a, (dim,)))
    precision = np.linalg.inv(sigma_of(cov_a))
    solved = centred @ precision
    out = np.zeros(points.shape[0])
    if _present(tx):
        out = out - np.sum(solved * np.reshape(np.asarray(tx, dtype=float), points.shape), axis=1)
    if mean is not None and _present(tmean):
        out = out + solved @ np.broadcast_to(np.asarray(tmean, dtype=float), (dim,))
    if _present(tcov):
        dsigma = sigma_of(tcov)
        out = out - 0.5 * np.trace(precision @ dsigma) + 0.5 * np.sum((solved @ dsigma) * solved, axis=1)
    return _cast_like(np.reshape(out, np.shape(y)), y)


def dirichlet_logpdf_tangent(tx, talpha, x, alpha, y=None):
    """The tangent of scipy.stats.dirichlet.logpdf (components along x's first axis), as
    dirichlet_logpdf_grads: sum_i (alpha_i - 1) dx_i / x_i (with K - 1 components the last is
    1 - sum, so dx_K = -sum dx) + sum_i dalpha_i (log x_i - scipy_special.digamma(alpha_i) + scipy_special.digamma(sum alpha))."""
    xa, alpha_a = np.asarray(x, dtype=float), np.asarray(alpha, dtype=float)
    reduced = xa.shape[0] != alpha_a.shape[0]
    full = np.concatenate([xa, 1 - np.sum(xa, 0, keepdims=True)], 0) if reduced else xa
    shape = (-1,) + (1,) * (full.ndim - 1)
    out = np.zeros(full.shape[1:])
    if _present(tx):
        dx = np.asarray(tx, dtype=float)
        dfull = np.concatenate([dx, -np.sum(dx, 0, keepdims=True)], 0) if reduced else dx
        out = out + np.sum((alpha_a.reshape(shape) - 1) / full * dfull, 0)
    if _present(talpha):
        da = np.asarray(talpha, dtype=float).reshape(shape)
        out = out + np.sum(da * (np.log(full) - scipy_special.digamma(alpha_a).reshape(shape) + scipy_special.digamma(np.sum(alpha_a))), 0)
    return _cast_like(np.reshape(out, np.shape(y)), y)


def solve_sylvester_tangent(rhs, a, b):
    """The tangent of scipy.linalg.solve_sylvester (A X + X B = Q): dX solving A dX + dX B = rhs, with
    rhs = dQ - dA X - X dB."""
    return scipy_linalg.solve_sylvester(a, b, rhs)


# ----- derivatives of the runtime helpers -----
# Helpers that rules/runtime_rules.py uses to differentiate the helpers above once more (second
# derivatives read the generated gradient code, which calls them). Most helpers are linear in their
# gradient argument g; these give the transpose of that linear map (for reverse over reverse) and
# the derivative with respect to the primal arguments they read (x, ans, ...). None of them has a
# rule of its own yet: a third derivative through them raises NonDifferentiableError.


def interp_knots(xp):
    """np.interp's xp as the constant its rule takes it to be (a constant to the compiler, rules/
    runtime_rules.py): inside the helpers below, differentiated again, an xp that was only saved
    and restored by generated code must not look like a value that varies."""
    return np.asarray(xp)


def interp_tangent(x, xp, fp_dot, left, right, left_dot, right_dot):
    """The tangent of np.interp(x, xp, fp, left, right) for fp, left and right: np.interp of the
    tangents, where an end value that is None (np.interp then uses the end of fp) stays None, whatever
    zero tangent the compiler passes for it."""
    xp = interp_knots(xp)    # its own statement: in a tuple with x it would share x's activity
    fp_dot = np.broadcast_to(fp_dot, np.shape(xp))
    return np.interp(x, xp, fp_dot, None if left is None else left_dot, None if right is None else right_dot)


def interp_at(w, x, xp, left=None, right=None):
    """The transpose of g -> interp_grad_fp(g, x, xp, fp, left, right): each x reads w where
    interp_grad_fp put its g, (1 - t) w[j] + t w[j+1] inside, the end value outside unless a
    `left`/`right` value was given there (then 0). That is np.interp of w."""
    if len(xp) == 1:
        return np.broadcast_to(np.asarray(w)[0], np.shape(x)) * 1.0
    return interp_tangent(x, xp, w, left, right, 0.0, 0.0)


def interp_grad_fp_dx(g, x, xp, fp, v):
    """The derivative of interp_grad_fp(g, x, xp, fp, ...) along v for x: each x inside moves
    g v / (xp[j+1] - xp[j]) from its segment's left knot to its right one (t grows with x)."""
    x, xp = np.asarray(x), np.asarray(xp)
    out = np.zeros(np.shape(fp), dtype=_grad_dtype(g, fp, v))
    if len(xp) == 1:
        return out
    g = np.broadcast_to(g, x.shape)
    j, _ = interp_segments(x, xp)
    inside = ~((x < xp[0]) | (x > xp[-1]))
    moved = (g * v / (xp[j + 1] - xp[j]))[inside]
    np.add.at(out, j[inside] + 1, moved)
    np.add.at(out, j[inside], -moved)
    return out


def _norm_power(ord):
    """The p of a smooth p-norm gradient (2 for the Euclidean and Frobenius norms); None for the
    norms whose gradient is piecewise constant in x (1, inf, -inf, 0)."""
    if ord is None or ord == "fro":
        return 2.0
    if isinstance(ord, str) or ord in (0, 1, np.inf, -np.inf):
        return None
    return float(ord)


def _complex_norm_power(x, ord, p):
    """The p of the second derivative of a complex p-norm: the 1-norm's conj(x) / |x| is smooth away
    from 0 for complex x (not piecewise constant as sign(x) is for real x). The inf-norms are
    written apart (_complex_extreme_norm)."""
    if not np.iscomplexobj(x) or p is not None or ord == 0:
        return p
    if ord == 1:
        return 1.0
    return None


def _complex_extreme_norm(x, ord):
    return np.iscomplexobj(x) and (ord == np.inf or ord == -np.inf)


def _extreme_weights_over_abs(g, x, ans, axis, keepdims):
    """The inf-norm gradient is w conj(x) / |x| with w the max (min) weights times g, which do not
    change with x away from ties: w / |x|, 0 where x is 0."""
    magnitude = np.abs(x)
    w = select_max(np.real(g), magnitude, ans, axis, keepdims)
    return np.where(magnitude == 0, 0.0, w / np.where(magnitude == 0, 1.0, magnitude))


def _norm_factor(g, x, ans, p, axis, keepdims, power):
    """g |x|^power / ans^(p-1), with the convention of norm_grad at 0 (0 where the norm is 0) and
    |x|^power at x = 0 taken as inf for a negative power, 1 for 0 and 0 for a positive one."""
    ans = keep_reduced(ans, x, axis, keepdims)
    g = keep_reduced(g, x, axis, keepdims)
    safe = np.where(ans == 0, 1.0, ans)
    at_zero = np.inf if power < 0 else 1.0 if power == 0 else 0.0
    powered = np.where(x == 0, at_zero, np.abs(np.where(x == 0, 1.0, x)) ** power)
    return np.where(ans == 0, 0.0, g * powered / safe ** (p - 1))


def norm_grad_dx(g, x, ans, ord=None, axis=None, keepdims=False):
    """The partial derivative of norm_grad(g, x, ans, ...) with respect to x, holding ans fixed: an
    elementwise factor shaped like x, g (p - 1) |x|^(p-2) / ans^(p-1) (0 where ans is 0, as the
    gradient there). For a complex x the gradient g conj(x) |x|^(p-2) / ans^(p-1) changes along v by
    g |x|^(p-2) / ans^(p-1) conj(v) (this factor, which multiplies the conjugate of the tangent or
    cotangent in rules/runtime_rules.py) plus norm_grad_dx_radial(...) Re(conj(x) v)."""
    x = np.asarray(x)
    if _complex_extreme_norm(x, ord):   # w conj(x) / |x| changes along v by w conj(v) / |x| + ...
        return _extreme_weights_over_abs(g, x, ans, axis, keepdims) * np.ones(x.shape, dtype=_grad_dtype(g, x))
    p = _complex_norm_power(x, ord, _norm_power(ord))
    if p is None:
        return np.zeros(x.shape, dtype=_grad_dtype(g, x))
    if p == 1 and not np.iscomplexobj(x):     # the gradient sign(x) is piecewise constant
        factor = 0.0 * keep_reduced(g, x, axis, keepdims)
    elif np.iscomplexobj(x) or p == 2:
        factor = _norm_factor(g, x, ans, p, axis, keepdims, p - 2)
    else:          # |x|^(p-2) is infinite at 0 for p < 2 (the gradient has a cusp there) and 0 for p > 2
        factor = (p - 1) * _norm_factor(g, x, ans, p, axis, keepdims, p - 2)
    return factor * np.ones(x.shape, dtype=_grad_dtype(g, x))


def norm_grad_dx_radial(g, x, ans, ord=None, axis=None, keepdims=False):
    """For a complex x, the second part of the derivative of norm_grad with respect to x (see
    norm_grad_dx): g (p - 2) conj(x) |x|^(p-4) / ans^(p-1), the factor of Re(conj(x) v); 0 where
    x is 0 (Re(conj(x) v) is 0 there), and 0 for a real x or the 2-norm, whose derivative
    norm_grad_dx holds whole."""
    x = np.asarray(x)
    if _complex_extreme_norm(x, ord):   # ... - w conj(x) Re(conj(x) v) / |x|^3
        magnitude = np.abs(x)
        squared = np.where(magnitude == 0, 1.0, magnitude ** 2)
        return -_extreme_weights_over_abs(g, x, ans, axis, keepdims) * conj(x) / squared
    p = _complex_norm_power(x, ord, _norm_power(ord))
    if p is None or p == 2 or not np.iscomplexobj(x):
        return np.zeros(x.shape, dtype=_grad_dtype(g, x))
    factor = (p - 2) * _norm_factor(g, x, ans, p, axis, keepdims, p - 4)
    return np.where(x == 0, 0.0, factor * conj(x)) * np.ones(x.shape, dtype=_grad_dtype(g, x))


def norm_grad_dans(g, x, ans, ord=None, axis=None, keepdims=False):
    """The partial derivative of norm_grad(g, x, ans, ...) with respect to ans, holding x fixed:
    -(p - 1) norm_grad / ans, shaped like x (each element's factor for its own norm)."""
    x = np.asarray(x)
    p = _complex_norm_power(x, ord, _norm_power(ord))
    if p is None:
        return np.zeros(x.shape, dtype=_grad_dtype(g, x))
    grad = norm_grad(g, x, ans, ord, axis, keepdims)
    ans = keep_reduced(ans, x, axis, keepdims)
    safe = np.where(ans == 0, 1.0, ans)
    return np.where(ans == 0, 0.0, -(p - 1) * grad / safe)


def prod_grad_dx(g, x, v, axis=None, keepdims=False):
    """The derivative of prod_grad(g, x, axis, keepdims) with respect to x along v: g times the
    tangent of "the product of the other factors", sum_{j != i} v_j prod_{k != i, j} x_k, exact
    where x has zeros (prefix and suffix products carried with their tangents). The map is
    symmetric, so it is its own transpose (the adjoint with respect to x)."""
    x = np.asarray(x)
    dtype = _grad_dtype(g, x, v)
    g = keep_reduced(g, x, axis, keepdims)
    if x.ndim == 0:
        return g * np.zeros_like(x, dtype=dtype)
    v = np.broadcast_to(np.asarray(v, dtype=dtype), x.shape)
    axes = list(normalize_axis(axis, x.ndim))
    kept = [ax for ax in range(x.ndim) if ax not in axes]
    moved = np.transpose(x, kept + axes)
    lead = moved.shape[:len(kept)]
    flat = moved.reshape(lead + (-1,)).astype(dtype)
    dflat = np.transpose(v, kept + axes).reshape(lead + (-1,))
    n = flat.shape[-1]

    def exclusive(values, tangents):
        products, dproducts = [], []     # lists stacked at the end: no in-place writes (third derivatives)
        running, drunning = np.ones(lead, dtype=dtype), np.zeros(lead, dtype=dtype)
        for i in range(n):
            products.append(running)
            dproducts.append(drunning)
            running, drunning = running * values[..., i], drunning * values[..., i] + running * tangents[..., i]
        return np.stack(products, -1), np.stack(dproducts, -1)

    before, dbefore = exclusive(flat, dflat)
    after, dafter = exclusive(flat[..., ::-1], dflat[..., ::-1])
    after, dafter = after[..., ::-1], dafter[..., ::-1]
    dothers = (dbefore * after + before * dafter).reshape(moved.shape)
    return g * np.transpose(dothers, np.argsort(kept + axes))


def zeros_for_none(pieces, arrays):
    """The gradients of the pieces of a list, with a zero array shaped like the matching item of
    `arrays` for each piece that has none (None): the input of np.concatenate and np.stack when they
    put the gradient of a list-valued helper back together."""
    return [np.zeros(np.shape(a), dtype=_grad_dtype(a)) if p is None else p for p, a in zip(pieces, arrays)]


def _shaped_like(value, g):
    """value (a sum over items) with the shape and kind of g: a number for a number."""
    if isinstance(g, (int, float)) and not isinstance(g, bool) and np.ndim(value) == 0:
        return float(value)
    return np.broadcast_to(value, np.shape(g)).astype(_grad_dtype(g, value), copy=False)


def extreme_grad_transpose(w, g, a, ans, other=None):
    """The transpose of g -> extreme_grad(g, a, ans, other) (builtin max/min): w times the weights
    the gradient was spread with, summed back to g's shape."""
    if other is not None:
        return _shaped_like(unbroadcast(w * balanced_eq(a, ans, other), g), g)
    if isinstance(a, np.ndarray):
        mask = a == ans
        return _shaped_like(np.sum(w * mask / np.sum(mask)), g)
    hits = [bool(item == ans) for item in a]
    count = sum(hits)
    total = sum((wk / count for wk, hit in zip(w, hits) if hit and wk is not None), 0.0)
    return _shaped_like(total, g)


def sequence_grad_transpose(w, g, items):
    """The transpose of g -> sequence_grad(g, items) (builtin sum): the items' gradients added up
    (each broadcast to g's shape), or summed over the first axis for an ndarray."""
    if isinstance(items, np.ndarray):
        return _shaped_like(np.sum(w, axis=0), g)
    total = sum((wk for wk in w if wk is not None), 0.0)
    return _shaped_like(total, g)


def einsum_replaced(subscripts, operands, position, value):
    """np.einsum(subscripts, *operands) with operand `position` replaced by value: the transpose
    of g -> einsum_grad(g, subscripts, operands, position)."""
    present = [op for op in operands if op is not None]
    operands = present[:position] + [value] + present[position + 1:]
    inputs, output = einsum_operands(subscripts, operands)
    out = _einsum_of(",".join(inputs) + "->" + output, operands)
    return out.astype(_grad_dtype_of(operands), copy=False)


def _einsum_of(subscripts, operands):
    """np.einsum(subscripts, *operands) written out for the one to four operands np.einsum's rule
    takes: a call with *args is one transgrad cannot differentiate, and this is differentiated for
    third derivatives."""
    count = len(operands)
    if count == 1:
        return np.einsum(subscripts, operands[0])
    if count == 2:
        return np.einsum(subscripts, operands[0], operands[1])
    if count == 3:
        return np.einsum(subscripts, operands[0], operands[1], operands[2])
    if count == 4:
        return np.einsum(subscripts, operands[0], operands[1], operands[2], operands[3])
    raise ValueError(f"transgrad: the gradient of np.einsum takes up to four operands, not {count}")


def einsum_grad_operands(w, g, subscripts, operands, position):
    """The adjoint of einsum_grad(g, subscripts, operands, position) with respect to each operand,
    as a list (None for an operand that is None, zeros for operand `position`, read only for its
    shape): <w, einsum_grad(g, ..., position)> = <g, einsum with operand `position` set to w>,
    whose gradient for operand k is einsum_grad(g, ..., k) with that replacement."""
    present = [op for op in operands if op is not None]
    replaced = list(present)
    replaced[position] = w
    out, k = [], 0
    for op in operands:
        if op is None:
            out.append(None)
        elif k == position:
            out.append(np.zeros(np.shape(op), dtype=_grad_dtype(op)))
            k += 1
        else:
            out.append(einsum_grad(g, subscripts, replaced, k))
            k += 1
    return out


def einsum_grad_tangent(g, subscripts, operands, tangents, position):
    """The derivative of einsum_grad(g, subscripts, operands, position) with respect to the other
    operands along their tangents (it is linear in each)."""
    present = [(op, tk) for op, tk in zip(operands, tangents) if op is not None]
    total = None
    for k, (op, tk) in enumerate(present):
        if k == position or tk is None or (np.ndim(tk) == 0 and not isinstance(tk, np.ndarray) and tk == 0.0):
            continue
        replaced = [o for o, _ in present]
        replaced[k] = tk
        part = einsum_grad(g, subscripts, replaced, position)
        total = part if total is None else total + part
    if total is None:
        return np.zeros(np.shape(present[position][0]), dtype=_grad_dtype(g, present[position][0]))
    return total


def array_grad_transpose(w, g):
    """The transpose of g -> array_grad(g, obj): the (nested) list of item gradients stacked back
    into an array shaped like g (zeros for the items without one)."""
    if isinstance(w, (list, tuple)):
        return np.stack([array_grad_transpose(wk, np.asarray(g)[k]) for k, wk in enumerate(w)]).reshape(np.shape(g))
    if w is None:
        return np.zeros(np.shape(g), dtype=_grad_dtype(g))
    return _shaped_like(w, g) if np.ndim(g) == 0 else np.broadcast_to(w, np.shape(g))


def trace_matmul_grad_transpose(w, other, rows):
    """The transpose of g -> trace_matmul_grad(g, other, rows): the sum of w times the other
    factor's transpose over the slots the gradient fills."""
    t = np.swapaxes(other, 0, 1)
    n = min(rows, t.shape[0])
    return np.sum(np.asarray(w)[:n] * t[:n])


def trace_matmul_grad_other(w, g, other, rows):
    """The transpose of other -> trace_matmul_grad(g, other, rows): g times w, transposed back,
    zero in the rows of other^T the gradient drops."""
    t_shape = np.swapaxes(other, 0, 1).shape
    n = min(rows, t_shape[0])
    full = np.zeros(t_shape, dtype=_grad_dtype(g, other, w))
    full[:n] = g * np.asarray(w)[:n]
    return np.swapaxes(full, 0, 1)


def sorted_like(w, a, axis=-1):
    """The transpose of g -> unsort(g, a, axis): w read in the stable sorted order of a."""
    if axis is None:
        order = np.argsort(np.ravel(a), kind="stable")
        return np.ravel(w)[order]
    return np.take_along_axis(np.asarray(w), np.argsort(a, axis=axis, kind="stable"), axis)


def append_grad_transpose(w, arr, values, axis=None):
    """The transpose of g -> append_grad(g, arr, values, axis): the two gradients appended again
    (zeros for one that has none)."""
    first, second = zeros_for_none(w, (arr, values))
    return np.append(first, second, axis)


def _inverse_transposed(a):
    return np.swapaxes(np.linalg.inv(a), -1, -2)


def det_grad_dans(g, a):
    """The partial derivative of det_grad(g, a, ans) with respect to ans (per unit ans): g inv(a)^T.
    Second derivatives of det need an invertible a."""
    return np.expand_dims(g, (-2, -1)) * _inverse_transposed(a)


def det_grad_da(g, a, ans, v):
    """The partial derivative of det_grad(g, a, ans) with respect to a along v, holding ans fixed:
    -g ans (inv(a) v inv(a))^T. The map is its own transpose (<w, (A⁻¹ v A⁻¹)ᵀ> = <(A⁻¹ w A⁻¹)ᵀ, v>),
    so it is also the adjoint with respect to a."""
    inv = np.linalg.inv(a)
    scale = np.expand_dims(np.asarray(g) * np.asarray(ans), (-2, -1))
    return -scale * np.swapaxes(np.matmul(inv, np.matmul(v, inv)), -1, -2)


def solve_like(a, w, b):
    """inv(a) w, with w a vector when b is one (the transpose of solve_transposed(a, ., b))."""
    if np.ndim(b) == 1:
        return np.linalg.solve(a, np.asarray(w)[..., None])[..., 0]
    return np.linalg.solve(a, w)


def transposed_times(v, gb, b):
    """vᵀ gb, with gb a vector when b is one: the derivative of solve_transposed(a, g, b) with
    respect to a along v is -solve_transposed(a, transposed_times(v, result, b), b)."""
    vt = np.swapaxes(v, -1, -2)
    if np.ndim(b) == 1:
        return np.matmul(vt, np.asarray(gb)[..., None])[..., 0]
    return np.matmul(vt, gb)


def solve_grad_a_left(w, x, b):
    """The transpose of gb -> solve_grad_a(gb, x, b) = -gb xᵀ: -w x."""
    if np.ndim(b) == 1:
        return -np.matmul(w, np.asarray(x)[..., None])[..., 0]
    return -np.matmul(w, x)


def solve_grad_a_right(w, gb, b):
    """The transpose of x -> solve_grad_a(gb, x, b) = -gb xᵀ: -wᵀ gb."""
    return -transposed_times(w, gb, b)


# sinc''(x) = sum_{k>=1} (-1)^k pi^(2k) (2k)(2k-1) x^(2k-2) / (2k+1)!, the coefficient of x^(2k-2)
_SINC_CURVATURE_SERIES = [(-1) ** k * math.pi ** (2 * k) * (2 * k) * (2 * k - 1) / math.factorial(2 * k + 1)
                          for k in range(1, 10)]


def sinc_curvature(x):
    """The second derivative of np.sinc: (-pi sin(pi x) - 2 sinc'(x)) / x; near 0 its Taylor series
    (-pi^2 / 3 at 0), so that the derivatives of this, too, are right at 0."""
    x = np.asarray(x)
    small, safe, series = _near_zero(x, _SINC_CURVATURE_SERIES)
    value = (-np.pi * np.sin(np.pi * safe) - 2 * sinc_slope(safe)) / safe
    return np.where(small, series, value).astype(_grad_dtype(x), copy=False)


def polyval_grad_p_dx(g, p, x, v):
    """The derivative of polyval_grad_p(g, p, x) with respect to x along v:
    sum of g v (n-1-i) x**(n-2-i) for each coefficient i."""
    n = len(p)
    exponents = np.arange(n - 1, -1, -1)
    xa = np.asarray(x)[..., None]
    slopes = exponents * np.where(exponents > 0, xa, 1.0) ** np.maximum(exponents - 1, 0)
    weight = np.reshape(np.asarray(g) * np.asarray(v) * np.ones(np.shape(x)), np.shape(x) + (1,))
    out = np.sum(weight * slopes, axis=tuple(range(np.ndim(x))))
    return list(out) if isinstance(p, list) else out.astype(_grad_dtype(g, p), copy=False)


def polyder_transpose(w, p):
    """The transpose of p -> polyder(p): w_j (n-1-j) for the first n-1 coefficients, 0 for the last."""
    n = len(p)
    out = np.zeros(n, dtype=_grad_dtype(w, p))
    if n > 1:
        out[:-1] = np.asarray(w) * np.arange(n - 1, 0, -1)
    return list(out) if isinstance(p, list) else out


def slogdet_grad_transpose(w, a, ans):
    """The transpose of g -> slogdet_grad(g, a, ans): [0 for the sign, sum of w inv(a)^T for the
    log-determinant]."""
    log_part = np.sum(np.asarray(w) * _inverse_transposed(a), axis=(-2, -1))
    return [np.zeros(np.shape(ans[0]), dtype=_grad_dtype(a)), log_part]


def _chol_phi(x):
    """The lower triangle with half the diagonal (its own transpose as a linear map)."""
    return np.tril(x) - 0.5 * np.eye(np.shape(x)[-1]) * x


def cholesky_grad_dL(g, L, v, upper=False):
    """The derivative of cholesky_grad(g, L, upper) with respect to L along v."""
    swap = lambda m: np.swapaxes(m, -1, -2)  # noqa: E731
    if upper:
        L, g, v = swap(L), swap(g), swap(v)
    linv = np.linalg.solve(L, np.broadcast_to(np.eye(np.shape(L)[-1]), np.shape(L)))
    phi = _chol_phi(np.matmul(swap(L), g))
    dphi = _chol_phi(np.matmul(swap(v), g))
    dlinv = -np.matmul(linv, np.matmul(v, linv))
    ds = (np.matmul(swap(dlinv), np.matmul(phi, linv)) + np.matmul(swap(linv), np.matmul(dphi, linv))
          + np.matmul(swap(linv), np.matmul(phi, dlinv)))
    out = _sym_tri((ds + swap(ds)) / 2, lower=True)
    return swap(out) if upper else out


def cholesky_grad_dL_transpose(w, g, L, upper=False):
    """The transpose of v -> cholesky_grad_dL(g, L, v, upper): the adjoint of cholesky_grad with
    respect to L."""
    swap = lambda m: np.swapaxes(m, -1, -2)  # noqa: E731
    if upper:
        L, g, w = swap(L), swap(g), swap(w)
    eye = np.eye(np.shape(L)[-1])
    sbar = np.tril(w) + swap(np.tril(w)) - eye * w      # the transpose of _sym_tri after symmetrizing
    linv = np.linalg.solve(L, np.broadcast_to(eye, np.shape(L)))
    m = np.matmul(swap(linv), np.matmul(_chol_phi(np.matmul(swap(L), g)), linv))
    y = _chol_phi(np.matmul(linv, np.matmul(sbar, swap(linv))))
    right = np.matmul(sbar, swap(linv))
    out = -np.matmul(m, right) - np.matmul(swap(m), right) + np.matmul(g, swap(y))
    return swap(out) if upper else out


def convolve_mode_part(w, g, n, m, mode="full"):
    """The transpose of g -> convolve_full(g, n, m, mode): the slots of w the `mode` output keeps."""
    if mode == "full":
        return w
    start = (min(n, m) - 1) // 2 if mode == "same" else min(n, m) - 1
    return np.asarray(w)[start:start + np.shape(g)[0]]


# ----- third derivatives: the adjoint of rt.grad_like -----


def like_grad(h, g):
    """The adjoint of rt.grad_like(g, x) with respect to g: grad_like sums g back to x's shape
    (or passes None and containers through), so its adjoint spreads h back over g's shape."""
    if g is None or h is None:
        return None
    if isinstance(g, dict):
        return {k: like_grad(getitem(h, k) if isinstance(h, dict) else None, v) for k, v in g.items()}
    if isinstance(g, (list, tuple)):
        items = h if isinstance(h, (list, tuple)) else [None] * len(g)
        return [like_grad(hk, gk) for hk, gk in zip(items, g)]
    if is_record(g):
        return h
    return np.broadcast_to(h, np.shape(g)) if np.shape(h) != np.shape(g) else h


# ----- more derivatives of runtime helpers -----
# Each helper below is the gradient of <g, f(theta)> for a primal function f: linear in g, so its
# transpose in g is the tangent of f along the cotangent w, and its derivative in theta is the
# Hessian of <g, f>, a symmetric map (its own transpose). Where a helper reads a primal result as an
# argument of its own (cumprod's y, eigh's ans), the rules differentiate the helper as written.


def _cumprod_last(x, axis, *others):
    """x and `others` with the cumulative axis last (flattened for axis=None), and the axis."""
    items = [x]
    items.extend(others)    # not [x] + [...]: a list concatenation the compiler cannot see in generated code
    if axis is None:
        return [None if o is None else np.ravel(np.asarray(o)) for o in items], 0
    return [None if o is None else np.moveaxis(np.asarray(o), axis, -1) for o in items], axis


def _cumprod_back(out, axis, shape):
    return np.moveaxis(out, -1, axis).reshape(shape)


def _cumprod_others(x, skip):
    """prod_{j <= k, j not in skip} x_j for every k (the cumulative product with the factors in
    `skip` left out), exact where x has zeros."""
    kept = _kept_positions(np.shape(x)[-1], skip)
    return np.cumprod(np.where(kept, np.asarray(x, dtype=_grad_dtype(x)), 1.0), -1)


def _kept_positions(n, skip):
    """A boolean mask of length n, False at the positions in `skip` (a constant)."""
    kept = np.ones(n, dtype=bool)
    kept[list(skip)] = False
    return kept


def cumprod_grad_dg(w, g, x, y, axis=None):
    """The transpose of g -> cumprod_grad(g, x, y, axis), shaped like g: y_k sum_{i<=k} w_i / x_i
    when x has no zeros (the helper reads y there), else sum_{i<=k} w_i prod_{j<=k, j!=i} x_j."""
    (x, w, y), ax = _cumprod_last(x, axis, w, y)
    if np.all(x != 0):
        out = y * np.cumsum(w / x, -1)
    else:
        n = x.shape[-1]
        out = np.zeros(np.broadcast_shapes(x.shape, w.shape), dtype=_grad_dtype(w, x))
        for i in range(n):   # w_i's share of every k >= i, added without writing into out
            later = _kept_positions(n, range(i))
            out = out + np.where(later, w[..., i:i + 1] * _cumprod_others(x, [i]), 0.0)
    return _cumprod_back(out, ax, np.shape(g))


def cumprod_grad_dx(g, x, y, v, axis=None):
    """The derivative of cumprod_grad(g, x, y, axis) with respect to x along v, shaped like x: -out v / x
    when x has no zeros, else sum_m v_m sum_{k>=max(i,m)} g_k prod_{j<=k, j!=i,m} x_j. Symmetric, so it
    is also the adjoint with respect to x."""
    shape = np.shape(x)
    if np.all(np.asarray(x) != 0):
        return -cumprod_grad(g, x, y, axis) * np.asarray(v) / np.asarray(x)
    (x, g, v), ax = _cumprod_last(x, axis, g, v)
    v = np.broadcast_to(v, x.shape)
    n = x.shape[-1]
    columns = []     # one column per i, stacked at the end: no in-place writes (third derivatives)
    for i in range(n):
        column = np.zeros(np.broadcast_shapes(x.shape, g.shape)[:-1], dtype=_grad_dtype(g, x, v))
        for m in range(n):
            if m != i:
                k0 = max(i, m)
                column = column + v[..., m] * np.sum(g[..., k0:] * _cumprod_others(x, [i, m])[..., k0:], -1)
        columns.append(column)
    return _cumprod_back(np.stack(columns, -1), ax, shape)


def cumprod_grad_dy(g, x, v, axis=None):
    """The derivative of cumprod_grad(g, x, y, axis) with respect to y along v (shaped like x): the
    helper reads y only when x has no zeros, linearly."""
    if np.all(np.asarray(x) != 0):
        return cumprod_grad(g, x, v, axis)
    return np.zeros(np.shape(x), dtype=_grad_dtype(g, x))


def cumprod_grad_dy_transpose(w, g, x, axis=None):
    """The transpose of v -> cumprod_grad_dy(g, x, v, axis), shaped like y: g_k sum_{i<=k} w_i / x_i."""
    if not np.all(np.asarray(x) != 0):
        return np.zeros(np.shape(g), dtype=_grad_dtype(g, x))
    shape = np.shape(g)
    (x, w, g), ax = _cumprod_last(x, axis, w, g)
    return _cumprod_back(g * np.cumsum(w / x, -1), ax, shape)


def _eigh_parts(g, a, ans, UPLO, vectors):
    """(w, v, gw, gv, f) of eigh_grad: eigenvalues, eigenvectors, their cotangents (gv None when
    there is none) and f_ij = 1 / (w_j - w_i) for distinct pairs, 0 for tied ones."""
    if vectors:
        w, v = ans
        gw, gv = output_grad(g, ans, 0), (None if g is None else g[1])
    else:
        w, v = np.linalg.eigh(a, UPLO)
        gw, gv = g, None
    gap = w[..., None, :] - w[..., :, None]
    scale = np.max(np.abs(w), axis=-1, keepdims=True)[..., None] + 1.0
    distinct = np.abs(gap) > 1e-10 * scale
    f = np.where(distinct, 1.0 / np.where(distinct, gap, 1.0), 0.0)
    return w, v, gw, gv, f


def _diag_of(m):
    return np.diagonal(m, 0, -2, -1)


def eigh_grad_tangent(tg, ta, tans, g, a, ans, UPLO="L", vectors=True):
    """The tangent of eigh_grad(g, a, ans, UPLO, vectors) along tg, ta and tans. For vectors=False
    the helper recomputes the eigenvectors of a: d(V diag(g) V^T) = V (K o (V^T dA V)) V^T with
    K_ij = (g_j - g_i) / (w_j - w_i); for vectors=True it reads ans = (w, v) and not a."""
    lower = UPLO.upper() == "L"
    w, v, gw, gv, f = _eigh_parts(g, a, ans, UPLO, vectors)
    vt = np.swapaxes(v, -1, -2)
    tg, ta, tans = (None if _no_tangent(x) else x for x in (tg, ta, tans))
    if vectors:
        tg = None if tg is None else [None if _no_tangent(x) else x for x in tg]
        tans = None if tans is None else [None if _no_tangent(x) else x for x in tans]
    if not vectors:
        ds = 0.0
        if tg is not None:
            ds = np.matmul(v * np.expand_dims(tg, -2), vt)
        if ta is not None:
            k = f * (gw[..., None, :] - gw[..., :, None])
            ds = ds + np.matmul(v, np.matmul(k * np.matmul(vt, np.matmul(_symmetric_from(ta, lower), v)), vt))
        return _sym_tri(ds + np.zeros(np.shape(a)), lower)
    tgw, tgv = (None, None) if tg is None else (tg[0], tg[1])
    tw, tv = (None, None) if tans is None else (tans[0], tans[1])
    p = 0.0 if gv is None else f * np.matmul(vt, gv)
    ds = np.zeros(np.shape(v), dtype=_grad_dtype(v, gw))
    if tv is not None:
        dp = _diag_plus(gw, p)
        ds = ds + np.matmul(tv, np.matmul(dp, vt)) + np.matmul(v, np.matmul(dp, np.swapaxes(tv, -1, -2)))
    if tgw is not None:
        ds = ds + np.matmul(v * np.expand_dims(tgw, -2), vt)
    inner = 0.0
    if gv is not None and tw is not None:
        inner = inner - f * f * (tw[..., None, :] - tw[..., :, None]) * np.matmul(vt, gv)
    if gv is not None and tv is not None:
        inner = inner + f * np.matmul(np.swapaxes(tv, -1, -2), gv)
    if tgv is not None:
        inner = inner + f * np.matmul(vt, tgv)
    if np.ndim(inner) > 0:
        ds = ds + np.matmul(v, np.matmul(inner, vt))
    return _sym_tri(ds, lower)


def _no_tangent(x):
    """A tangent that is None or a scalar zero (a constant argument's)."""
    return x is None or (not isinstance(x, (list, tuple)) and np.ndim(x) == 0 and x == 0)


def _diag_plus(gw, p):
    """diag(gw) + p."""
    return np.eye(np.shape(gw)[-1]) * np.expand_dims(gw, -2) + p


def eigh_grad_adjoint(wbar, g, a, ans, UPLO="L", vectors=True):
    """The adjoint of eigh_grad(g, a, ans, UPLO, vectors) for [g, a, ans], from the cotangent wbar of
    its result (the transpose of eigh_grad_tangent)."""
    lower = UPLO.upper() == "L"
    w, v, gw, gv, f = _eigh_parts(g, a, ans, UPLO, vectors)
    vt = np.swapaxes(v, -1, -2)
    big = _symmetric_from(wbar, lower)
    y = np.matmul(vt, np.matmul(big, v))
    if not vectors:
        k = f * (gw[..., None, :] - gw[..., :, None])
        da = _sym_tri(np.matmul(v, np.matmul(k * y, vt)), lower)
        return [_diag_of(y), da, np.zeros(np.shape(ans), dtype=_grad_dtype(ans))]
    p = 0.0 if gv is None else f * np.matmul(vt, gv)
    dgw = _diag_of(y)
    dgv = None if g is None or g[1] is None else np.matmul(v, y * f)
    dv = 2 * np.matmul(big, v) * np.expand_dims(gw, -2)
    if gv is None:
        dw = np.zeros(np.shape(w), dtype=_grad_dtype(w))
    else:
        b = np.matmul(vt, gv)
        z = -y * b * f * f
        dw = np.sum(z, -2) - np.sum(z, -1)
        dv = dv + np.matmul(big, np.matmul(v, p + np.swapaxes(p, -1, -2))) + np.matmul(gv, np.swapaxes(y * f, -1, -2))
    dg = None if g is None else [dgw if g[0] is not None else None, dgv]
    return [dg, np.zeros(np.shape(a), dtype=_grad_dtype(a)), [dw, dv]]


def fft_grad_transpose(w, g, a, n=None, axis=-1, norm=None, inverse=False):
    """The transpose of g -> fft_grad(g, a, n, axis, norm, inverse): w cut or padded to g's length,
    then the same (symmetric) transform; real for a real g."""
    fitted = _fit(np.asarray(w), np.shape(g)[axis], axis)
    if inverse:
        out = np.fft.ifft(fitted, axis=axis, norm=norm)
    else:
        out = np.fft.fft(fitted, axis=axis, norm=norm)
    return real_like(out, g)


def rfft_grad_transpose(w, g, a, n=None, axis=-1, norm=None):
    """The transpose of g -> rfft_grad(g, a, n, axis, norm) (the real part of a complex-linear map M:
    M^T w): w padded to the full length, the (symmetric) DFT, cut to g's length."""
    size = np.shape(a)[axis] if n is None else n
    full = np.fft.fft(_fit(np.asarray(w), size, axis), axis=axis, norm=norm)
    return real_like(_fit(full, np.shape(g)[axis], axis), g)


def irfft_grad_transpose(w, g, a, n=None, axis=-1, norm=None):
    """The transpose of g -> irfft_grad(g, a, n, axis, norm) for the real g: Re(conj(R)^T (c w)), with
    R the rfft matrix and c the bin weights times the scale: size * ifft of the weighted w padded to
    the full length."""
    size = np.shape(g)[axis]
    bins = size // 2 + 1
    weights = np.full(bins, 2.0)
    weights[0] = 1.0
    if size % 2 == 0:
        weights[-1] = 1.0
    shape = [1] * np.ndim(g)
    shape[axis] = bins
    scale = {None: 1.0 / size, "backward": 1.0 / size, "ortho": 1.0 / np.sqrt(size), "forward": 1.0}[norm]
    u = _fit(np.asarray(w), bins, axis) * weights.reshape(shape) * scale
    out = np.real(np.fft.ifft(_fit(u, size, axis), axis=axis) * size)
    return out.astype(_grad_dtype(g), copy=False)


def imag_grad_transpose(w, g, x):
    """The transpose of g -> imag_grad(g, x) = -1j Re(g): Im(w) for a complex x, else 0."""
    return np.imag(w) if np.iscomplexobj(x) else np.zeros(np.shape(g), dtype=_grad_dtype(g))


def matrix_power_grad_da(g, a, v, n):
    """The derivative of matrix_power_grad(g, a, n) with respect to a along v (the Hessian of
    <g, a^n>, so also the adjoint with respect to a)."""
    if n == 0:
        return np.zeros(np.shape(a), dtype=_grad_dtype(g, a, v))
    if n < 0:
        b = np.linalg.inv(a)
        db = -np.matmul(b, np.matmul(v, b))
        gb = matrix_power_grad(g, b, -n)
        dgb = matrix_power_grad_da(g, b, db, -n)
        bt, dbt = np.swapaxes(b, -1, -2), np.swapaxes(db, -1, -2)
        return -(np.matmul(dbt, np.matmul(gb, bt)) + np.matmul(bt, np.matmul(dgb, bt)) + np.matmul(bt, np.matmul(gb, dbt)))
    p, dp = np.swapaxes(a, -1, -2), np.swapaxes(v, -1, -2)
    powers = [np.broadcast_to(np.eye(np.shape(a)[-1]), np.shape(a))]
    dpowers = [np.zeros(np.shape(a))]
    for _ in range(n - 1):
        powers.append(np.matmul(powers[-1], p))
        dpowers.append(np.matmul(dpowers[-1], p) + np.matmul(powers[-2], dp))
    return sum(np.matmul(dpowers[k], np.matmul(g, powers[n - 1 - k])) + np.matmul(powers[k], np.matmul(g, dpowers[n - 1 - k]))
               for k in range(n))


def multi_dot_grad_da(g, arrays, vs):
    """The derivative of multi_dot_grad(g, arrays) with respect to the arrays along vs (a list, None
    for no tangent): the Hessian of <g, multi_dot(arrays)>, so also the adjoint for the arrays."""
    out = [np.zeros(np.shape(m), dtype=_grad_dtype(g, m)) for m in arrays]
    for j, vj in enumerate(vs):
        if vj is None:
            continue
        replaced = list(arrays)
        replaced[j] = vj
        parts = multi_dot_grad(g, replaced)
        for k in range(len(arrays)):
            if k != j:
                out[k] = out[k] + parts[k]
    return out


def multi_dot_grad_tangent(tg, g, arrays, tarrays):
    """The tangent of multi_dot_grad(g, arrays): multi_dot_grad(tg, arrays) + the arrays' part."""
    out = multi_dot_grad_da(g, arrays, [None] * len(arrays) if tarrays is None else list(tarrays))
    if tg is not None:
        out = [o + p for o, p in zip(out, multi_dot_grad(tg, arrays))]
    return out
