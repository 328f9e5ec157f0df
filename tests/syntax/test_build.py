"""syntax/build.py: clone is a deep copy that shares no node with its original."""
import ast

import gast

from transgrad.syntax import build
from transgrad.syntax.walk import walk


def test_clone_is_an_equal_tree_of_new_nodes():
    tree = gast.parse("def f(x, *a, k=None):\n    y = [x[i] + 1 for i in range(3)]\n    return {'a': y, **a}")
    copied = build.clone(tree)
    assert ast.dump(copied, include_attributes=True) == ast.dump(tree, include_attributes=True)
    assert not {id(n) for n in walk(copied)} & {id(n) for n in walk(tree)}
    assert copied.body[0].args.kw_defaults[0] is not tree.body[0].args.kw_defaults[0]


def test_clone_puts_what_replace_returns_in_place_of_a_node_and_copies_the_rest():
    tree = gast.parse("y = f(x, g(x))").body[0].value
    original = gast.dump(tree)

    def x_to_z(node):
        return build.name("z") if isinstance(node, gast.Name) and node.id == "x" else None
    assert gast.unparse(build.clone(tree, x_to_z)).strip() == "f(z, g(z))"
    assert gast.dump(tree) == original   # the original is only read
