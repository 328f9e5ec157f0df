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


def quadratic(x):
    return np.sum(x * x) if np.ndim(x) else x * x


def ignores_input(x):
    return 3.0


def test_repeated_calls_with_one_argument_follow_its_type_dtype_and_rank():
    grad = tg.grad(quadratic)
    for x in (np.ones(3), np.ones((2, 2), dtype=np.float32), 1.5, np.array(2.0), np.ones(3), 1.5,
              np.ones((2, 2), dtype=np.float32), np.ones(3, dtype=np.float32)):
        for _ in range(2):   # the second call takes the fast path the first one set up
            g = grad(x)
            assert type(g) is type(x)
            assert np.shape(g) == np.shape(x) and np.asarray(g).dtype == np.asarray(x).dtype
            np.testing.assert_allclose(g, 2 * np.asarray(x))


def test_repeated_calls_keep_the_result_shape_of_every_option():
    x = np.arange(3.0)
    for _ in range(2):
        assert isinstance(tg.grad(quadratic, wrt=(0,))(x), tuple)
        value, g = tg.value_and_grad(quadratic)(x)
        assert value == 5.0
        np.testing.assert_allclose(g, 2 * x)
        np.testing.assert_array_equal(tg.grad(ignores_input)(x), np.zeros(3))   # finalized, not 0.0
        with np.testing.assert_raises(TypeError):
            tg.grad(quadratic)(np.arange(3))   # an integer array is refused on every call


def test_repeated_calls_notice_a_rebound_callee():
    global helper
    grad = tg.grad(calls_helper)
    assert grad(np.array(3.0)) == 12.0
    assert grad(np.array(3.0)) == 12.0
    saved = helper
    try:
        def helper(x):  # noqa: F811 - rebinding on purpose
            return x * 5.0
        assert grad(np.array(3.0)) == 30.0
    finally:
        helper = saved


def test_the_fast_path_follows_the_last_call(monkeypatch):
    grad = tg.grad(quadratic)
    grad(np.ones(3))
    grad(np.ones(3, dtype=np.float32))   # same rank: the same compiled code, another dtype
    calls = []
    original = type(grad)._wrt_values
    monkeypatch.setattr(type(grad), "_wrt_values", lambda self, *a: calls.append(1) or original(self, *a))
    assert grad(np.ones(3, dtype=np.float32)).dtype == np.float32
    assert not calls   # the repeated float32 call did not take the general path


def square(x):
    return x ** 2


def cube(x):
    return x ** 3


def make_calling(h):
    return lambda x: h(x) * 2.0


def test_closures_from_the_same_code_calling_different_functions_get_their_own_code():
    # the code of both closures is the same, but the function each one calls is not: the second
    # must not reuse the first one's gradient (it returned 2 * 2x for the cube, silently)
    for _ in range(2):
        assert tg.grad(make_calling(square))(2.0) == 8.0
        assert tg.grad(make_calling(cube))(2.0) == 24.0
    through_square, through_cube = make_calling(square), make_calling(cube)

    def calls_both(x):
        return through_square(x) + through_cube(x)
    assert tg.grad(calls_both)(2.0) == 32.0
    assert tg.jvp(calls_both, (2.0,), 1.0)[1] == 32.0


def test_closures_over_data_of_another_rank_get_their_own_code():
    for scale in (2.0, np.array([1.0, 3.0])):
        np.testing.assert_allclose(tg.grad(make_scaled(scale))(np.ones(2)), 2 * scale * np.ones(2))
