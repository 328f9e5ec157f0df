"""fence: every unsupported construct is rejected at the user's line, with a hint."""
import numpy as np
import pytest

import transgrad as tg


def with_try(x):
    try:
        y = x * 2
    except ValueError:
        y = x
    return y


def with_generator(x):
    yield x


def with_global(x):
    global COUNTER
    COUNTER = x
    return x


def with_class(x):
    class Local:
        pass
    return x


def with_eval(x):
    return eval("x * 2")


def with_set_comprehension(x):
    return sum({v * v for v in x})


def with_function_as_value(x):
    square = lambda v: v * v  # noqa: E731
    functions = [square]
    return functions[0](x)


def with_nested_subscript_store(x):
    y = np.zeros((3, 3))
    y[0][1] = x
    return np.sum(y)


def with_attribute_store(x, holder):
    holder.value = x
    return x


def with_other_context(x):
    with open(__file__):
        y = x * 2
    return y


CASES = [
    (with_try, "try/except", "try:"),
    (with_generator, "yield", "yield x"),
    (with_global, "global", "global COUNTER"),
    (with_class, "class definitions", "class Local:"),
    (with_eval, "eval", 'return eval("x * 2")'),
    (with_set_comprehension, "set comprehensions", "return sum({v * v for v in x})"),
    (with_function_as_value, "as a value", "square = lambda v: v * v"),
    (with_nested_subscript_store, "nested subscript", "y[0][1] = x"),
    (with_attribute_store, "assignment to an attribute", "holder.value = x"),
    (with_other_context, "with statement", "with open(__file__):"),
]


@pytest.mark.parametrize("function, construct, line", CASES, ids=[c[0].__name__ for c in CASES])
def test_rejected_with_file_line_and_quoted_source(function, construct, line):
    with pytest.raises(tg.UnsupportedSyntaxError) as caught:
        tg.grad(function)(*[np.ones(3)] * function.__code__.co_argcount)
    message = str(caught.value)
    assert construct in message
    assert __file__ in message
    assert line in message
    assert f"line {caught.value.lineno}" in message
    assert isinstance(caught.value, SyntaxError)


def test_error_carries_syntax_error_fields():
    with pytest.raises(SyntaxError) as caught:
        tg.grad(with_try)(1.0)
    assert caught.value.filename == __file__
    assert caught.value.text.strip() == "try:"
