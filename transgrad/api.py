"""The public entry points: grad, value_and_grad, vjp and adjoint.

This layer normalizes `wrt`, checks the arguments a user passes, builds the
cache key (function, wrt, mode, structure of the wrt inputs) and turns the
generated code's raw gradients into what the contract promises: the input's
structure, shape and dtype, a Python float for a Python float.
"""
import copy
import functools
import inspect
import weakref

import numpy as np

from transgrad import cache, runtime
from transgrad.driver import BY_FILENAME
from transgrad.frontend.parse import is_compiled, parse_function, unwrap
from transgrad.rules import registry
from transgrad.analysis.dtypes import holds_complex as _holds_complex
from transgrad.errors import NonDifferentiableError


# ----- wrt -----

def _parameters(function):
    try:
        return list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return []


def _normalize_wrt(function, wrt):
    """(tuple of parameter names, whether the user asked for a tuple)."""
    as_tuple = isinstance(wrt, (tuple, list))
    items = tuple(wrt) if as_tuple else (wrt,)
    if as_tuple and not items:
        raise ValueError("wrt must name at least one parameter")
    parameters = _parameters(function)
    if not parameters and not inspect.isfunction(function) and not is_compiled(function):
        parse_function(function)   # a builtin or ufunc without a signature: SourceUnavailableError
    params = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    names = [p.name for p in params]
    chosen = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise TypeError(f"wrt must be a parameter position (int), a parameter name (str) or a tuple of "
                            f"those; got {item!r}")
        if isinstance(item, int):
            if not -len(names) <= item < len(names):
                raise ValueError(f"wrt={item} is out of range: {getattr(function, '__name__', function)} takes "
                                 f"{len(names)} parameter(s) ({', '.join(names)})")
            chosen.append(names[item])
        else:
            if item not in names:
                raise ValueError(f"wrt={item!r} is not a parameter of {getattr(function, '__name__', function)}; "
                                 f"its parameters are: {', '.join(names)}")
            chosen.append(item)
    return tuple(chosen), as_tuple


# ----- inputs and outputs -----

def _depth(value, where):
    """Nesting depth of a pytree of arrays; rejects integer and boolean inputs."""
    kind = type(value)
    if kind is float or (kind is np.ndarray and value.dtype.kind in "fc"):
        return 0
    if isinstance(value, dict):
        return 1 + max((_depth(v, where) for v in value.values()), default=0)
    if isinstance(value, (list, tuple)):
        return 1 + max((_depth(v, where) for v in value), default=0)
    if runtime.is_record(value):
        fields = [v for v in vars(value).values() if _differentiable(v)]
        return 1 + max((_depth(v, where) for v in fields), default=0)
    dtype = np.asarray(value).dtype if isinstance(value, (np.ndarray, np.generic, float, int)) else None
    if dtype is None:
        raise TypeError(f"cannot differentiate with respect to {where}: a {type(value).__name__} is not a "
                        "float, an array of floats, or a dict/list/tuple of those")
    if not np.issubdtype(dtype, np.inexact):
        raise TypeError(f"only floating-point inputs can be differentiated, but {where} has dtype {dtype}"
                        f"{' (a Python int: pass a float such as 3.0)' if isinstance(value, int) else ''}")
    return 0


def _rank(value):
    """The rank a gradient is specialised for: a real array's ndim, 0 for a Python float or int, else
    None (a complex array too, so that only arguments of unknown rank are searched for complex values)."""
    kind = type(value)
    if kind is np.ndarray:
        return value.ndim if value.dtype.kind != "c" else None
    return 0 if kind is float or kind is int else None


def _differentiable(value):
    """Can this attribute of a plain object carry a gradient (other attributes are constants)?"""
    if isinstance(value, (dict, list, tuple)) or runtime.is_record(value):
        return True
    return isinstance(value, (float, np.ndarray, np.generic)) and np.issubdtype(np.asarray(value).dtype, np.inexact)


