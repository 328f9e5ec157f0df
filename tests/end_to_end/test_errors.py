"""Every error class, raised where the contract says, with a message that points at the user's line."""
import inspect
import math
import os
import statistics
import sys

import numpy as np
import pytest

import transgrad as tg

THIS_FILE = os.path.basename(__file__)
COUNTER = 0


def line_of(function, text):
    """The absolute line number of the first line of `function` containing `text`."""
    lines, start = inspect.getsourcelines(function)
    for offset, line in enumerate(lines):
        if text in line:
            return start + offset
    raise AssertionError(f"{text!r} not in {function.__name__}")


def assert_points_at(error, function, text):
    message = str(error)
    line = line_of(function, text)
    assert THIS_FILE in message, message
    assert str(line) in message, f"line {line} not in:\n{message}"
    assert text in message, f"the offending line is not quoted:\n{message}"


# ----- UnsupportedSyntaxError -----

def uses_try(x):
    y = x * 2.0
    try:
        y = y + 1.0
    except ValueError:
        pass
    return np.sum(y)


def uses_yield(x):
    y = x * 2.0
    yield np.sum(y)


async def uses_async(x):
    return np.sum(x)


def writes_global(x):
    global COUNTER
    COUNTER = COUNTER + 1
    return np.sum(x)


def defines_class(x):
    class Local:
        pass
    return np.sum(x)


def uses_eval(x):
    y = eval("x * 2.0")
    return np.sum(y)


UNSUPPORTED = [
    (uses_try, "try:", "try"),
    (uses_yield, "yield np.sum(y)", "yield"),
    (writes_global, "global COUNTER", "global"),
    (defines_class, "class Local:", "class"),
    (uses_eval, 'y = eval("x * 2.0")', "eval"),
]


@pytest.mark.parametrize("function, offending, construct", UNSUPPORTED, ids=[u[2] for u in UNSUPPORTED])
def test_unsupported_syntax_names_the_construct_file_line_and_quotes_it(function, offending, construct):
    with pytest.raises(tg.UnsupportedSyntaxError) as info:
        tg.grad(function)(np.ones(3))
    error = info.value
    assert isinstance(error, SyntaxError) and isinstance(error, tg.TransgradError)
    assert construct in str(error).lower()
    assert_points_at(error, function, offending)
    assert error.lineno == line_of(function, offending)
    assert error.filename.endswith(THIS_FILE)


def test_async_function_is_unsupported_syntax():
    with pytest.raises(tg.UnsupportedSyntaxError) as info:
        tg.grad(uses_async)(np.ones(3))
    assert "async" in str(info.value)
    assert THIS_FILE in str(info.value)


def test_unsupported_syntax_is_caught_as_syntax_error():
    with pytest.raises(SyntaxError):
        tg.grad(uses_try)(np.ones(3))


def test_unsupported_syntax_in_a_called_helper_points_at_the_helper():
    with pytest.raises(tg.UnsupportedSyntaxError) as info:
        tg.grad(calls_try_helper)(np.ones(3))
    assert_points_at(info.value, uses_try, "try:")


def calls_try_helper(x):
    return uses_try(x) * 2.0


# ----- NonDifferentiableError -----

opaque_sin = np.frompyfunc(math.sin, 1, 1)  # a C callable no rule can be registered for in advance


def clip_one(v):
    return min(max(v, -1.0), 1.0)


clip = np.vectorize(clip_one)


def uses_c_ufunc(x):
    y = x * 2.0
    z = opaque_sin(y)
    return np.sum(z)


def uses_vectorized(x):
    y = x * 2.0
    clipped = clip(y)
    return np.sum(clipped ** 2)


def uses_stdlib(x):
    y = x * 2.0
    z = statistics.fmean(y)
    return z


def clip_detached(x):
    clipped = clip(tg.detach(x))
    return np.sum(clipped * x)


def clip_no_grad(x):
    with tg.no_grad():
        clipped = clip(x)
    return np.sum(clipped * x)


def clip_of_constant(x, c):
    clipped = clip(c)
    return np.sum(clipped * x)


