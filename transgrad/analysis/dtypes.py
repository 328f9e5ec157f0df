"""Can a complex value appear in a function? It decides how reverse mode adds up gradients.

A gradient buffer is added to in place (`dx += term`, `dx[i] += term`), as a careful person
writes it. numpy cannot add a complex term into a float buffer in place, and a complex term
reaches a real variable's buffer wherever a real value meets a complex one (`x * c` for a complex
`c`). Where that can happen, gradients are added out of place, so a buffer may become complex (the
finished gradient of a real input keeps the real part, the JAX/autograd convention).

This analysis proves the common case real: real arguments (the specialisation key gives a rank
only to real arrays and numbers, analysis/ranks.py), no complex literal, no complex global or
closure value, and no call that can make a complex value from real ones (the FFTs, eig, roots,
np.emath, a `dtype=` or `.astype`, a callee whose own code has such a source). Whatever it cannot
prove is treated as possibly complex, which costs an allocation per accumulation and nothing else.
"""
import inspect
import types

import gast
import numpy as np

from transgrad.analysis.operations import is_library
from transgrad.syntax.walk import walk


def may_be_complex(function_node, resolver, complex_arguments):
    """True unless every value of the function is surely real (see the module docstring);
    `complex_arguments`: whether the arguments the code is compiled for may hold one."""
    return complex_arguments or _has_complex_source(function_node, resolver, set())


def _has_complex_source(function_node, resolver, seen):
    for node in walk(function_node):
        if isinstance(node, gast.Constant) and isinstance(node.value, complex):
            return True
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id not in resolver.locals:
            if holds_complex(resolver.peek(node.id)):
                return True
        if isinstance(node, gast.Call) and _call_may_make_complex(node, resolver, seen):
            return True
    return False


_REAL_DTYPES = (float, int, bool, np.float64, np.float32, np.float16, np.int64, np.int32, np.bool_, "float64",
                "float32", "float", "int", "int64", "int32", "bool")


def _call_may_make_complex(call, resolver, seen):
    for keyword in call.keywords:
        if keyword.arg == "dtype" and not _real_dtype(keyword.value, resolver):
            return True
    func = call.func
    if isinstance(func, gast.Attribute) and func.attr in ("astype", "view") \
            and not (call.args and _real_dtype(call.args[0], resolver)):
        return True
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in resolver.locals:
        return False     # a method of a local value (x.sum(), x.reshape(...)): its dtype follows x's
    callee = resolver.resolve(func)
    if callee is None:
        return True      # a call of a computed value: nothing to read
    if getattr(type(callee), "__transgrad_compiled__", False):
        return False     # a tg.grad object inside: real for real inputs, complex for complex ones
    if _makes_complex(callee):
        return True
    if inspect.isfunction(callee) and not is_library(callee) and callee.__module__ != "transgrad.runtime":
        return _callee_may_make_complex(callee, seen)   # the runtime helpers keep their inputs' dtypes
    return False


def _real_dtype(node, resolver):
    if isinstance(node, gast.Constant):
        return node.value in _REAL_DTYPES
    value = resolver.resolve(node)
    try:
        return value is not None and not np.issubdtype(np.dtype(value), np.complexfloating)
    except TypeError:
        return False


def _callee_may_make_complex(callee, seen):
    """Does a user function called here (or one it calls) have a complex source in its own code?"""
    from transgrad.frontend.parse import parse_function      # analysis of a callee's own source
    from transgrad.frontend.resolve import Resolver
    from transgrad.normalize.anf import local_names
    code = callee.__code__
    if code in seen:
        return False
    seen.add(code)
    try:
        parsed = parse_function(callee)
    except Exception:    # no source to read: assume the worst
        return True
    return _has_complex_source(parsed.node, Resolver(parsed, local_names(parsed.node)), seen)


def holds_complex(value, depth=0):
    """Does an argument, global or closure value hold a complex number (in a container or object, too)?"""
    if isinstance(value, (complex, np.complexfloating)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "c"
    if depth > 3 or value is None or isinstance(value, (bool, int, float, str, bytes, np.generic, type,
                                                          types.ModuleType, types.FunctionType,
                                                          types.BuiltinFunctionType, np.ufunc)):
        return False
    if isinstance(value, dict):
        return any(holds_complex(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(holds_complex(v, depth + 1) for v in value[:64])
    fields = getattr(value, "__dict__", None)
    return isinstance(fields, dict) and any(holds_complex(v, depth + 1) for v in fields.values())


def _complex_makers():
    """Library functions that return complex values for real arguments."""
    makers = {complex, np.complex64, np.complex128, np.roots, np.linalg.eig, np.linalg.eigvals, np.vectorize,
              np.frompyfunc}
    makers.update(getattr(np.fft, name) for name in ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft",
                                                       "rfft2", "rfftn", "ihfft"))
    makers.update(getattr(np.emath, name) for name in ("arccos", "arcsin", "arctanh", "log", "log10", "log2",
                                                         "logn", "power", "sqrt"))
    return makers


_MAKERS = None
# by module and name, so that scipy is not imported to build the set
_SCIPY_MAKERS = {"scipy.linalg": {"eig", "eigvals", "sqrtm", "logm", "schur", "funm", "rsf2csf", "fractional_matrix_power"},
                 "scipy.fft": {"fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "rfft2", "rfftn", "ihfft",
                               "ihfft2", "ihfftn"},
                 "scipy.special": {"hankel1", "hankel2", "hankel1e", "hankel2e", "sph_harm", "sph_harm_y", "wofz"}}


def _makes_complex(callee):
    global _MAKERS
    if _MAKERS is None:
        _MAKERS = _complex_makers()
    try:
        if callee in _MAKERS:
            return True
    except TypeError:   # unhashable
        return False
    module = getattr(callee, "__module__", None) or ("scipy.special" if isinstance(callee, np.ufunc) else "")
    name = getattr(callee, "__name__", "")
    return any(module.startswith(package) and name in names for package, names in _SCIPY_MAKERS.items())
