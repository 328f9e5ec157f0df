"""The small runtime that generated gradient code calls, and nothing else.

Generated code imports only numpy and this module (as `rt`). Adjoints of
values that may or may not have received a gradient yet are `None` where a
branch or loop joins ("None is zero"); everywhere else the compiler knows
statically and emits plain numpy.
"""
import numpy as np

# ----- shapes and broadcasting -----


def unbroadcast(g, x):
    """Sum the gradient `g` back to the shape of the operand `x` it broadcast from.

    Idea from HIPS autograd's `unbroadcast`: sum over the leading axes that
    broadcasting added and over the axes where `x` has length 1.
    """
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


def add_at(dx, index, g):
    """Accumulate `g` into the slots `index` of the gradient buffer `dx`, in place.

    Repeated integer indices accumulate (np.add.at semantics); containers
    accumulate into their items.
    """
    if isinstance(dx, (list, dict)):
        if isinstance(index, slice):
            positions = range(len(dx))[index]
            for k, gk in zip(positions, g):
                dx[k] = add(dx[k], gk)
        else:
            dx[index] = add(dx[index], g)
        return dx
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


def call_rule(rule, count, g, ans, *args, **kwargs):
    """Call a tg.adjoint rule; always a tuple with one cotangent (or None) per argument."""
    grads = rule(g, ans, *args, **kwargs)
    if count == 1 and not isinstance(grads, tuple):
        grads = (grads,)
    if not isinstance(grads, tuple) or len(grads) != count:
        raise ValueError(f"the adjoint rule {getattr(rule, '__name__', rule)} must return a tuple of "
                         f"{count} cotangents (None where there is none), got {type(grads).__name__}")
    return grads


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
    """A copy of an argument the function updates in place, so the caller's value is never changed."""
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
    if ord == np.inf or ord == -np.inf:
        return np.sign(x) * select_max(g, np.abs(x), ans, axis, keepdims)
    if ord == 0:
        return np.zeros_like(x)
    ans = keep_reduced(ans, x, axis, keepdims)
    g = keep_reduced(g, x, axis, keepdims)
    if ord == 1:
        return g * np.sign(x)
    safe = np.where(ans == 0, 1.0, ans)
    if ord in (None, 2, "fro"):
        return np.where(ans == 0, 0.0, g * x / safe)
    p = float(ord)
    return np.where(ans == 0, 0.0, g * np.sign(x) * (np.abs(x) / safe) ** (p - 1))


def float_like(g, x):
    """Cast a finished gradient to its input's type: float32 stays float32, float stays float."""
    if type(x) is float:
        return g if type(g) is float else float(np.real(g))
    if isinstance(x, np.ndarray):
        g = np.asarray(g)
        if g.shape != x.shape:
            g = np.broadcast_to(g, x.shape)
        if g.dtype != x.dtype and np.issubdtype(x.dtype, np.inexact):
            g = g.astype(x.dtype)
        return g if g.flags.writeable else np.array(g)
    if isinstance(x, np.generic):
        return x.dtype.type(g)
    return g


# ----- helpers for numpy rules -----
# Small helpers the templates in rules/numpy_rules.py, linalg_rules.py,
# math_rules.py and builtin_rules.py call when a rule needs more than one
# numpy expression (axis logic, lists of gradients, singular points).


def _grad_dtype(*values):
    """The floating dtype a gradient for these values should have (float64 unless they are float32/16)."""
    dtypes = [np.asarray(v).dtype for v in values]
    floating = [t for t in dtypes if np.issubdtype(t, np.floating)]
    return np.result_type(*floating) if floating else np.dtype(float)


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
