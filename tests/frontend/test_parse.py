"""parse: source through inspect, decorators stripped, the user's file lines kept."""
import inspect

import numpy as np
import pytest

import transgrad as tg
from transgrad.frontend.parse import parse_function


def decorated(x):
    return x * 2


@tg.grad
def decorated_with_grad(x):
    return x * 3


class Holder:
    def method(self, x):
        return x * x


def test_line_numbers_are_the_files_own():
    parsed = parse_function(decorated)
    first_line = inspect.getsourcelines(decorated)[1]
    assert parsed.node.lineno == first_line
    assert parsed.node.body[0].lineno == first_line + 1
    assert parsed.line_text(first_line + 1).strip() == "return x * 2"
    assert parsed.filename == __file__


def test_decorators_are_stripped_including_tg_grad_itself():
    parsed = parse_function(decorated_with_grad.__wrapped__)
    assert parsed.node.decorator_list == []
    assert decorated_with_grad(2.0) == 3.0


def test_indented_methods_keep_their_columns():
    parsed = parse_function(Holder().method)
    assert parsed.node.col_offset == 4


def test_builtins_and_exec_functions_have_no_source():
    with pytest.raises(tg.SourceUnavailableError, match="tg.adjoint"):
        tg.grad(np.sin)(1.0)
    namespace = {}
    exec("def made(x):\n    return x * 2\n", namespace)
    with pytest.raises(tg.SourceUnavailableError, match="cannot read the source"):
        tg.grad(namespace["made"])(1.0)


def test_source_unavailable_is_an_os_error():
    assert issubclass(tg.SourceUnavailableError, OSError)


def test_closure_cells_and_globals_are_resolved():
    scale = 3.0

    def inner(x):
        return x * scale * np.pi
    parsed = parse_function(inner)
    assert "scale" in parsed.closure
    assert parsed.globals is globals()
