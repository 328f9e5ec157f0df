"""Higher derivatives: tg.grad(tg.grad(f)), tg.jvp(tg.grad(f), ...), tg.hessian and tg.hvp.

A compiled gradient is itself Python source (emit/compile.py registers it with
linecache), so a higher derivative is the same source transformation applied
to the *generated* gradient function instead of the user's: `tg.grad(g)` for
`g = tg.grad(f)` asks `g` for its generated joint function for the arguments
at hand (its code is specialised by their ranks), and compiles the gradient of
that function, with the generated function's own globals and closure (np, rt,
math and the links to compiled callees are cells). The runtime helpers the
generated code calls have adjoint and tangent rules (rules/runtime_rules.py and
the "runtime helpers" sections of numpy_rules.py / numpy_tangents.py), and
normalize/generated.py rewrites its few in-place statements (stacks, rt.add_at,
rt.clear, rt.put, rt.reuse) into assignments the transforms know.

tg.hessian and tg.hvp are forward-over-reverse: the forward mode (tg.jvp) of
the generated gradient. hvp runs it once along the given direction, so the
Hessian is never formed; hessian runs it once per input element.
"""
import inspect
import linecache
import re
import weakref

import numpy as np

from transgrad import api, cache
from transgrad.analysis.dtypes import holds_complex
from transgrad.errors import NonDifferentiableError


# ----- differentiating a compiled gradient again -----

def inner_function(inner, args):
    """The generated function behind the compiled object `inner` for these positional arguments."""
    if not isinstance(inner, api.GradFunction):
        raise TypeError(f"transgrad can differentiate tg.grad(...) and tg.value_and_grad(...) objects again, "
                        f"not a {type(inner).__name__}; for second derivatives use tg.grad(tg.grad(f)), "
                        "tg.hessian(f) or tg.hvp(f, ...)")
    values = inner._wrt_values(args, {})
    artifact, functions = inner._bound(values, args)
    return functions["joint"]


# Complex intermediate values are differentiated again like real ones (the rules follow the
# JAX/autograd convention at every order). A complex *input* z = a + ib has a complex gradient
# dL/da - i dL/db: its derivative along a direction (tg.hvp, tg.jvp of a tg.grad) and the transposed
# product (tg.vjp of a tg.grad) are well defined, as in JAX and PyTorch. A Hessian or Jacobian of it
# is a real 2n x 2n matrix that input.shape + input.shape cannot hold, and grad of grad would
# differentiate a complex value; those are refused, as jax.hessian and torch.func.hessian refuse them.
_COMPLEX_INPUTS = ("the derivative of the gradient dL/da - i dL/db of a real loss of a complex z = a + ib is a real "
                   "2n x 2n matrix, which input.shape + input.shape cannot hold. Use tg.hvp(f, primals, v) (or "
                   "tg.jvp / tg.vjp of tg.grad(f)) for its product with a complex direction v, or pass the real "
                   "and imaginary parts as separate real inputs (z = a + 1j * b) to get the whole matrix")


def refuse_complex(values, what):
    """Raise NonDifferentiableError when one of `values` (the inputs differentiated) is complex."""
    if any(holds_complex(v) for v in values):
        raise NonDifferentiableError(f"{what} with respect to a complex input", None, _COMPLEX_INPUTS, hint=None)


def bound(outer, values, args):
    """(artifact, functions) of `outer` (a compiled object whose function is a tg.grad object) for
    these inputs: the outer mode applied to the inner gradient's generated code."""
    if outer.mode == "grad" and isinstance(outer._inner, api.GradFunction):   # a complex-valued gradient
        refuse_complex(values + outer._inner._wrt_values(args, {}), "grad of grad")
    target = inner_function(outer._inner, args)
    key = outer._key(values, args)
    wrt = api._WrtTuple(outer.wrt, outer.as_tuple)
    artifact, functions = cache.bound(target, wrt, outer.mode, key, outer.preserve_result)
    outer._last_key = key
    outer._higher_artifact = artifact
    return artifact, functions


