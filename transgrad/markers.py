"""Markers that the compiler recognizes by identity and that do nothing at run time.

`no_grad()` and `detach(x)` behave as a harmless context manager and the
identity when the user's function runs on its own; inside a differentiated
function the compiler treats what they produce as constants.
"""


class no_grad:
    """Context manager: statements in its block run but are not differentiated."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


def detach(x):
    """Identity at run time; the result is a constant for the differentiation."""
    return x


stop_gradient = detach
