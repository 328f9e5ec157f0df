"""Read a Python function's source into a gast tree that keeps the user's line numbers.

The result also carries what the compiler needs to resolve names the way
Python would when the function runs: its globals dict, its closure cells and
the builtins.
"""
import inspect
import linecache
import textwrap

import gast

from transgrad.errors import SourceUnavailableError, SourceSpan


class ParsedFunction:
    """A user function's tree plus its environment.

    node      gast.FunctionDef, decorators removed, lines numbered as in the file
    filename  the file the source came from
    globals   the function's __globals__ (live: read at run time, never copied)
    closure   {free variable name: cell}
    """

    def __init__(self, function, node, filename, lines):
        self.function = function
        self.node = node
        self.filename = filename
        self._lines = lines
        self.globals = function.__globals__
        code = function.__code__
        cells = function.__closure__ or ()
        self.closure = dict(zip(code.co_freevars, cells))
        self.code = code

    @property
    def name(self):
        return self.node.name

    def line_text(self, lineno):
        """The user's source line `lineno` (1-based, in the file)."""
        text = linecache.getline(self.filename, lineno)
        return text.rstrip("\n") if text else None

    def span(self, node):
        """A SourceSpan for a node of this function, for error messages."""
        lineno = getattr(node, "lineno", None) or self.node.lineno
        return SourceSpan(self.filename, lineno, getattr(node, "col_offset", 0), self.line_text(lineno))


def unwrap(function):
    """The plain Python function behind bound methods and functools.wraps wrappers."""
    function = inspect.unwrap(function)
    return getattr(function, "__func__", function)


def parse_function(function):
    """Parse `function` into a ParsedFunction; raise SourceUnavailableError if it has no source."""
    function = unwrap(function)
    if not inspect.isfunction(function):
        raise SourceUnavailableError(
            f"transgrad can only differentiate Python functions written with `def`; got {function!r}. "
            "For a builtin or C function, register its derivative with @tg.adjoint")
    try:
        lines, first_line = inspect.getsourcelines(function)
    except (OSError, TypeError) as error:
        raise SourceUnavailableError(
            f"cannot read the source of {function.__qualname__} ({error}); transgrad reads a function's "
            "source, so define it with `def` in a file (not exec, eval or an interactive prompt without history)"
        ) from None
    filename = inspect.getsourcefile(function) or function.__code__.co_filename
    source = textwrap.dedent("".join(lines))
    try:
        module = gast.parse(source)
    except SyntaxError:
        raise SourceUnavailableError(f"cannot parse the source of {function.__qualname__}") from None
    node = module.body[0]
    if isinstance(node, gast.Expr) or not isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef)):
        raise SourceUnavailableError(
            f"{function.__qualname__} is a lambda or not a `def` statement; transgrad needs a `def` "
            "function (lambdas inside a differentiated function come later)")
    gast.increment_lineno(module, first_line - 1)
    _shift_columns(module, lines)
    node.decorator_list = []
    return ParsedFunction(function, node, filename, lines)


def _shift_columns(module, lines):
    """Restore the indentation that dedent removed, so column numbers match the file."""
    indent = len(lines[0]) - len(lines[0].lstrip())
    if indent:
        for sub in gast.walk(module):
            if hasattr(sub, "col_offset") and sub.col_offset is not None:
                sub.col_offset += indent
