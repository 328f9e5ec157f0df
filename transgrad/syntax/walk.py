"""Faster tree traversal: `walk` (every node, in `ast.walk`'s order) and `Transformer` (a
`gast.NodeTransformer` with the same results).

The compiler walks trees thousands of times per compile (liveness, aliasing, the names a
template reads, ...). `ast.walk` pays for two nested generators per node (`iter_child_nodes`
over `iter_fields`) and a deque; this loop does the same walk over a plain list, so the first
call of a gradient compiles faster while every pass sees the nodes in exactly the order it saw
before (some passes keep the first match, so the order is part of the generated code).
"""
from ast import AST

import gast


def walk(tree):
    """Every node under `tree` (itself included), breadth first, as `ast.walk` yields them. A node's
    children are collected before the node is yielded, so a caller may change the node."""
    todo = [tree]
    for node in todo:   # the list grows while it is iterated: a queue without popping
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, AST):
                todo.append(value)
            elif type(value) is list:
                for item in value:
                    if isinstance(item, AST):
                        todo.append(item)
        yield node


class Transformer(gast.NodeTransformer):
    """`gast.NodeTransformer` with the same results, faster: the compiler's rewriting passes (fold,
    array attributes, comprehension hoisting, renaming) run over every generated function. Each
    subclass looks its `visit_<Class>` method up once per node class instead of by name on every
    node, and `generic_visit` reads the fields directly instead of through two generators."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._visitors = {}   # node class -> the method visiting it, per subclass

    def visit(self, node):
        kind = type(node)
        method = self._visitors.get(kind)
        if method is None:
            own = type(self)
            method = self._visitors[kind] = getattr(own, "visit_" + kind.__name__, own.generic_visit)
        return method(self, node)

    def generic_visit(self, node):
        """Visit every child; a list keeps what the visits return (None drops an item, a list of
        nodes replaces it) and a field gets its visit's result (None deletes it), as in `ast`."""
        for field in node._fields:
            try:
                old_value = getattr(node, field)
            except AttributeError:
                continue
            if isinstance(old_value, list):
                new_values = []
                for value in old_value:
                    if isinstance(value, AST):
                        value = self.visit(value)
                        if value is None:
                            continue
                        if not isinstance(value, AST):
                            new_values.extend(value)
                            continue
                    new_values.append(value)
                old_value[:] = new_values
            elif isinstance(old_value, AST):
                new_node = self.visit(old_value)
                if new_node is None:
                    delattr(node, field)
                else:
                    setattr(node, field, new_node)
        return node
