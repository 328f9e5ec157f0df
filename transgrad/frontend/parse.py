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
from transgrad.syntax.walk import walk


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
    """The plain Python function behind bound methods and functools.wraps wrappers.

    A compiled transgrad object (tg.grad(f), tg.hessian(f), ...) is never unwrapped to the user's
    function: its `__wrapped__` names the function it differentiates, not one that computes the
    same thing (differentiating it again goes through higher.py)."""
    function = inspect.unwrap(function, stop=is_compiled)
    return getattr(function, "__func__", function)


def is_compiled(function):
    """Is this a compiled transgrad object (whose __wrapped__ must not be followed)?"""
    return getattr(type(function), "__transgrad_compiled__", False)


def parse_function(function):
    """Parse `function` into a ParsedFunction; raise SourceUnavailableError if it has no source."""
    function = unwrap(function)
    if not inspect.isfunction(function):
        raise SourceUnavailableError(
            f"transgrad can only differentiate Python functions written with `def`; got {function!r}. "
            "For a builtin or C function, register its derivative with @tg.adjoint")
    if function.__name__ == "<lambda>":
        return _parse_lambda(function)
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
            f"the source of {function.__qualname__} is not a `def` statement; define it with `def` or `lambda`")
    gast.increment_lineno(module, first_line - 1)
    _shift_columns(module, lines)
    node.decorator_list = []
    return ParsedFunction(function, node, filename, lines)


def _parse_lambda(function):
    """A lambda (tg.grad(lambda x: np.sum(x ** 2))) as `def lambda_(x): return np.sum(x ** 2)`.

    The lambda is found in its file's tree by its line; several lambdas on that line are told
    apart by their parameter names, then by the columns their code was compiled from.
    """
    code = function.__code__
    filename = inspect.getsourcefile(function) or code.co_filename
    linecache.checkcache(filename)
    lines = linecache.getlines(filename, function.__globals__)
    unavailable = (f"cannot read the source of the lambda on line {code.co_firstlineno} of {filename}; "
                   "transgrad reads a function's source, so define it in a file")
    if not lines:
        raise SourceUnavailableError(unavailable)
    try:
        module = gast.parse("".join(lines))
    except SyntaxError:
        raise SourceUnavailableError(unavailable) from None
    parameters = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    found = [node for node in walk(module) if isinstance(node, gast.Lambda)
             and node.lineno == code.co_firstlineno and _parameter_names(node.args) == parameters]
    if len(found) > 1:
        found = [node for node in found if _contains_code_of(node, code)]
    if len(found) != 1:
        raise SourceUnavailableError(
            f"cannot tell which lambda on line {code.co_firstlineno} of {filename} this is; "
            "define it with `def` instead")
    lam = found[0]
    body = gast.Return(value=lam.body)
    gast.copy_location(body, lam)
    fields = dict(name="lambda_", args=lam.args, body=[body], decorator_list=[], returns=None,
                  type_comment=None, type_params=[])
    node = gast.FunctionDef(**{k: v for k, v in fields.items() if k in gast.FunctionDef._fields})
    gast.copy_location(node, lam)
    return ParsedFunction(function, node, filename, lines)


def _contains_code_of(lam, code):
    """Does the lambda's span hold the columns its compiled code came from (co_positions)?"""
    columns = [column for line, _, column, _ in getattr(code, "co_positions", lambda: ())()
               if line == code.co_firstlineno and column]   # column 0: the frame setup, not the body
    body = lam.body
    return bool(columns) and all(body.col_offset <= column and (
        getattr(body, "end_lineno", None) != lam.lineno or column < body.end_col_offset) for column in columns)


def _parameter_names(arguments):
    return tuple(a.id for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs)


def _shift_columns(module, lines):
    """Restore the indentation that dedent removed, so column numbers match the file."""
    indent = len(lines[0]) - len(lines[0].lstrip())
    if indent:
        for sub in walk(module):
            if hasattr(sub, "col_offset") and sub.col_offset is not None:
                sub.col_offset += indent
