"""cache: one compilation per (code, wrt, mode, options); never stale when a callee is rebound."""
import numpy as np

import transgrad as tg
from transgrad import cache
from transgrad.driver import Compiler


def helper(x):
    return x * 2.0


def calls_helper(x):
    return helper(x) * x


def make_scaled(scale):
    def scaled(x):
        return np.sum(scale * x * x)
    return scaled


def test_second_call_reuses_the_compiled_code(monkeypatch):
    compiles = []
    original = Compiler.compile

    def counting(self, *args, **kwargs):
        compiles.append(args[0].__name__)
        return original(self, *args, **kwargs)
    monkeypatch.setattr(Compiler, "compile", counting)
    grad = tg.grad(calls_helper)
    grad(1.0)
    grad(2.0)
    tg.grad(calls_helper)(3.0)
    assert compiles.count("calls_helper") == 1


def test_rebinding_a_called_function_recompiles():
    global helper
    grad = tg.grad(calls_helper)
    assert grad(3.0) == 12.0
    saved = helper
    try:
        def helper(x):  # noqa: F811 - rebinding on purpose
            return x * 5.0
        assert grad(3.0) == 30.0
    finally:
        helper = saved
    assert grad(3.0) == 12.0


def test_closures_from_the_same_code_share_compilation_but_not_values(monkeypatch):
    compiles = []
    original = Compiler.compile
    monkeypatch.setattr(Compiler, "compile", lambda self, *a, **k: compiles.append(1) or original(self, *a, **k))
    for scale in (1.0, 2.0, 3.0):
        grad = tg.grad(make_scaled(scale))
        np.testing.assert_allclose(grad(np.ones(2)), [2 * scale, 2 * scale])
    assert len(compiles) == 1


def test_wrt_mode_and_options_are_separate_entries():
    tg.grad(calls_helper)(1.0)
    tg.value_and_grad(calls_helper)(1.0)
    tg.vjp(calls_helper, 1.0)
    keys = [k for k in cache._artifacts if k[0] is calls_helper.__code__]
    assert len(keys) == 3
