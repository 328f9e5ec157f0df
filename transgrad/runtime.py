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


# ----- helpers for the numpy, linalg and scipy rules added for full target coverage -----


def masked_div(g, den):
    """g / den, but exactly 0 where g is 0: a branch masked by np.where (np.where(x > 0, np.sqrt(x), 0))
    passes a zero cotangent, and its infinite or nan derivative must not turn that zero into nan."""
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
    """Gradient of np.imag(x): -1j * g (JAX/autograd convention); 0 for a real x."""
    if np.iscomplexobj(x):
        return -1j * np.asarray(g)
    return np.zeros_like(g)


def astype_grad(g, x, y):
    """Gradient of x.astype(dtype): g cast back to x's dtype for a floating target; 0 for an integer or
    boolean target (the cast stops the gradient, like PyTorch's .long())."""
    if not np.issubdtype(np.asarray(y).dtype, np.inexact):
        return np.zeros(np.shape(x), dtype=_grad_dtype(x))
    g = real_like(g, x)
    dtype = np.asarray(x).dtype
    return np.asarray(g).astype(dtype if np.issubdtype(dtype, np.inexact) else float, copy=False)


def no_gradient(callee, parameter, value):
    """Raise NonDifferentiableError: an input that carries a gradient reaches a parameter the rule keeps constant."""
    from transgrad.errors import NonDifferentiableError
    raise NonDifferentiableError(callee, None, f"its argument {parameter!r} is treated as a constant; "
                                 "wrap it in tg.detach(...) if that is what you want")


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
    """Gradients of np.cov(m, y) for m and y: (G + G^T) Xc / (N - ddof) for the stacked variables X."""
    def rows(v):
        v = np.atleast_2d(np.asarray(v))
        return v if rowvar else v.T
    parts = [rows(m)] + ([] if y is None else [rows(y)])
    x = np.concatenate(parts, 0)
    n = x.shape[1]
    ddof = (0 if bias else 1) if ddof is None else ddof
    g = np.reshape(g, (x.shape[0], x.shape[0]))
    xc = x - x.mean(axis=1, keepdims=True)
    gx = (g + g.T) @ xc / (n - ddof)
    pieces = np.split(gx, np.cumsum([p.shape[0] for p in parts])[:-1], 0)
    out = [(p if rowvar else p.T).reshape(np.shape(v)) for p, v in zip(pieces, [m, y])]
    return out


def trapezoid_grad_y(g, y, x=None, dx=1.0, axis=-1):
    """Gradient of np.trapezoid for the values y: trapezoid weights along `axis`."""
    y = np.asarray(y)
    axis = axis % y.ndim
    n = y.shape[axis]
    if x is None:
        w = np.full(n, float(dx))
        w[0] = w[-1] = dx / 2.0
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
        pad0[axis], pad1[axis] = (1, 0), (0, 1)
        w = (np.pad(steps, pad0) + np.pad(steps, pad1)) / 2.0
    return np.expand_dims(g, axis) * w


def trapezoid_grad_x(g, y, x, axis=-1):
    """Gradient of np.trapezoid for the sample points x."""
    y = np.asarray(y)
    axis = axis % y.ndim
    means = (np.take(y, range(1, y.shape[axis]), axis) + np.take(y, range(0, y.shape[axis] - 1), axis)) / 2.0
    pad0 = [(0, 0)] * y.ndim
    pad1 = [(0, 0)] * y.ndim
    pad0[axis], pad1[axis] = (1, 0), (0, 1)
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
    g = np.asarray(g).reshape(mats[0].shape[0], mats[-1].shape[1])
    grads = []
    for k in range(len(mats)):
        left = np.linalg.multi_dot(mats[:k]) if k > 1 else (mats[0] if k == 1 else None)
        right = np.linalg.multi_dot(mats[k + 1:]) if len(mats) - k > 2 else (mats[-1] if k == len(mats) - 2 else None)
        gk = g if right is None else g @ right.T
        gk = gk if left is None else left.T @ gk
        grads.append(np.reshape(gk, np.shape(arrays[k])))
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


