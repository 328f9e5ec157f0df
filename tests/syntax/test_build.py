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
