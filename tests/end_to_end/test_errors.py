"""Every error class, raised where the contract says, with a message that points at the user's line."""
import inspect
import math
import os

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

def uses_fft(x):
    y = x * 2.0
    spectrum = np.fft.fft(y)
    return np.sum(np.abs(spectrum))


def uses_c_function(x):
    y = x * x + 1.0
    z = math.gamma(y)
    return z


def fft_detached(x):
    spectrum = np.fft.fft(tg.detach(x))
    return np.sum(np.abs(spectrum) * x)


def fft_no_grad(x):
    with tg.no_grad():
        spectrum = np.fft.fft(x)
    return np.sum(np.abs(spectrum) * x)


def fft_of_constant(x, c):
    spectrum = np.fft.fft(c)
    return np.sum(np.abs(spectrum) * x)


@pytest.mark.parametrize("function, offending, callee, arg", [
    (uses_fft, "spectrum = np.fft.fft(y)", "fft", np.array([1.0, 2.0, 3.0])),
    (uses_c_function, "z = math.gamma(y)", "gamma", 1.5),
])
def test_non_differentiable_call_names_the_callable_and_suggests_the_fixes(function, offending, callee, arg):
    with pytest.raises(tg.NonDifferentiableError) as info:
        tg.grad(function)(arg)
    error = info.value
    message = str(error)
    assert isinstance(error, tg.TransgradError)
    assert callee in message
    assert "tg.adjoint" in message
    assert "tg.detach" in message and "tg.no_grad" in message
    assert_points_at(error, function, offending)


def test_the_suggested_fixes_work():
    x = np.array([1.0, 2.0, 3.0])
    expected = np.abs(np.fft.fft(x))
    np.testing.assert_allclose(tg.grad(fft_detached)(x), expected)
    np.testing.assert_allclose(tg.grad(fft_no_grad)(x), expected)
    np.testing.assert_allclose(tg.grad(fft_of_constant)(x, x), expected)  # inactive input: no error


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


def test_lambda_is_rejected_clearly():
    square = lambda x: np.sum(x * x)  # noqa: E731
    with pytest.raises(tg.TransgradError) as info:
        tg.grad(square)(np.ones(2))
    assert "lambda" in str(info.value) or "def" in str(info.value)


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


def spectral_loss(w, x):
    pred = x @ w
    spectrum = np.fft.fft(pred)
    return np.sum(np.abs(spectrum))


square_lambda = lambda x: x * x  # noqa: E731 - the page's example of what transgrad rejects


def first_line(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - any error: its message is what we compare
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    raise AssertionError("no error raised")


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
        "fft": lambda: tg.grad(spectral_loss)(w, x),
        "np.sin": lambda: tg.grad(np.sin)(w),
        "exec": lambda: tg.grad(namespace["f"])(1.0),
        "lambda": lambda: tg.grad(square_lambda)(1.0),
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
        line = first_line(call)
        if line not in page:
            stale[name] = line
    assert not stale, "docs/errors.md quotes messages that changed; today they read:\n" + "\n".join(
        f"  {k}: {v}" for k, v in stale.items())
