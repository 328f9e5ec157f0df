"""Comprehensions and generator expressions become explicit loops.

    total = sum(w[i] * x[i] ** 2 for i in range(n))
 -> terms = []
    for i_1 in range(n):
        terms.append(w[i_1] * x[i_1] ** 2)
    total = sum(terms)

The loop variables get fresh names (a comprehension has its own scope), `if`
clauses become if statements, nested generators nested loops; a dict
comprehension fills a dict by subscript assignment. A generator expression is
materialized as a list, which is what sum, max, min or np.array consume.
"""
import gast

from transgrad.errors import UnsupportedSyntaxError
from transgrad.syntax import build
from transgrad.syntax.naming import describe
from transgrad.syntax.walk import Transformer, walk

_COMPREHENSIONS = (gast.ListComp, gast.GeneratorExp, gast.DictComp)


class _Hoist(Transformer):
    """Replaces each outermost comprehension in an expression by a name, collecting loop statements."""

    def __init__(self, lowerer, like):
        self.lowerer = lowerer
        self.like = like
        self.statements = []

    def visit_Lambda(self, node):
        return node   # a lambda's body is its own scope: left for the inliner

    def visit_IfExp(self, node):
        """`a if c else [... for ...]`: a comprehension in a branch runs only when its branch is taken
        (it may fail in the other case), so the choice becomes an if statement around its loops."""
        if not any(_contains(branch) for branch in (node.body, node.orelse)):
            return self.generic_visit(node)
        test = self.visit(node.test)
        name = self.lowerer.namer.fresh("choice")
        branches = []
        for branch in (node.body, node.orelse):
            inner = _Hoist(self.lowerer, self.like)
            value = inner.visit(branch)
            branches.append(inner.statements + [build.assign(name, value, like=self.like)])
        self.statements.append(build.located(gast.If(test=test, body=branches[0], orelse=branches[1]), self.like))
        return build.name(name)

    def generic_visit(self, node):
        if isinstance(node, _COMPREHENSIONS):
            name, stmts = self.lowerer.loops(node, self.like)
            self.statements.extend(stmts)
            return build.name(name)
        return super().generic_visit(node)


class LowerComprehensions:
    def __init__(self, namer, parsed):
        self.namer = namer
        self.parsed = parsed

    def statement(self, stmt):
        """(statements computing the comprehensions in stmt's own expressions, stmt)."""
        if isinstance(stmt, gast.While) and _contains(stmt.test):
            raise UnsupportedSyntaxError("a comprehension in a while condition", self.parsed.span(stmt),
                                         "compute it in a variable before the loop and again at the end of its body")
        hoist = _Hoist(self, stmt)
        for field in ("value", "test", "iter", "targets", "target"):
            value = getattr(stmt, field, None)
            if isinstance(value, list):
                setattr(stmt, field, [hoist.visit(v) for v in value])
            elif value is not None:
                setattr(stmt, field, hoist.visit(value))
        return hoist.statements, stmt

    def loops(self, node, like):
        """(name holding the result, statements that build it)."""
        renames = {}
        for generator in node.generators:
            for target in walk(generator.target):
                if isinstance(target, gast.Name):
                    renames[target.id] = self.namer.fresh(target.id)
        node = _Rename(renames).visit(node)
        shown = node.value if isinstance(node, gast.DictComp) else node.elt
        result = self.namer.fresh(f"{describe(shown)}_items" if len(describe(shown)) < 14 else "items")
        if isinstance(node, gast.DictComp):
            empty = gast.Dict(keys=[], values=[])
            store = gast.Subscript(value=build.name(result), slice=node.key, ctx=gast.Store())
            innermost = [build.located(gast.Assign(targets=[store], value=node.value, type_comment=None), like)]
        else:
            empty = gast.List(elts=[], ctx=gast.Load())
            append = build.call(build.attribute(build.name(result), "append"), node.elt)
            innermost = [build.expr_stmt(append, like=like)]
        body = innermost
        for generator in reversed(node.generators):
            for condition in reversed(generator.ifs):
                body = [build.if_(condition, body, like=like)]
            loop = gast.For(target=generator.target, iter=generator.iter, body=body, orelse=[], type_comment=None)
            body = [build.located(loop, like)]
        statements = [build.assign(result, empty, like=like)]
        for stmt in body:   # comprehensions nested in the element or conditions
            statements.extend(self.block([stmt]))
        return result, statements

    def block(self, stmts):
        out = []
        for stmt in stmts:
            before, stmt = self.statement(stmt)
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    setattr(stmt, field, self.block(getattr(stmt, field)))
            out.extend(before)
            out.append(stmt)
        return out


class _Rename(Transformer):
    def __init__(self, renames):
        self.renames = renames

    def visit_Name(self, node):
        if node.id in self.renames:
            return gast.Name(id=self.renames[node.id], ctx=node.ctx, annotation=None, type_comment=None)
        return node

    def visit_Lambda(self, node):
        return node


def _contains(node):
    return any(isinstance(n, _COMPREHENSIONS) for n in walk(node))


def lower_comprehensions(function_node, namer, parsed):
    function_node.body = LowerComprehensions(namer, parsed).block(function_node.body)
    return function_node