@pytest.mark.parametrize("function, offending, callee", [
    (uses_c_ufunc, "z = opaque_sin(y)", "opaque_sin"),
    (uses_vectorized, "clipped = clip(y)", "clip"),
], ids=["frompyfunc", "vectorize"])
def test_non_differentiable_call_names_the_callable_and_suggests_the_fixes(function, offending, callee):
    with pytest.raises(tg.NonDifferentiableError) as info:
        tg.grad(function)(np.array([0.3, 1.2, -2.0]))
    error = info.value
    message = str(error)
    assert isinstance(error, tg.TransgradError)
    assert callee in message
    assert "tg.adjoint" in message
    assert "tg.detach" in message and "tg.no_grad" in message
    assert_points_at(error, function, offending)


def test_a_standard_library_function_without_a_rule_is_non_differentiable():
    # Library code is not the user's: transgrad should not read it (and trip over its try blocks),
    # but report the call the active value flows into.
    with pytest.raises(tg.NonDifferentiableError) as info:
        tg.grad(uses_stdlib)(np.array([0.3, 1.2, -2.0]))
    assert "fmean" in str(info.value)
    assert_points_at(info.value, uses_stdlib, "z = statistics.fmean(y)")


def fills_diagonal(x):
    a = np.zeros((3, 3))
    np.fill_diagonal(a, x)
    return np.sum(a * a)


def copies_into(x):
    a = np.zeros(3)
    np.copyto(a, x)
    return np.sum(a * a)


def puts_an_expression(x):
    a = np.zeros(3)
    np.put_along_axis(a, np.array([2, 0, 1]), x * 2.0, 0)
    return np.sum(a * a)


def copies_in_a_loop(x):
    a = np.zeros(3)
    for _ in range(2):
        np.copyto(a, x + 1.0)
    return np.sum(a * a)


def multiplies_at(x):
    a = x * 1.0
    np.multiply.at(a, [0, 0], 2.0)
    return np.sum(a * a)


def writes_out(x):
    a = np.zeros(3)
    np.sin(x, out=a)
    return np.sum(a * a)


@pytest.mark.parametrize("function, offending, callee", [
    (fills_diagonal, "np.fill_diagonal(a, x)", "np.fill_diagonal"),
    (copies_into, "np.copyto(a, x)", "np.copyto"),
    (multiplies_at, "np.multiply.at(a, [0, 0], 2.0)", "np.multiply.at"),
    (writes_out, "np.sin(x, out=a)", "np.sin"),
    (puts_an_expression, "np.put_along_axis(a, np.array([2, 0, 1]), x * 2.0, 0)", "np.put_along_axis"),
    (copies_in_a_loop, "np.copyto(a, x + 1.0)", "np.copyto"),
], ids=["fill_diagonal", "copyto", "multiply.at", "out=", "value is an expression", "in a loop"])
def test_numpy_functions_that_write_into_an_argument_are_rejected_not_ignored(function, offending, callee):
    # numpy changes `a` in place in an expression statement: ignoring it would give a zero gradient
    with pytest.raises(tg.NonDifferentiableError) as info:
        tg.grad(function)(np.array([0.3, 1.2, -2.0]))
    assert f"{callee}, which writes into `a`" in str(info.value)
    assert_points_at(info.value, function, offending)


def test_the_suggested_fixes_work():
    x = np.array([0.3, 1.2, -2.0])
    expected = np.clip(x, -1.0, 1.0)
    np.testing.assert_allclose(tg.grad(clip_detached)(x), expected)
    np.testing.assert_allclose(tg.grad(clip_no_grad)(x), expected)
    np.testing.assert_allclose(tg.grad(clip_of_constant)(x, x), expected)  # inactive input: no error


# ----- SourceUnavailableError -----

_ns = {"np": np}
exec("def made_by_exec(x):\n    return np.sum(x * x)\n", _ns)
made_by_exec = _ns["made_by_exec"]


@pytest.mark.parametrize("function", [np.sin, made_by_exec, math.exp], ids=["np.sin", "exec", "math.exp"])
def test_source_unavailable(function):
    with pytest.raises(tg.SourceUnavailableError) as info:
        tg.grad(function)(np.ones(2) if function is not math.exp else 1.0)
    assert isinstance(info.value, tg.TransgradError)
    assert getattr(function, "__name__", "") in str(info.value)


def test_a_lambda_is_differentiated_like_a_def():
    square = lambda x: np.sum(x * x)  # noqa: E731
    np.testing.assert_allclose(tg.grad(square)(np.array([1.0, -2.0])), [2.0, -4.0])
    assert tg.grad(lambda a, b: a * b ** 2, wrt=1)(2.0, 3.0) == 12.0
    double, cube = (lambda u: u * 2.0), (lambda u: u ** 3)  # same parameters, one line
    if sys.version_info >= (3, 11):   # told apart by the columns of their code (co_positions)
        assert (tg.grad(double)(5.0), tg.grad(cube)(2.0)) == (2.0, 12.0)
    else:
        with pytest.raises(tg.SourceUnavailableError, match="which lambda"):
            tg.grad(cube)(2.0)


