"""Resolve names in a function the way Python will when it runs: locals, closure, globals, builtins.

Every resolution the compiled code depends on is remembered as a guard, so the
cache can tell when the user rebinds a global or a closure variable and
recompile instead of running stale code.
"""
import builtins

import gast

from transgrad import runtime
from transgrad.syntax import build

_MISSING = object()


class Guard:
    """The compiled code assumed `name` resolves to `value`."""

    def __init__(self, namespace, name, value, cell=None):
        self.namespace = namespace
        self.name = name
        self.value = value
        self.cell = cell

    def holds(self):
        if self.cell is not None:
            try:
                return self.cell.cell_contents is self.value
            except ValueError:
                return False
        return self.namespace.get(self.name, _MISSING) is self.value


class Resolver:
    def __init__(self, parsed, local_names):
        self.parsed = parsed
        self.locals = local_names
        self.guards = {}

    def resolve(self, node):
        """The object an expression names at compile time, or None (locals, calls, unknown)."""
        if isinstance(node, gast.Name):
            return self._name(node.id)
        if isinstance(node, gast.Attribute):
            owner = self.resolve(node.value)
            if owner is None:
                return None
            return getattr(owner, node.attr, None)
        return None

    def peek(self, identifier):
        """What a free name holds now, without a guard: for facts the code does not depend on for
        its correctness (analysis/dtypes.py reads whether a global array is complex, and a global
        rebound to new data must not make the code compile again)."""
        return self._find(identifier)[0]

    def _name(self, identifier):
        if identifier == build.RUNTIME:
            return runtime
        value, guard = self._find(identifier)
        if guard is not None:
            self.guards[("global" if guard.cell is None else "cell", identifier)] = guard
        return value

    def _find(self, identifier):
        """(the value a free name resolves to, the Guard that keeps it so), (None, None) for locals."""
        if identifier in self.locals:
            return None, None
        cell = self.parsed.closure.get(identifier)
        if cell is not None:
            try:
                value = cell.cell_contents
            except ValueError:
                return None, None
            return value, Guard(None, identifier, value, cell)
        namespace = self.parsed.globals
        if identifier in namespace:
            value = namespace[identifier]
            return value, Guard(namespace, identifier, value)
        value = getattr(builtins, identifier, None)
        return value, Guard(namespace, identifier, _MISSING) if value is not None else None