def _finalize(grad, value):
    """A raw gradient shaped, typed and structured like its input."""
    if type(grad) is np.ndarray and type(value) is np.ndarray and grad.dtype == value.dtype \
            and grad.shape == value.shape and (grad.base is None or grad.flags.writeable):
        return grad   # an array that owns its memory is writeable (the check is the slow part)
    if type(value) is float and type(grad) is float:
        return grad
    if isinstance(value, dict):
        grad = grad if isinstance(grad, dict) else {}
        return {k: _finalize(grad.get(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        grad = grad if isinstance(grad, (list, tuple)) else [None] * len(value)
        items = [_finalize(g, v) for g, v in zip(grad, value)]
        return type(value)(items) if not hasattr(value, "_fields") else type(value)(*items)
    if runtime.is_record(value):
        grad = grad if isinstance(grad, dict) else {}
        result = copy.copy(value)
        for name, field in vars(value).items():
            if _differentiable(field):
                setattr(result, name, _finalize(grad.get(name), field))
        return result
    if grad is None:
        grad = runtime.zeros_like(value)
    return runtime.float_like(grad, value)


def _wraps(wrapper, function):
    """functools.update_wrapper, except that a compiled transgrad object's instance dictionary (its
    compiled state) is not copied into the wrapper: only names and docs."""
    updated = () if is_compiled(function) else functools.WRAPPER_UPDATES
    functools.update_wrapper(wrapper, function, updated=updated)


_ndarray = np.ndarray
# what the generated joint function returns, for the fast path of GradFunction.__call__
_BARE, _TUPLE, _PRESERVED = "bare gradient", "tuple of gradients", "(value, gradients)"


class _FastPath:
    """What a call with one float or array argument needs to skip the generic plumbing: the type,
    dtype and rank of the argument the code was last used for (a dtype is compared by identity:
    a numpy array's float64 is one object; another equal dtype only takes the slower path), the
    generated function, and its artifact (for its guards and to point an error at the user's line)."""

    __slots__ = ("kind", "dtype", "rank", "joint", "artifact", "guarded")

    def __init__(self, kind, dtype, rank, joint, artifact):
        self.kind = kind
        self.dtype = dtype
        self.rank = rank
        self.joint = joint
        self.artifact = artifact
        self.guarded = artifact.guarded


class _Differentiated:
    """Shared machinery of a function compiled for one (wrt, mode)."""

    mode = "grad"
    __transgrad_compiled__ = True   # parse.unwrap never follows __wrapped__ past it

    def __init__(self, function, wrt=0, preserve_result=False):
        self.function = function
        self._target = unwrap(function)
        if isinstance(self._target, JacobianFunction) or type(self._target).__name__ == "HessianFunction":
            from transgrad import higher   # a Jacobian or Hessian object is differentiated as a function
            self._target = higher.as_function(self._target)
        # differentiating compiled code again (tg.grad(tg.grad(f))): higher.py reads the generated code
        self._inner = self._target if is_compiled(self._target) else None
        self.wrt, self.as_tuple = _normalize_wrt(self._target, wrt)
        self.preserve_result = preserve_result
        self._positions = {p.name: i for i, p in enumerate(_parameters(self._target))
                           if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)}
        self._signature = None
        positions = [self._positions.get(name) for name in self.wrt]
        self._first_positions = sorted(positions) if None not in positions and positions == sorted(positions) \
            else None
        self._last = None
        self._last_key = None
        self._leaf_key = tuple((name, 0) for name in self.wrt)
        self._keys = {}   # argument ranks -> the interned key for a single float or array input
        self._single_position = self._first_positions == [0]
        self._fast = None   # _FastPath of the last call, when it was one float or array argument
        # how GradFunction.__call__ returns the generated function's result as is
        self._returns = _PRESERVED if preserve_result else _TUPLE if self.as_tuple else _BARE
        _wraps(self, function)

    def _wrt_values(self, args, kwargs):
        if self._first_positions is not None and not kwargs and len(args) > self._first_positions[-1]:
            return [args[p] for p in self._first_positions]   # the common case: all wrt passed by position
        values = []
        for name in self.wrt:
            position = self._positions.get(name)
            if position is not None and position < len(args):
                values.append(args[position])
            elif name in kwargs:
                values.append(kwargs[name])
            else:
                self._signature = self._signature or inspect.signature(self._target)
                bound = self._signature.bind(*args, **kwargs)
                bound.apply_defaults()
                values.append(bound.arguments[name])
        return values

    def _key(self, values, args, kwargs=None):
        """(container depth of each wrt input, rank of each positional argument, whether an argument
        may hold a complex value): what the compiled code is specialised for (analysis/ranks.py,
        analysis/dtypes.py). Equal keys are the same object (interned), so the next call usually
        recognises its key by identity."""
        ranks = tuple([_rank(a) for a in args]) if len(args) != 1 else (_rank(args[0]),)
        if len(values) == 1 and not kwargs:
            value = values[0]
            kind = type(value)
            if (kind is float or (kind is np.ndarray and value.dtype.kind == "f")) and None not in ranks:
                key = self._keys.get(ranks)
                if key is None:
                    key = self._keys[ranks] = (self._leaf_key, ranks, False)
                return key
        complex_arguments = (None in ranks and any(_holds_complex(a) for a in args)) or bool(
            kwargs and any(_holds_complex(v) for v in kwargs.values()))
        return (tuple((name, _depth(value, f"argument {name!r}")) for name, value in zip(self.wrt, values)), ranks,
                complex_arguments)

    def _bound(self, values, args=(), kwargs=None):
        """(artifact, functions) for these inputs; the last one is kept for the next call."""
        if self._inner is not None:
            from transgrad import higher
            return higher.bound(self, values, args)
        key = self._key(values, args, kwargs)
        last = self._last
        if last is not None and (last[0] is key or last[0] == key) and last[1].guards_hold():
            artifact, functions = last[1], last[2]
        else:
            wrt = _WrtTuple(self.wrt, self.as_tuple)
            artifact, functions = cache.bound(self._target, wrt, self.mode, key, self.preserve_result)
            self._last = (key, artifact, functions)
            self._last_key = key
        # the fast path follows the last call (a float32 array after a float64 one gets its own)
        self._fast = self._fast_path(key, args, artifact, functions)
        return artifact, functions

    def _fast_path(self, key, args, artifact, functions):
        """The _FastPath for later calls like this one, or None: only a call with one float or
        floating array argument, differentiated, gets one (the commonest call)."""
        if not (self._single_position and len(args) == 1 and key[0] is self._leaf_key and "joint" in functions):
            return None
        x = args[0]
        return _FastPath(type(x), getattr(x, "dtype", None), key[1][0], functions["joint"], artifact)

    def _grads(self, raw, values):
        if len(values) == 1:
            if not self.as_tuple:
                return _finalize(raw, values[0])
            return (_finalize(raw[0], values[0]),)
        return tuple([_finalize(g, v) for g, v in zip(raw, values)])

    @property
    def source(self):
        """The generated source for the most recent call (or float inputs if never called)."""
        if self._inner is not None:
            from transgrad import higher
            return higher.source(self)
        key = getattr(self, "_last_key", None)
        if key is None:
            key = tuple((name, 0) for name in self.wrt), (), False
        wrt = _WrtTuple(self.wrt, self.as_tuple)
        return cache.artifact(self._target, wrt, self.mode, key, self.preserve_result).source


class _WrtTuple(tuple):
    """The wrt names, remembering whether the user asked for a tuple (part of the cache key)."""

    def __new__(cls, names, as_tuple):
        self = super().__new__(cls, names)
        self.as_tuple = as_tuple
        return self

    def __eq__(self, other):
        return tuple.__eq__(self, other) and getattr(other, "as_tuple", None) == self.as_tuple

    def __hash__(self):
        return hash((tuple(self), self.as_tuple))


class GradFunction(_Differentiated):
    """The gradient of a scalar-valued function, compiled on first call."""

    def __call__(self, *args, **kwargs):
        fast = self._fast
        if fast is not None and len(args) == 1 and not kwargs:
            # the commonest call, one array or float differentiated: as close to calling the generated
            # function directly as the checks allow (the rank it was compiled for, its guards)
            x = args[0]
            kind = type(x)
            dtype = x.dtype if kind is _ndarray else None
            if (dtype is fast.dtype and x.ndim == fast.rank if dtype is not None else kind is fast.kind) \
                    and (not fast.guarded or fast.artifact.guards_hold()):
                try:
                    out = fast.joint(x)
                except Exception as error:
                    _point_at_user_line(error, fast.artifact)
                    raise
                returns = self._returns
                if returns is _PRESERVED:
                    return out[0], self._grads(out[1], args)
                grad = out if returns is _BARE else out[0]
                if type(grad) is kind and (dtype is None or grad.dtype is dtype and grad.shape == x.shape
                                           and grad.base is None):
                    return out   # already what _finalize returns: an owned array of x's dtype and shape
                return self._grads(out, args)
        values = self._wrt_values(args, kwargs)
        artifact, functions = self._bound(values, args, kwargs)
        try:
            out = functions["joint"](*args, **kwargs)
        except Exception as error:
            _point_at_user_line(error, artifact)
            raise
        if self.preserve_result:
            value, raw = out
            return _finished(self, args, value), self._grads(raw, values)
        return self._grads(out, values)


def _finished(compiled, args, value):
    """The value of a function of `args` as its user sees it: for a compiled object built on a
    gradient (tg.jvp or tg.vjp of tg.grad(f)), the raw output of the inner generated gradient shaped
    like tg.grad's result (the real part for a real input of a complex computation)."""
    if compiled._inner is None:
        return value
    inner = compiled._inner
    values = inner._wrt_values(args, {})
    if inner.preserve_result:
        return value[0], inner._grads(value[1], values)
    return inner._grads(value, values)


def grad(function=None, wrt=0, *, preserve_result=False):
    """The compiled gradient of a scalar-valued function.

    Usable as `tg.grad(f)`, `@tg.grad` and `@tg.grad(wrt=(0, 1))`. `wrt` is a
    parameter position, a parameter name, or a tuple of those: one item gives
    one gradient, a tuple gives a tuple of gradients in that order.
    `preserve_result=True` returns `(value, gradients)`.
    """
    if function is None:
        return lambda f: GradFunction(f, wrt, preserve_result)
    if not callable(function):
        raise TypeError(f"tg.grad expects a function, got {type(function).__name__}")
    return GradFunction(function, wrt, preserve_result)


def value_and_grad(function=None, wrt=0):
    """Like grad(..., preserve_result=True): returns `(value, gradients)`."""
    return grad(function, wrt, preserve_result=True)


class _VJPFunction(_Differentiated):
    mode = "vjp"


_vjp_functions = weakref.WeakKeyDictionary()


def _vjp_function(function, wrt):
    """The _VJPFunction for (function, wrt), made once: reading the signature and the cached
    compiled code costs tens of microseconds, more than a small function's whole gradient."""
    try:
        per_function = _vjp_functions.setdefault(function, {})
        key = tuple(wrt) if isinstance(wrt, list) else wrt
        compiled = per_function.get(key)
        if compiled is None:
            compiled = per_function[key] = _VJPFunction(function, wrt)
        return compiled
    except TypeError:   # not weakly referenceable, or an unhashable wrt: nothing to reuse
        return _VJPFunction(function, wrt)


def vjp(function, *primals, wrt=0):
    """`(value, pullback)`: pullback(cotangent) returns the gradients for that output cotangent.

    PyTorch's `y.backward(gradient)`; the pullback may be called many times.
    """
    compiled = _vjp_function(function, wrt)
    values = compiled._wrt_values(primals, {})
    artifact, functions = compiled._bound(values, primals)
    try:
        value, saved = functions["forward"](*primals)
    except Exception as error:
        _point_at_user_line(error, artifact)
        raise
    value = _finished(compiled, primals, value)
    backward = functions["backward"]
    state = {"saved": saved}

    def pullback(cotangent):
        _check_cotangent(cotangent, value)
        if state["saved"] is None:
            # the previous backward undid the function's in-place updates: run the forward again
            state["saved"] = functions["forward"](*primals)[1]
        try:
            raw = backward(state["saved"], cotangent)
            if artifact.restores_in_place:
                state["saved"] = None
        except Exception as error:
            _point_at_user_line(error, artifact)
            raise
        if len(compiled.wrt) == 1 and not compiled.as_tuple:
            return _unshared(_finalize(raw[0], values[0]), cotangent)
        return tuple(_unshared(_finalize(g, v), cotangent) for g, v in zip(raw, values))

    pullback.source = artifact.source
    return value, pullback


def _unshared(grad, cotangent):
    """A gradient that is (a view of) the caller's cotangent array is copied: changing the
    gradient must not change the cotangent (x -> x and x -> x.reshape(...) pass it through)."""
    if not isinstance(cotangent, np.ndarray):
        return grad
    if isinstance(grad, np.ndarray):
        if grad.base is None and grad is not cotangent:
            return grad   # it owns its memory, so it is not a view of the cotangent
        return grad.copy() if np.may_share_memory(grad, cotangent) else grad
    if isinstance(grad, (list, tuple)) and not hasattr(grad, "_fields"):
        return type(grad)(_unshared(g, cotangent) for g in grad)
    if isinstance(grad, dict):
        return {k: _unshared(g, cotangent) for k, g in grad.items()}
    return grad


def _check_cotangent(cotangent, value):
    if type(cotangent) is np.ndarray and type(value) is np.ndarray and cotangent.shape == value.shape:
        return   # the common case, first
    if isinstance(value, (tuple, list, dict)):
        return
    if np.shape(cotangent) != np.shape(value):
        raise ValueError(f"the cotangent has shape {np.shape(cotangent)} but the output has shape "
                         f"{np.shape(value)}; they must match")


def _point_at_user_line(error, artifact):
    """Add a note naming the user's file and line to an error raised inside generated code.

    The innermost generated frame decides, so an error inside a helper names the helper's line.
    """
    traceback, found = error.__traceback__, None
    while traceback is not None:
        generated = BY_FILENAME.get(traceback.tb_frame.f_code.co_filename)
        if generated is not None:
            line = generated.user_line(traceback.tb_lineno)
            if line is not None:
                found = (generated.parsed, line)
        traceback = traceback.tb_next
    if found is not None:
        parsed, line = found
        text = (parsed.line_text(line) or "").strip()
        note = f'transgrad: raised by the gradient of File "{parsed.filename}", line {line}: {text}'
        if hasattr(error, "add_note"):
            error.add_note(note)
        elif error.args and isinstance(error.args[0], str):   # Python 3.10 has no exception notes
            error.args = (f"{error.args[0]}\n{note}",) + error.args[1:]


# ----- user rules -----

def adjoint(primitive):
    """Register `rule(g, ans, *args)` as the adjoint of `primitive`; transgrad will not read its source.

    The rule returns one cotangent per positional argument (None where there
    is none); a one-argument primitive's rule may return the bare cotangent.
    """
    def register(rule):
        registry.register_callable(primitive, rule)
        cache.clear()
        return rule
    return register



# ----- forward mode -----

class _JVPFunction(_Differentiated):
    mode = "jvp"


class JVPResult(tuple):
    """`(value, tangent_out)` from tg.jvp; `.source` is the generated jvp code."""

    source = None


def jvp(function, primals, tangents, wrt=0):
    """Forward mode: `(value, tangent_out)`, the function's value and its derivative along `tangents`.

    `primals` is the tuple of all positional arguments; `tangents` has one entry
    per `wrt` item (the bare tangent for a single `wrt`, a tuple for a tuple
    `wrt`), each shaped and structured like its input. The generated code
    (`.source` on the result) computes each tangent beside its primal value, in
    one pass through the function's own control flow.
    """
    if not isinstance(primals, (tuple, list)):
        raise TypeError(f"tg.jvp expects the primals as a tuple of all arguments, got {type(primals).__name__}")
    compiled = _JVPFunction(function, wrt)
    primals = tuple(primals)
    values = compiled._wrt_values(primals, {})
    if len(compiled.wrt) == 1 and not compiled.as_tuple:
        tangents = (tangents,)
    elif not isinstance(tangents, (tuple, list)) or len(tangents) != len(compiled.wrt):
        raise ValueError(f"tg.jvp needs one tangent per wrt item ({len(compiled.wrt)}), as a tuple")
    tangents = tuple(_tangent_like(t, v, name) for t, v, name in zip(tangents, values, compiled.wrt))
    artifact, functions = compiled._bound(values, primals)
    try:
        value, tangent_out = functions["jvp"](*tangents, *primals)
    except Exception as error:
        _point_at_user_line(error, artifact)
        raise
    tangent_out = _finished(compiled, primals, _finalize(tangent_out, value))
    result = JVPResult((_finished(compiled, primals, value), tangent_out))
    result.source = artifact.source
    return result


def _tangent_like(tangent, value, name):
    """A tangent checked against its input's structure and shape, in the input's dtype."""
    if isinstance(value, dict):
        if not isinstance(tangent, dict) or tangent.keys() != value.keys():
            raise ValueError(f"the tangent for {name!r} must be a dict with the keys {sorted(value)}")
        return {k: _tangent_like(tangent[k], v, name) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if not isinstance(tangent, (list, tuple)) or len(tangent) != len(value):
            raise ValueError(f"the tangent for {name!r} must be a {type(value).__name__} of {len(value)} items")
        items = [_tangent_like(t, v, name) for t, v in zip(tangent, value)]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if runtime.is_record(value):
        result = copy.copy(value)
        for field, item in vars(value).items():
            if _differentiable(item):
                setattr(result, field, _tangent_like(getattr(tangent, field), item, name))
        return result
    _depth(value, f"argument {name!r}")
    if np.shape(tangent) != np.shape(value):
        raise ValueError(f"the tangent for {name!r} has shape {np.shape(tangent)} but the argument has shape "
                         f"{np.shape(value)}; they must match")
    if isinstance(value, float):
        return float(tangent)
    return np.asarray(tangent, dtype=np.asarray(value).dtype)


_COMPLEX_JACOBIAN = ("a function of a complex z = a + ib is differentiated as a function of the real a and b (JAX's "
                     "convention, without holomorphic=True), so its Jacobian is a real matrix with a column for "
                     "each a and each b, which output.shape + input.shape cannot hold. Use tg.jvp / tg.vjp for its "
                     "products with a direction, or pass the real and imaginary parts as separate real inputs "
                     "(z = a + 1j * b)")


class JacobianFunction:
    """The Jacobian of a function, shaped `output.shape + input.shape` (a tuple of those for a tuple
    `wrt`; for a function returning a tuple of arrays, that tuple with each output replaced by its
    Jacobian). Like JAX's jacfwd/jacrev it picks the cheaper mode on each call: forward mode (one jvp
    per input element) when the inputs have fewer elements than the output, otherwise reverse mode
    (the vjp's pullback once per output element, the primal computed once)."""

    __transgrad_compiled__ = True

    def __init__(self, function, wrt=0):
        self.function = function
        self.wrt = wrt
        self.mode = None   # "forward" or "reverse": what the last call used
        _wraps(self, function)

    def __call__(self, *args):
        value, pullback = vjp(self.function, *args, wrt=self.wrt)
        single = not isinstance(self.wrt, (tuple, list))
        inputs = _VJPFunction(self.function, self.wrt)._wrt_values(args, {})
        for x in inputs:
            if not isinstance(x, (float, np.ndarray)):
                raise TypeError("tg.jacobian differentiates with respect to arrays and floats; for a dict or "
                                "list input use tg.jvp or tg.vjp")
            if np.iscomplexobj(x):
                raise NonDifferentiableError("tg.jacobian with respect to a complex input", None, _COMPLEX_JACOBIAN,
                                             hint=None)
        if isinstance(value, (tuple, list)):
            return self._of_outputs(args, value, pullback, inputs, single)
        out_shape, in_size = np.shape(value), sum(np.size(x) for x in inputs)
        # a complex output of real inputs: its columns are complex, and a row of the pullback holds
        # only the real part of one (JAX's jacrev refuses it too); forward mode gets them whole
        if in_size < np.size(value) or np.iscomplexobj(value):
            self.mode = "forward"
            blocks = [self._columns(args, inputs, position, out_shape, np.result_type(value, 1.0))
                      for position in range(len(inputs))]
        else:
            self.mode, self._source = "reverse", pullback.source
            blocks = self._rows(pullback, value, inputs, single)
        return blocks[0] if single else tuple(blocks)

    def _columns(self, args, inputs, position, out_shape, dtype):
        x = inputs[position]
        columns = np.zeros(out_shape + (np.size(x),), dtype=np.promote_types(dtype, float))
        for k in range(np.size(x)):
            tangents = [np.zeros(np.shape(v)) if isinstance(v, np.ndarray) else 0.0 for v in inputs]
            basis = np.zeros(np.size(x))
            basis[k] = 1.0
            tangents[position] = basis.reshape(np.shape(x)) if isinstance(x, np.ndarray) else 1.0
            wrt_tangents = tangents[0] if not isinstance(self.wrt, (tuple, list)) else tuple(tangents)
            result = jvp(self.function, args, wrt_tangents, wrt=self.wrt)
            columns[..., k], self._source = result[1], result.source
        return columns.reshape(out_shape + np.shape(x))

    def _rows(self, pullback, value, inputs, single):
        out_shape = np.shape(value)
        rows = [np.zeros((np.size(value),) + np.shape(x)) for x in inputs]
        dtype = np.asarray(value).dtype if np.issubdtype(np.asarray(value).dtype, np.inexact) else float
        for k in range(np.size(value)):
            seed = np.zeros(np.size(value), dtype=dtype)
            seed[k] = 1.0
            grads = pullback(seed.reshape(out_shape) if isinstance(value, np.ndarray) else float(seed[0]))
            for row, grad in zip(rows, (grads,) if single else grads):
                row[k] = grad
        return [row.reshape(out_shape + np.shape(x)) for row, x in zip(rows, inputs)]

    def _of_outputs(self, args, value, pullback, inputs, single):
        """The Jacobian of a function returning a tuple (or a nesting of tuples) of arrays, such as a
        tg.jacobian object of a tuple wrt or a tg.hessian object: the same structure, each output
        replaced by its Jacobian (a tuple of them, one per input, for a tuple wrt), as in JAX."""
        leaves = _leaves(value)
        for leaf in leaves:
            if not isinstance(leaf, (float, np.ndarray, np.generic)):
                raise TypeError(f"tg.jacobian differentiates functions returning arrays, floats or tuples of "
                                f"them; this one returned a {type(leaf).__name__} among its outputs")
        # complex outputs of real inputs have complex columns, which only forward mode gets whole
        complex_outputs = any(np.iscomplexobj(leaf) for leaf in leaves)
        blocks = [[np.zeros(np.shape(leaf) + np.shape(x), dtype=complex if np.iscomplexobj(leaf) else float)
                   for x in inputs] for leaf in leaves]
        if sum(np.size(x) for x in inputs) < sum(np.size(leaf) for leaf in leaves) or complex_outputs:
            self.mode = "forward"
            for position, x in enumerate(inputs):
                for k in range(np.size(x)):
                    tangents = [np.zeros(np.shape(v)) if isinstance(v, np.ndarray) else 0.0 for v in inputs]
                    tangents[position] = np.reshape(np.eye(np.size(x))[k], np.shape(x)) \
                        if isinstance(x, np.ndarray) else 1.0
                    result = jvp(self.function, args, tangents[0] if single else tuple(tangents), wrt=self.wrt)
                    self._source = result.source
                    for block, tangent in zip(blocks, _leaves(result[1], value)):
                        if tangent is not None:
                            block[position].reshape(np.shape(tangent) + (np.size(x),))[..., k] = \
                                tangent if np.iscomplexobj(block[position]) else np.real(tangent)
        else:
            self.mode, self._source = "reverse", pullback.source
            for index, leaf in enumerate(leaves):
                for k in range(np.size(leaf)):
                    seeds = [np.zeros(np.shape(other)) if isinstance(other, np.ndarray) else 0.0 for other in leaves]
                    seeds[index] = np.reshape(np.eye(np.size(leaf))[k], np.shape(leaf)) \
                        if isinstance(leaf, np.ndarray) else 1.0
                    grads = pullback(_rebuild(value, iter(seeds)))
                    for block, grad in zip(blocks[index], (grads,) if single else grads):
                        block.reshape((np.size(leaf),) + np.shape(grad))[k] = grad
        return _rebuild(value, iter(block[0] if single else tuple(block) for block in blocks))

    @property
    def source(self):
        """The generated code the last call used (the jvp's in forward mode, the vjp's otherwise)."""
        if self.mode is None:
            raise ValueError("tg.jacobian chooses its mode on the first call; call it before reading .source")
        return self._source


def _leaves(value, like=None):
    """The arrays of a nesting of tuples and lists, in order; shaped like `like` when given (a
    tangent that is None for an output stands for zeros of each of its arrays)."""
    like = value if like is None else like
    if isinstance(like, (tuple, list)):
        items = value if isinstance(value, (tuple, list)) else [None] * len(like)
        return [leaf for item, part in zip(items, like) for leaf in _leaves(item, part)]
    return [value]


def _rebuild(value, leaves):
    """`value`'s nesting of tuples and lists, with its arrays taken from the iterator `leaves`."""
    if isinstance(value, (tuple, list)):
        return type(value)(_rebuild(item, leaves) for item in value)
    return next(leaves)


def jacobian(function, wrt=0):
    """The Jacobian of `function` with respect to `wrt`, shaped `output.shape + input.shape`."""
    if not callable(function):
        raise TypeError(f"tg.jacobian expects a function, got {type(function).__name__}")
    return JacobianFunction(function, wrt)