def eigh_grad(g, a, ans, UPLO="L", vectors=True):
    """Gradient of np.linalg.eigh / eigvalsh. Repeated eigenvalues: the eigenvector part ignores pairs
    with equal eigenvalues (F_ij = 0), exact when the loss does not depend on the basis chosen in an
    eigenspace. The result lives on the triangle numpy reads (UPLO)."""
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
        f = np.where(np.abs(gap) > 1e-10 * scale, 1.0 / np.where(gap == 0, 1.0, gap), 0.0)
        s = s + np.matmul(v, np.matmul(f * np.matmul(vt, gv), vt))
    return _sym_tri(s, lower=UPLO.upper() == "L")


def slogdet_grad(g, a, ans):
    """Gradient of np.linalg.slogdet for the log-determinant: g inv(a)^T (the sign is a constant)."""
    glog = output_grad(g, ans, 1)
    return np.expand_dims(glog, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


def svd_grad(g, a, ans, full_matrices=True, compute_uv=True):
    """Gradient of np.linalg.svd (Townsend 2016). Repeated singular values: pairs with equal values are
    left out of the singular-vector part (F_ij = 0). full_matrices=True is accepted only for square inputs."""
    a = np.asarray(a)
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
    f = np.where(np.abs(gap) > 1e-12 * (np.max(s, -1, keepdims=True)[..., None] ** 2 + 1), 1.0 / np.where(gap == 0, 1, gap), 0.0)
    utgu, vtgv = np.matmul(ut, gu), np.matmul(vt, gv)
    inner = (f * (utgu - np.swapaxes(utgu, -1, -2))) * s[..., None, :] \
        + np.eye(k) * gs[..., :, None] + s[..., :, None] * (f * (vtgv - np.swapaxes(vtgv, -1, -2)))
    out = np.matmul(u, np.matmul(inner, vt))
    sinv = np.where(s == 0, 0.0, 1.0 / np.where(s == 0, 1, s))
    if m > k:
        out = out + np.matmul(gu - np.matmul(u, utgu), np.swapaxes(v * sinv[..., None, :], -1, -2))
    if n > k:
        out = out + np.matmul(u * sinv[..., None, :], np.swapaxes(gv, -1, -2) - np.matmul(vtgv, vt))
    return out


def qr_grad(g, a, ans):
    """Gradient of np.linalg.qr (reduced, m >= n): (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q."""
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
    from scipy.linalg import expm
    n = np.shape(a)[-1]
    big = np.zeros((2 * n, 2 * n), dtype=np.result_type(a, g))
    big[:n, :n] = big[n:, n:] = np.transpose(a)
    big[:n, n:] = g
    return expm(big)[:n, n:]


def solve_triangular_grads(g, a, b, x, trans=0, lower=False, unit_diagonal=False):
    """Gradients of scipy.linalg.solve_triangular for a (on the triangle it reads) and b."""
    from scipy.linalg import solve_triangular
    transposed = trans in (1, "T", "C")
    gb = solve_triangular(a, g, trans=0 if transposed else 1, lower=lower, unit_diagonal=unit_diagonal)
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
    size = g.shape[axis]
    spec = np.conj(np.fft.rfft(g, axis=axis))
    weights = np.full(spec.shape[axis], 2.0)
    weights[0] = 1.0
    if size % 2 == 0:
        weights[-1] = 1.0
    shape = [1] * np.ndim(spec)
    shape[axis] = len(weights)
    scale = {None: 1.0 / size, "backward": 1.0 / size, "ortho": 1.0 / np.sqrt(size), "forward": 1.0}[norm]
    return real_like(_fit(spec * weights.reshape(shape) * scale, np.shape(a)[axis], axis), a)


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


def special(name, *args):
    """scipy.special.<name>(*args), imported when first needed (scipy is optional)."""
    import scipy.special
    return getattr(scipy.special, name)(*args)


def angle_grad(g, z, deg=False):
    """Gradient of np.angle: -1j g / z for a complex z (0 at z = 0); 0 for a real z."""
    scale = 180 / np.pi if deg else 1.0
    if not np.iscomplexobj(z):
        return np.zeros_like(g)
    z = np.asarray(z)
    return np.where(z == 0, 0, -1j * scale * np.asarray(g) / np.where(z == 0, 1, z))


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
    out = (np.fft.ifftn if inverse else np.fft.fftn)(g, axes=axes, norm=norm)
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