def generated_for_call(compiled):
    """The generated gradient function of a tg.grad / tg.value_and_grad object, specialised for no
    particular argument ranks: what a function being differentiated that *calls* the object (a
    gradient penalty, say) is differentiated through; a tg.jacobian or tg.hessian object as a
    function (as_function). None for other compiled objects."""
    if isinstance(compiled, (api.JacobianFunction, HessianFunction)):
        return as_function(compiled)
    if not isinstance(compiled, api.GradFunction):
        return None
    target = compiled._target if compiled._inner is None else generated_for_call(compiled._inner)
    if target is None:
        return None
    positional = [p for p in inspect.signature(target).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    key = (compiled._leaf_key, tuple(None for _ in positional), True)
    wrt = api._WrtTuple(compiled.wrt, compiled.as_tuple)
    return cache.bound(target, wrt, compiled.mode, key, compiled.preserve_result)[1]["joint"]


_JACOBIAN_SOURCE = """\
def component({params}, k):
    return np.ravel(inner({call}))[k]


def {name}({signature}):
    rows = []
    for k in range(np.size(inner({call}))):
        rows.append(gradient_of_component({params}, k))
    return np.reshape(np.stack(rows), np.shape(inner({call})) + np.shape({x}))
"""

# a tuple wrt: one gradient of the component per wrt input, and a tuple of stacked blocks
_JACOBIAN_TUPLE_SOURCE = """\
def component({params}, k):
    return np.ravel(inner({call}))[k]


def {name}({signature}):
    value = inner({call})
{lists}
    for k in range(np.size(value)):
{appends}
    return ({blocks})
"""

# the Hessian of a tuple wrt: block [i][j] is the Jacobian of gradient i with respect to input j
_HESSIAN_TUPLE_SOURCE = """\
def component({params}, i, k):
    return np.ravel(inner({call})[i])[k]


def jacobian_of_gradient({params}, i):
    value = inner({call})[i]
{lists}
    for k in range(np.size(value)):
{appends}
    return ({blocks})


def {name}({signature}):
    return ({rows})
"""

_TEMPLATE_NAMES = {"np", "inner", "component", "k", "i", "rows", "value", "jacobian_of_gradient"}
_counter = iter(range(1, 1 << 62))


def as_function(compiled):
    """A tg.jacobian or tg.hessian object as a Python function with source (a Jacobian is the
    gradient of each output component, stacked), so that it can be differentiated, or called inside
    a differentiated function, like a function of yours; made once per object. For a tuple `wrt` it
    returns what the object does: a tuple of Jacobian blocks, or the Hessian's tuple of tuples. The
    function of a Jacobian object may be another Jacobian or Hessian object (made a function the
    same way, at any depth) or a tg.grad object."""
    made = getattr(compiled, "_as_function", None)
    if made is not None:
        return made
    hessian = isinstance(compiled, HessianFunction)
    target = api.unwrap(compiled.function)
    nested = isinstance(target, (api.JacobianFunction, HessianFunction))
    if api.is_compiled(target) and not nested and not isinstance(target, api.GradFunction):
        raise TypeError(f"transgrad can differentiate a tg.jacobian or tg.hessian object of a function, a tg.grad "
                        f"object or another tg.jacobian or tg.hessian object, not of a {type(target).__name__}; "
                        "take the derivative you need with tg.grad, tg.jacobian and tg.hessian of the function "
                        "itself")
    if nested:
        target = as_function(target)
    if hessian:
        inner = api.GradFunction(compiled.function, compiled.wrt)
    else:
        inner = target
    parameters = _plain_parameters(target, compiled)
    rename = _renamer({p.name for p in parameters})
    names, as_tuple = api._normalize_wrt(target, compiled.wrt)
    base = re.sub(r"\W+", "_", getattr(target, "__name__", "function")).strip("_") or "function"
    name = f"{'hessian' if hessian else 'jacobian'}_of_{base}"   # <lambda> -> jacobian_of_lambda
    params = ", ".join(p.name for p in parameters)
    keyword_only = [p for p in parameters if p.kind is p.KEYWORD_ONLY]
    signature = ", ".join([p.name if p.default is p.empty else f"{p.name}=default_{p.name}" for p in parameters
                           if p.kind is not p.KEYWORD_ONLY] + (["*"] if keyword_only else [])
                          + [p.name if p.default is p.empty else f"{p.name}=default_{p.name}" for p in keyword_only])
    # the helper functions take every parameter by position; the object's function gets its
    # keyword-only ones by keyword
    call = ", ".join(p.name if p.kind is not p.KEYWORD_ONLY else f"{p.name}={p.name}" for p in parameters)
    fields = dict(params=params, name=name, signature=signature, call=call)
    if not as_tuple:
        source = rename(_JACOBIAN_SOURCE).format(x=names[0], **fields)
    else:
        extra = rename(", i") if hessian else ""
        lists = "\n".join(rename("    rows_") + f"{x} = []" for x in names)
        appends = "\n".join(rename("        rows_") + f"{x}.append(gradient_of_component_{x}({params}{extra}, "
                            + rename("k))") for x in names)
        blocks = ",\n            ".join(rename("np.reshape(np.stack(rows_") + f"{x}), "
                                       + rename("np.shape(value) + np.shape(") + f"{x}))" for x in names)
        blocks += "," if len(names) == 1 else ""
        template = rename(_HESSIAN_TUPLE_SOURCE if hessian else _JACOBIAN_TUPLE_SOURCE)
        rows = ", ".join(rename("jacobian_of_gradient(") + f"{params}, {i})" for i in range(len(names)))
        source = template.format(lists=lists, appends=appends, blocks=blocks,
                                 rows=rows + ("," if len(names) == 1 else ""), **fields)
    # a fresh file name per object: the compiled gradients of these functions are keyed by their code
    # and file, and the code of two objects' `component` is the same text
    filename = f"<tg {name} {next(_counter)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {rename("np"): np, rename("inner"): inner}
    namespace.update({f"default_{p.name}": p.default for p in parameters if p.default is not p.empty})
    exec(compile(source, filename, "exec"), namespace)
    positions = [p.name for p in parameters]
    if as_tuple:
        for x in names:
            namespace[f"gradient_of_component_{x}"] = api.GradFunction(namespace[rename("component")],
                                                                       positions.index(x))
    else:
        namespace["gradient_of_component"] = api.GradFunction(namespace[rename("component")],
                                                              positions.index(names[0]))
    compiled._as_function = namespace[name]
    return compiled._as_function


def _renamer(taken):
    """Rename the template's own names that a parameter of the user's function also has (a
    parameter `k` makes the loop index `k_`): a function of text, applied to template pieces
    before the parameters are put in."""
    renamed = {}
    for base in sorted(_TEMPLATE_NAMES):
        name = base
        while name in taken:
            name += "_"
        if name != base:
            renamed[base] = name
    if not renamed:
        return lambda text: text
    pattern = re.compile(r"(?<!\{)\b(" + "|".join(map(re.escape, renamed)) + r")(?=\b|_)")   # not {rows}
    return lambda text: pattern.sub(lambda match: renamed[match.group(1)], text)


def _plain_parameters(target, compiled):
    """The parameters of the object's function, when the template can pass them on: positional and
    keyword-only ones, with or without defaults (not *args or **kwargs)."""
    what = "tg.hessian" if isinstance(compiled, HessianFunction) else "tg.jacobian"
    parameters = list(inspect.signature(target).parameters.values())
    for p in parameters:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TypeError(f"transgrad can differentiate a {what} object, or call it inside a differentiated "
                            f"function, when its function names its parameters; "
                            f"{getattr(target, '__name__', target)} has the variadic parameter {p.name!r}. Make "
                            f"the object of a function that passes it on, e.g. {what}(lambda x, y: f(x, y))")
        if p.name.startswith(("rows_", "gradient_of_component", "default_")):
            raise TypeError(f"transgrad writes a {what} object as a function with a parameter, a variable or "
                            f"a global named {p.name!r}; rename that parameter of "
                            f"{getattr(target, '__name__', target)} to differentiate the object again")
    return parameters


def _default_key(compiled):
    return tuple((name, 0) for name in compiled.wrt), (), False


def _default_target(inner):
    """The generated joint function of the tg.grad object `inner` for float inputs (before any call)."""
    if not isinstance(inner, api.GradFunction):
        inner_function(inner, ())   # raises the TypeError
    target = inner._target if inner._inner is None else _default_target(inner._inner)
    wrt = api._WrtTuple(inner.wrt, inner.as_tuple)
    return cache.bound(target, wrt, inner.mode, _default_key(inner), inner.preserve_result)[1]["joint"]


def source(outer):
    """The generated source of `outer` for its most recent call (float inputs if never called)."""
    artifact = getattr(outer, "_higher_artifact", None)
    if artifact is None:
        wrt = api._WrtTuple(outer.wrt, outer.as_tuple)
        artifact = cache.artifact(_default_target(outer._inner), wrt, outer.mode, _default_key(outer),
                                  outer.preserve_result)
    return artifact.source


# ----- tg.hessian and tg.hvp: forward over reverse -----

_gradients = weakref.WeakKeyDictionary()


def _jvp_of_gradient(function, wrt):
    """The forward mode of tg.grad(function, wrt), made once per (function, wrt)."""
    key = tuple(wrt) if isinstance(wrt, list) else wrt
    try:
        per_function = _gradients.setdefault(function, {})
        compiled = per_function.get(key)
        if compiled is None:
            compiled = per_function[key] = api._JVPFunction(api.GradFunction(function, wrt), wrt)
        return compiled
    except TypeError:   # not weakly referenceable, or an unhashable wrt
        return api._JVPFunction(api.GradFunction(function, wrt), wrt)


def _run(compiled, primals, tangents):
    """(artifact, raw gradient, raw directional derivative of the gradient) for one direction."""
    values = compiled._wrt_values(primals, {})
    artifact, functions = compiled._bound(values, primals)
    try:
        gradient, derivative = functions["jvp"](*tangents, *primals)
    except Exception as error:
        api._point_at_user_line(error, artifact)
        raise
    return artifact, values, gradient, derivative


class HVPResult(tuple):
    """`(gradient, hessian_vector_product)` from tg.hvp; `.source` is the generated code."""

    source = None


def hvp(function, primals, tangents, wrt=0):
    """Hessian-vector product by forward-over-reverse: `(gradient, H @ tangents)`.

    `primals` is the tuple of all positional arguments and `tangents` the
    direction, one entry per `wrt` item (a bare array for a single `wrt`, a
    tuple for a tuple `wrt`), as in tg.jvp. The result is the gradient of the
    scalar-valued `function` and the Hessian applied to the direction, each
    shaped and structured like the `wrt` inputs. It costs about one gradient
    and one forward pass over the gradient code; the Hessian is never formed.
    `.source` on the result is the generated code (the jvp of the gradient).
    """
    if not isinstance(primals, (tuple, list)):
        raise TypeError(f"tg.hvp expects the primals as a tuple of all arguments, got {type(primals).__name__}")
    primals = tuple(primals)
    compiled = _jvp_of_gradient(function, wrt)
    values = compiled._wrt_values(primals, {})
    if len(compiled.wrt) == 1 and not compiled.as_tuple:
        tangents = (tangents,)
    elif not isinstance(tangents, (tuple, list)) or len(tangents) != len(compiled.wrt):
        raise ValueError(f"tg.hvp needs one tangent per wrt item ({len(compiled.wrt)}), as a tuple")
    tangents = tuple(api._tangent_like(t, v, name) for t, v, name in zip(tangents, values, compiled.wrt))
    artifact, values, gradient, derivative = _run(compiled, primals, tangents)
    grads = compiled._inner._grads
    single = len(values) == 1 and not compiled.as_tuple
    result = HVPResult((grads(gradient, values), grads(derivative if single else _none_to_zeros(derivative, values),
                                                       values)))
    result.source = artifact.source
    return result


def _none_to_zeros(items, values):
    if items is None:
        return tuple(None for _ in values)
    return items


class HessianFunction:
    """The Hessian of a scalar-valued function, shaped `input.shape + input.shape` (for a tuple
    `wrt`, a tuple of tuples: block [i][j] is shaped `inputs[i].shape + inputs[j].shape`).

    Forward over reverse: the forward mode of the generated gradient code, along each input
    element in turn (one column of the Hessian per pass)."""

    __transgrad_compiled__ = True

    def __init__(self, function, wrt=0):
        self.function = function
        self.wrt = wrt
        self._jvp = _jvp_of_gradient(function, wrt)
        self._artifact = None
        api._wraps(self, function)

    def __call__(self, *args):
        compiled = self._jvp
        inputs = compiled._wrt_values(args, {})
        refuse_complex(inputs, "tg.hessian")
        for x in inputs:
            if not isinstance(x, (float, np.ndarray)):
                raise TypeError("tg.hessian differentiates with respect to arrays and floats; for a dict or list "
                                "input use tg.hvp")
            api._depth(x, "the wrt input")
        count = len(inputs)
        blocks = [[None] * count for _ in range(count)]
        for j, x in enumerate(inputs):
            size = int(np.size(x))
            columns = [np.zeros(np.shape(v) + (size,), dtype=_float_dtype(v)) for v in inputs]
            for k in range(size):
                tangents = [np.zeros(np.shape(v), dtype=_float_dtype(v)) if isinstance(v, np.ndarray) else 0.0
                            for v in inputs]
                if isinstance(x, np.ndarray):
                    basis = np.zeros(size, dtype=_float_dtype(x))
                    basis[k] = 1.0
                    tangents[j] = basis.reshape(np.shape(x))
                else:
                    tangents[j] = 1.0
                self._artifact, _, _, derivative = _run(compiled, args, tangents)
                parts = (derivative,) if count == 1 and not compiled.as_tuple else _none_to_zeros(derivative, inputs)
                for i, part in enumerate(parts):
                    if part is not None:   # real inputs: the real part (complex intermediates)
                        columns[i][..., k] = np.real(part)
            for i, v in enumerate(inputs):
                block = columns[i].reshape(np.shape(v) + np.shape(x))
                blocks[i][j] = float(block) if block.ndim == 0 and isinstance(v, float) and isinstance(x, float) \
                    else block
        if count == 1 and not compiled.as_tuple:
            return blocks[0][0]
        return tuple(tuple(row) for row in blocks)

    @property
    def source(self):
        """The generated code the last call ran (the jvp of the generated gradient); float inputs
        if never called."""
        if self._artifact is not None:
            return self._artifact.source
        return self._jvp.source


def _float_dtype(value):
    dtype = np.asarray(value).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.float64


def hessian(function, wrt=0):
    """The Hessian of the scalar-valued `function` with respect to `wrt`, shaped `input.shape + input.shape`."""
    if not callable(function):
        raise TypeError(f"tg.hessian expects a function, got {type(function).__name__}")
    return HessianFunction(function, wrt)
