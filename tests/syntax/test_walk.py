"""syntax/walk.py: the compiler's tree walk visits what ast.walk visits, in the same order."""
import ast
import inspect

import gast

from transgrad.syntax.walk import walk


def sample(x, n):
    total = 0.0
    for i in range(n):
        if x[i] > 0:
            total += x[i] ** 2 * (lambda t: t + 1)(i)
        else:
            total -= [v for v in x if v < 0][0]
    return total


def test_same_nodes_in_the_same_order_as_ast_walk():
    tree = gast.parse(inspect.getsource(sample))
    assert [id(n) for n in walk(tree)] == [id(n) for n in ast.walk(tree)]


def test_a_node_changed_when_it_is_yielded_still_has_its_old_children_walked():
    tree = gast.parse("y = a + b")
    seen = []
    for node in walk(tree):
        seen.append(type(node).__name__)
        if isinstance(node, gast.BinOp):
            node.left = gast.Constant(value=1, kind=None)
    assert seen.count("Name") == 3   # y, a and b


def _rewriters(base):
    class Rewriter(base):
        """Renames x, drops `pass`, expands `del` into two statements, visits inside everything else."""

        def visit_Name(self, node):
            if node.id == "x":
                node.id = "renamed"
            return node

        def visit_Pass(self, node):
            return None

        def visit_Delete(self, node):
            return [gast.Expr(value=gast.Constant(value=1, kind=None)), node]

    class SkipsLambdas(Rewriter):
        def visit_Lambda(self, node):
            return node
    return Rewriter, SkipsLambdas


def test_transformer_rewrites_exactly_as_gast_node_transformer():
    from transgrad.syntax.walk import Transformer
    source = inspect.getsource(sample) + "\ndef g(x):\n    pass\n    del x\n    return lambda x: x\n"
    for fast, slow in zip(_rewriters(Transformer), _rewriters(gast.NodeTransformer)):
        ours, theirs = fast().visit(gast.parse(source)), slow().visit(gast.parse(source))
        assert ast.dump(ours) == ast.dump(theirs)
