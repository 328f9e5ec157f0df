"""The error classes of transgrad, and how a user's source line is quoted in them.

Every error a user can see is a subclass of `TransgradError`, which also
subclasses the matching builtin where one fits, so `except SyntaxError` or
`except TypeError` in user code keeps working.
"""


class SourceSpan:
    """A place in the user's source: file, line, column and the line's text."""

    def __init__(self, filename, lineno, col_offset=0, text=None):
        self.filename = filename
        self.lineno = lineno
        self.col_offset = col_offset or 0
        self.text = text

    def describe(self):
        where = f'File "{self.filename}", line {self.lineno}, column {self.col_offset + 1}'
        if self.text:
            stripped = self.text.strip()
            caret_at = max(0, self.col_offset - (len(self.text) - len(self.text.lstrip())))
            where += f"\n    {stripped}\n    {' ' * caret_at}^"
        return where

    def __repr__(self):
        return f"SourceSpan({self.filename!r}, {self.lineno}, {self.col_offset})"


class TransgradError(Exception):
    """Base class of every error transgrad raises on purpose."""


class SourceUnavailableError(TransgradError, OSError):
    """The function's source cannot be read (a builtin, a lambda typed at a REPL, exec'd code)."""


class UnsupportedSyntaxError(TransgradError, SyntaxError):
    """A construct the compiler does not handle, reported at the user's line."""

    def __init__(self, construct, span=None, hint=None):
        self.construct = construct
        self.span = span
        self.hint = hint
        message = f"transgrad does not support {construct}"
        if hint:
            message += f"; {hint}"
        if span is not None:
            message += f"\n  {span.describe()}"
        super().__init__(message)
        # SyntaxError's own fields, so tools that read them find the user's line.
        if span is not None:
            self.filename, self.lineno = span.filename, span.lineno
            self.offset, self.text = span.col_offset + 1, span.text

    def __str__(self):
        return self.args[0]


class NonDifferentiableError(TransgradError, TypeError):
    """An active value flows into a callable that has no adjoint rule."""

    HINT = ("A value that needs a gradient reaches it. Register an adjoint with @tg.adjoint, or stop the "
            "gradient with tg.detach(...) or a `with tg.no_grad():` block")

    def __init__(self, callee, span=None, detail=None, hint=HINT):
        """`hint` ends the message with what to do; a `detail` that already says it passes None."""
        self.callee = callee
        self.span = span
        message = f"cannot differentiate through {callee}"
        if detail:
            message += f": {detail}"
        if hint:
            message += f". {hint}"
        if span is not None:
            message += f"\n  {span.describe()}"
        super().__init__(message)


class GradcheckError(TransgradError, AssertionError):
    """tg.gradcheck found a derivative that disagrees with finite differences."""
