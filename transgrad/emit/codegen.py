"""Turn generated gast functions into readable Python source.

gast's unparser (`gast.unparse`, the standard library's `ast.unparse` adapted
to gast trees) writes the text straight from the gast tree. Marker strings that passes leave in the tree
become comments naming the user's line, so each block of generated code says
which line of the user's function it came from:

    # line 5: y = x + 2
    y = x + 2
    ...
    # grad of line 5: y = x + 2
    dx = dy
"""
import re

import gast

from transgrad.syntax import build
from transgrad.syntax.walk import walk

_MARKER = re.compile(r"""^(\s*)(?:'|\"\"\")__transgrad_(grad_of_)?line__ (\d+)(?:'|\"\"\")$""")


def line_marker(lineno, like=None):
    return build.expr_stmt(build.const(f"__transgrad_line__ {lineno}"), like=like)


def mark_lines(stmts, previous=None, skip=None):
    """Insert a `# line N` marker before each group of statements that came from user line N.

    Statements from the enclosing statement's own line, or from the `def` line
    (`skip`, e.g. flags initialised by control lowering), get no new marker.
    """
    out = []
    for stmt in stmts:
        lineno = getattr(stmt, "lineno", None)
        if lineno is not None and lineno not in (previous, skip) and not _is_marker(stmt):
            out.append(line_marker(lineno, stmt))
            previous = lineno
        for field in ("body", "orelse"):
            if isinstance(stmt, (gast.If, gast.For, gast.While, gast.With)) and getattr(stmt, field, None):
                setattr(stmt, field, mark_lines(getattr(stmt, field), lineno, skip))
        out.append(stmt)
    return out


def _is_marker(stmt):
    return (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant)
            and isinstance(stmt.value.value, str) and stmt.value.value.startswith("__transgrad_"))


def function_def(name, params, body, like=None):
    """A def; `params` is a list of names or a gast.arguments (whose defaults are dropped:
    the compiled function gets the user's real default values instead)."""
    if isinstance(params, gast.arguments):
        args = gast.arguments(args=[build.name(a.id) for a in params.args], posonlyargs=[], vararg=None,
                              kwonlyargs=[build.name(a.id) for a in params.kwonlyargs],
                              kw_defaults=[None] * len(params.kwonlyargs), kwarg=None, defaults=[])
    else:
        args = gast.arguments(args=[build.name(p) for p in params], posonlyargs=[], vararg=None,
                              kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    for arg in args.args + args.kwonlyargs:
        arg.ctx = gast.Param()
    node = gast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                            type_comment=None, type_params=[])
    return build.located(node, like)


def name_runtime(function_defs, runtime_name):
    """Give the runtime's placeholder name in normalized code its final name (see syntax/build.py)."""
    for function_def in function_defs:
        for node in walk(function_def):
            if isinstance(node, gast.Name) and node.id == build.RUNTIME:
                node.id = runtime_name
    return function_defs


def unparse(function_defs, line_text):
    """Source text of the functions, with line markers turned into comments.

    gast's own unparser reads the gast tree as it is: converting it to an `ast` tree first and
    giving every node a location took two thirds of the time (the text is the same)."""
    module = gast.Module(body=list(function_defs), type_ignores=[])
    _give_statements_a_line(module)
    text = gast.unparse(module)
    lines, last_comment = [], None
    for line in text.splitlines():
        match = _MARKER.match(line)
        if match:
            indent, grad_of, lineno = match.groups()
            source = (line_text(int(lineno)) or "").strip()
            label = "grad of line" if grad_of else "line"
            comment = f"{indent}# {label} {lineno}: {source}"
            if comment != last_comment:
                lines.append(comment)
            last_comment = comment
        else:
            if len(line) - len(line.lstrip()) < len(last_comment or "") - len((last_comment or "").lstrip()):
                last_comment = None
            lines.append(line)
    return "\n".join(_blank_between_functions(lines)) + "\n"


def _give_statements_a_line(tree):
    """The unparser looks up each statement's line among `# type: ignore` comments (there are
    none), so a generated statement without a line gets None."""
    for node in walk(tree):
        if "lineno" in node._attributes and not hasattr(node, "lineno"):
            node.lineno = None


def _blank_between_functions(lines):
    out = []
    for line in lines:
        if line.startswith("def ") and out:
            out.append("")
        out.append(line)
    return out
