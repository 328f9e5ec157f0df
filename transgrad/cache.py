"""Compiled gradients, keyed by (code object, wrt, mode, options).

A lookup is one dictionary access plus a check of the guards: the global and
closure names the compiled code resolved (helpers it calls, numpy). When one
has been rebound since compiling, the entry is compiled again, so a gradient
is never silently stale. Closures re-created from the same code share the
compiled code; each function object gets its own bound function (cached in a
weak dictionary) because its closure cells differ.
"""
import weakref

from transgrad.driver import Compiler, closure_callables
from transgrad.syntax import templates

_artifacts = {}
_bound = weakref.WeakKeyDictionary()


def artifact(function, wrt, mode, depths, preserve_result):
    """The compiled Artifact for this request, compiling (again) when needed."""
    code = getattr(function, "__code__", None)
    # equal code objects compare equal across files (co_filename is not compared): the filename
    # keeps apart functions made from the same text elsewhere (higher.as_function's templates)
    key = (code, wrt, mode, depths, preserve_result, getattr(code, "co_filename", None), closure_callables(function))
    found = _artifacts.get(key)
    if found is not None and found.guards_hold() and found.matches_closure(function):
        return found
    if found is not None:
        _forget(found)
    depth_pairs, ranks, complex_arguments = key_parts(depths)
    compiled = Compiler(_artifacts).compile(function, wrt, mode, dict(depth_pairs), preserve_result, ranks,
                                            complex_arguments)
    _artifacts[key] = compiled
    return compiled


def key_parts(key):
    """(wrt depth pairs, argument ranks, whether an argument may be complex) of a specialisation key;
    callees compiled by the driver have none (None): any ranks, possibly complex."""
    if key is None:
        return (), (), True
    depth_pairs, ranks, complex_arguments = key
    return depth_pairs or (), ranks or (), complex_arguments


def bound(function, wrt, mode, depths, preserve_result):
    """(artifact, {role: function bound to this function object's closure})."""
    found = artifact(function, wrt, mode, depths, preserve_result)
    per_function = _bound.setdefault(function, {})
    entry = per_function.get(id(found))
    if entry is None:
        entry = {role: found.bind(function, role) for role in found.names}
        per_function[id(found)] = entry
    return found, entry


def _forget(stale):
    for key, value in list(_artifacts.items()):
        if value is stale or not value.guards_hold():
            del _artifacts[key]


def clear():
    """Drop every compiled gradient and every remembered rule instance (for tests and benchmarks
    of compile time)."""
    _artifacts.clear()
    _bound.clear()
    templates.forget_instances()