# ----- argument errors (TypeError / ValueError naming the argument) -----

def scalar(x, y):
    return np.sum(x * y)


def vector(x):
    return x * 2.0


def test_argument_errors_name_the_argument():
    x = np.ones(3)
    with pytest.raises(ValueError, match="wrt"):
        tg.grad(scalar, wrt=2)(x, x)
    with pytest.raises(ValueError, match="wrt"):
        tg.grad(scalar, wrt="z")(x, x)
    with pytest.raises((TypeError, ValueError), match="floating-point") as info:
        tg.grad(scalar, wrt=1)(x, np.arange(3))
    assert "y" in str(info.value)
    with pytest.raises((TypeError, ValueError), match="vjp"):
        tg.grad(vector)(x)
    _, pullback = tg.vjp(vector, x)
    with pytest.raises(ValueError, match="cotangent"):
        pullback(np.ones(2))


# ----- errors raised while running generated code point at the user's line -----

def shape_mismatch(x, w):
    h = x * 2.0
    z = h @ w
    return np.sum(z)


def test_runtime_error_in_generated_code_points_at_the_user_line():
    with pytest.raises(ValueError) as info:
        tg.grad(shape_mismatch)(np.ones(3), np.ones((4, 2)))
    text = str(info.value) + "\n".join(getattr(info.value, "__notes__", []))
    line = line_of(shape_mismatch, "z = h @ w")
    assert THIS_FILE in text and str(line) in text, text


def mismatched_helper(h, w):
    return h @ w


def calls_mismatched_helper(x, w):
    y = x * 2.0
    return np.sum(mismatched_helper(y, w))


def test_runtime_error_inside_a_helper_points_at_the_helper_line():
    with pytest.raises(ValueError) as info:
        tg.grad(calls_mismatched_helper)(np.ones(3), np.ones((4, 2)))
    text = str(info.value) + "\n".join(getattr(info.value, "__notes__", []))
    line = line_of(mismatched_helper, "return h @ w")
    assert THIS_FILE in text and f"line {line}" in text and "return h @ w" in text, text


# ----- docs/errors.md quotes the messages users really see -----

def counts(x):
    return np.sum(x * x)


def softplus(x):
    return np.log1p(np.exp(x))


def loss(x):
    return np.sum(softplus(x))


def clipped_loss(w, x):
    pred = x @ w
    clipped = clip(pred)
    return np.sum(clipped ** 2)




def first_line(name, call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - any error: its message is what we compare
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    raise AssertionError(f"{name}: no error raised")


def test_errors_page_quotes_the_real_messages():
    import pathlib
    page = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "errors.md").read_text()
    namespace = {}
    exec("def f(x):\n    return x * x\n", namespace)

    @tg.adjoint(softplus)
    def softplus_rule(g, ans, x):
        return g * np.exp(x)

    x, w = np.ones((4, 3)), np.ones(3)
    _, pullback = tg.vjp(vector, np.ones(3))
    calls = {
        "try": lambda: tg.grad(uses_try)(w),
        "vectorize": lambda: tg.grad(clipped_loss)(w, x),
        "np.sin": lambda: tg.grad(np.sin)(w),
        "exec": lambda: tg.grad(namespace["f"])(1.0),
        "wrt range": lambda: tg.grad(counts, wrt=1)(w),
        "wrt name": lambda: tg.grad(counts, wrt="y")(w),
        "wrt type": lambda: tg.grad(counts, wrt=1.5)(w),
        "int input": lambda: tg.grad(counts)(np.arange(3)),
        "non-scalar": lambda: tg.grad(vector)(w),
        "cotangent": lambda: pullback(np.ones(4)),
        "gradcheck": lambda: tg.gradcheck(loss, np.array([0.5, -1.0, 2.0])),
    }
    stale = {}
    for name, call in calls.items():
        line = first_line(name, call)
        if line not in page:
            stale[name] = line
    assert not stale, "docs/errors.md quotes messages that changed; today they read:\n" + "\n".join(
        f"  {k}: {v}" for k, v in stale.items())
