"""Reject, at the user's line, every construct the compiler does not handle.

Runs before any transformation, so later passes may assume the language below
and never crash on something unexpected. Each rejection says how to
restructure the code.
"""
import gast

from transgrad.errors import UnsupportedSyntaxError

# node type -> (construct, hint)
_REJECTED = {
    gast.Try: ("try/except", "move the try block outside the differentiated function"),
    gast.Yield: ("yield (generators)", "return a list or array instead"),
    gast.YieldFrom: ("yield from", "return a list or array instead"),
    gast.Await: ("await", "differentiate a synchronous function"),
    gast.AsyncFunctionDef: ("async functions", "differentiate a synchronous function"),
    gast.AsyncFor: ("async for", "use a plain for loop"),
    gast.AsyncWith: ("async with", "use a plain with block"),
    gast.Global: ("global statements", "pass the value in as an argument and return the new value"),
    gast.Nonlocal: ("nonlocal statements", "pass the value in as an argument and return the new value"),
    gast.ClassDef: ("class definitions", "define the class outside the differentiated function"),
    gast.SetComp: ("set comprehensions", "use a list comprehension"),
    gast.NamedExpr: ("assignment expressions (:=)", "assign in a separate statement"),
    gast.Import: ("imports inside a differentiated function", "import at module level"),
    gast.ImportFrom: ("imports inside a differentiated function", "import at module level"),
    gast.Match: ("match statements", "use if/elif/else"),
    gast.Set: ("set displays", "use a list or tuple"),
    gast.Starred: ("starred expressions", "pass or unpack the items one by one"),
}

_FORBIDDEN_CALLS = {"eval": "eval", "exec": "exec", "globals": "globals()", "locals": "locals()",
                    "vars": "vars()"}


class Fence(gast.NodeVisitor):
    """Raises UnsupportedSyntaxError on the first construct outside the supported language."""

    def __init__(self, parsed):
        self.parsed = parsed

    def reject(self, node, construct, hint):
        raise UnsupportedSyntaxError(construct, self.parsed.span(node), hint)

    def generic_visit(self, node):
        rejected = _REJECTED.get(type(node))
        if rejected is not None:
            self.reject(node, *rejected)
        super().generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, gast.Name) and node.func.id in _FORBIDDEN_CALLS:
            self.reject(node, _FORBIDDEN_CALLS[node.func.id],
                        "transgrad reads source code, so code built at run time cannot be differentiated")
        for keyword in node.keywords:
            if keyword.arg is None:
                self.reject(node, "**kwargs in a call", "pass the keyword arguments by name")
        self.generic_visit(node)

    def visit_Delete(self, node):
        """`del name` only unbinds a name (normalize/desugar.py drops it); deleting an item or an
        attribute changes an object."""
        for target in node.targets:
            if not isinstance(target, gast.Name):
                self.reject(node, "del of an item or attribute", "build a new container without it")

    def visit_For(self, node):
        if not isinstance(node.target, (gast.Name, gast.Tuple)):
            self.reject(node.target, "this loop target", "loop over a plain name")
        self.generic_visit(node)

    def visit_With(self, node):
        if len(node.items) != 1 or node.items[0].optional_vars is not None:
            self.reject(node, "this with statement", "only `with tg.no_grad():` is supported")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self.check_store(node, node.target, allow_subscript=True)
        self.generic_visit(node)

    def visit_Assign(self, node):
        for target in node.targets:
            self.check_store(node, target, allow_subscript=len(node.targets) == 1)
            elements = target.elts if isinstance(target, (gast.Tuple, gast.List)) else [target]
            for element in elements:
                self.visit(element.value if isinstance(element, gast.Starred) else element)
        self.visit(node.value)

    def check_store(self, node, target, allow_subscript):
        """Names, tuples of names, and `name[index]` (alone) may be assigned."""
        if isinstance(target, gast.Name):
            return
        if isinstance(target, (gast.Tuple, gast.List)):
            for element in target.elts:
                if (isinstance(element, gast.Starred) and isinstance(node, gast.Assign)
                        and isinstance(element.value, gast.Name)):
                    continue   # a, *rest = t: desugared to rest = list(t[1:])
                self.check_store(node, element, allow_subscript=False)
            return
        if isinstance(target, gast.Attribute):
            self.reject(node, "assignment to an attribute",
                        "keep the value in a local variable and return it")
        if isinstance(target, gast.Subscript):
            if not isinstance(target.value, gast.Name):
                self.reject(node, "assignment into a nested subscript such as x[i][j]",
                            "index once, as x[i, j], or assign the row first: row = x[i]; row[j] = v")
            if not allow_subscript:
                self.reject(node, "subscript assignment inside tuple unpacking or a chained assignment",
                            "assign each item in its own statement")
            return
        self.reject(node, "this assignment target", "assign to a plain name")

    def visit_AnnAssign(self, node):
        self.reject(node, "annotated assignments", "drop the annotation")


def fence(parsed, inlined=False):
    """Check the body of a parsed function (the def line itself is allowed).

    A helper that is inlined at its call site may take *args and **kwargs.
    """
    checker = Fence(parsed)
    if isinstance(parsed.node, gast.AsyncFunctionDef):
        checker.reject(parsed.node, "async functions", "differentiate a synchronous function")
    args = parsed.node.args
    if (args.vararg or args.kwarg) and not inlined:
        checker.reject(parsed.node, "*args/**kwargs in a differentiated function",
                       "name the parameters; helpers may take them later")
    for stmt in parsed.node.body:
        checker.visit(stmt)
