"""Control flow end to end: every gradient against central finite differences at random inputs.

Branch conditions are kept away from their thresholds (`assume`), so the finite
differences never straddle a branch switch.
"""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import transgrad as tg
from e2e_numeric import assert_tree_close, numeric_grad

SETTINGS = settings(max_examples=25, deadline=None)
floats = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def vectors(n=4):
    return hnp.arrays(np.float64, (n,), elements=floats)


def matrices(shape=(3, 3)):
    return hnp.arrays(np.float64, shape, elements=floats)


def check(f, args, wrt=0, rtol=1e-5, atol=1e-6):
    got = tg.grad(f, wrt=wrt)(*args)
    assert_tree_close(got, numeric_grad(f, args, wrt), rtol=rtol, atol=atol)
    return got


# ----- if / elif / else -----

def branches(x):
    s = np.sum(x)
    if s > 1.0:
        y = x * x
    elif s < -1.0:
        y = np.sin(x) * 3.0
    else:
        y = x * 2.0 + 1.0
    return np.sum(y * x)


@SETTINGS
@given(vectors())
def test_if_elif_else(x):
    s = np.sum(x)
    assume(min(abs(s - 1.0), abs(s + 1.0)) > 1e-3)
    check(branches, [x])


def test_if_elif_else_each_branch_taken():
    for x in (np.array([1.0, 1.0, 0.5]), np.array([-1.0, -1.0, -0.5]), np.array([0.1, 0.2, -0.3])):
        check(branches, [x])


def nested_ifs(x, y):
    if np.sum(x) > 0:
        if np.sum(y) > 0:
            z = x * y
        else:
            z = x - y
    else:
        if np.max(y) > 0.5:
            z = np.exp(x) * y
        else:
            z = x / (y * y + 1.0)
    return np.sum(z * z)


@SETTINGS
@given(vectors(3), vectors(3))
def test_nested_ifs(x, y):
    assume(abs(np.sum(x)) > 1e-3 and abs(np.sum(y)) > 1e-3 and abs(np.max(y) - 0.5) > 1e-3)
    check(nested_ifs, [x, y], wrt=(0, 1))


def conditional_expression(x):
    s = np.sum(x)
    y = x * x if s > 0 else -x * 3.0
    scale = 2.0 if np.max(x) > 1.0 else 0.5
    return np.sum(y * scale) + (s if s < 1.0 else s * s)


@SETTINGS
@given(vectors())
def test_conditional_expressions(x):
    s = np.sum(x)
    assume(abs(s) > 1e-3 and abs(s - 1.0) > 1e-3 and abs(np.max(x) - 1.0) > 1e-3)
    check(conditional_expression, [x])


def chained_comparison(x):
    s = np.sum(x)
    if -1.0 < s < 1.0:
        return np.sum(x ** 3)
    return np.sum(np.tanh(x))


@SETTINGS
@given(vectors(3))
def test_chained_comparison(x):
    s = np.sum(x)
    assume(abs(s - 1.0) > 1e-3 and abs(s + 1.0) > 1e-3)
    check(chained_comparison, [x])


# ----- for loops -----

def for_range(x, n):
    y = x
    for i in range(n):
        y = np.sin(y) * (i + 1.0) + x
    return np.sum(y)


@SETTINGS
@given(vectors(3), st.integers(0, 5))
def test_for_over_range(x, n):
    check(for_range, [x, n])


def for_range_start_stop_step(x):
    total = 0.0
    for i in range(1, 7, 2):
        total = total + np.sum(x ** i)
    return total


def test_for_over_range_with_start_stop_step():
    check(for_range_start_stop_step, [np.array([0.3, -0.7, 1.1])])


def for_over_rows(m, w):
    total = 0.0
    for row in m:
        total = total + np.sum(np.tanh(row * w))
    return total


@SETTINGS
@given(matrices((4, 3)), vectors(3))
def test_for_over_array_rows(m, w):
    check(for_over_rows, [m, w], wrt=(0, 1))


def for_enumerate(x):
    total = 0.0
    for i, xi in enumerate(x):
        total = total + (i + 1.0) * xi * xi
    return total


@SETTINGS
@given(vectors(5))
def test_for_enumerate(x):
    got = check(for_enumerate, [x])
    np.testing.assert_allclose(got, 2 * np.arange(1, 6) * x)


def for_zip(x, y):
    total = 0.0
    for a, b in zip(x, y):
        total = total + a * np.exp(b)
    return total


@SETTINGS
@given(vectors(4), vectors(4))
def test_for_zip(x, y):
    check(for_zip, [x, y], wrt=(0, 1))


def nested_loops(w, x):
    total = 0.0
    for i in range(3):
        h = x
        for j in range(i + 1):
            h = np.tanh(h * w + j)
        total = total + np.sum(h)
    return total


@SETTINGS
@given(vectors(3), vectors(3))
def test_nested_loops(w, x):
    check(nested_loops, [w, x], wrt=(0, 1))


def loop_with_branch(x):
    y = x
    for i in range(4):
        if i % 2 == 0:
            y = y * x
        else:
            y = y + np.cos(x)
    return np.sum(y)


@SETTINGS
@given(vectors(3))
def test_branch_inside_loop(x):
    check(loop_with_branch, [x])


# ----- while -----

def halve_until_small(x):
    y = x * 3.0
    while np.sum(y * y) > 1.0:
        y = y * 0.5
    return np.sum(np.sin(y))


@SETTINGS
@given(vectors(3))
def test_while_with_data_dependent_trip_count(x):
    # keep away from the thresholds that change the trip count
    ratio = np.sum((x * 3.0) ** 2)
    assume(ratio > 1e-8)
    k = math.log(ratio) / math.log(4.0)
    assume(abs(k - round(k)) > 1e-3)
    check(halve_until_small, [x])


def newton_sqrt(a):
    guess = a
    step = 0
    while step < 20 and abs(guess * guess - a) > 1e-12:
        guess = 0.5 * (guess + a / guess)
        step += 1
    return guess


def test_while_newton_iteration_on_a_python_float():
    for a in (2.0, 9.0, 0.3):
        g = tg.grad(newton_sqrt)(a)
        assert type(g) is float
        assert abs(g - 0.5 / math.sqrt(a)) < 1e-6


# ----- break, continue, early return -----

def with_break(x):
    total = 0.0
    for xi in x:
        if xi > 1.5:
            break
        total = total + xi * xi
    return total


@SETTINGS
@given(vectors(5))
def test_break(x):
    assume(np.all(np.abs(x - 1.5) > 1e-3))
    check(with_break, [x])


def test_break_stops_accumulating():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tg.grad(with_break)(x), [2.0, 0.0, 0.0])


def while_true_break(x):
    y = x
    count = 0
    while True:
        y = y * 1.5
        count += 1
        if np.sum(np.abs(y)) > 10.0 or count >= 30:
            break
    return np.sum(y * y)


@SETTINGS
@given(vectors(3))
def test_while_true_with_break(x):
    s = np.sum(np.abs(x))
    assume(s > 1e-2)
    k = math.log(10.0 / s) / math.log(1.5)
    assume(abs(k - round(k)) > 1e-3)
    check(while_true_break, [x])


def with_continue(x):
    total = 0.0
    for i, xi in enumerate(x):
        if i % 2 == 1:
            continue
        total = total + np.exp(xi)
    return total


@SETTINGS
@given(vectors(5))
def test_continue(x):
    got = check(with_continue, [x])
    assert np.all(got[1::2] == 0.0)


def early_return(x):
    if np.sum(x) < 0:
        return np.sum(x * x)
    y = np.exp(x)
    return np.sum(y * x)


@SETTINGS
@given(vectors(3))
def test_early_return(x):
    assume(abs(np.sum(x)) > 1e-3)
    check(early_return, [x])


def return_inside_loop(x):
    y = x
    for i in range(10):
        y = y * 1.3 + 0.1
        if np.sum(y) > 3.0:
            return np.sum(y * y) + i
    return np.sum(y)


@SETTINGS
@given(vectors(3))
def test_early_return_inside_a_loop(x):
    y = x
    for _ in range(10):
        y = y * 1.3 + 0.1
        assume(abs(np.sum(y) - 3.0) > 1e-3)
    check(return_inside_loop, [x])


def return_inside_while(x):
    y = x
    while True:
        y = np.sin(y) + y
        if np.max(np.abs(y)) > 2.0:
            return np.sum(y)
        if np.max(np.abs(y)) < 1e-3:
            return np.sum(y * 0.0)


def test_early_return_inside_while_true():
    check(return_inside_while, [np.array([0.4, -0.9, 0.2])])


# ----- calls into user functions -----

def square_plus(x, c):
    return x * x + c


def power_recursive(x, n):
    if n == 0:
        return x * 0.0 + 1.0
    return x * power_recursive(x, n - 1)


def uses_recursion(x):
    return np.sum(power_recursive(x, 4))


@SETTINGS
@given(vectors(3))
def test_recursion_through_a_helper(x):
    got = check(uses_recursion, [x])
    np.testing.assert_allclose(got, 4 * x ** 3, rtol=1e-10, atol=1e-12)


def is_even_down(x, n):
    if n == 0:
        return x
    return is_odd_down(np.sin(x), n - 1)


def is_odd_down(x, n):
    if n == 0:
        return x * 2.0
    return is_even_down(x * 1.5, n - 1)


def mutual_recursion(x):
    return np.sum(is_even_down(x, 5))


def test_mutual_recursion():
    check(mutual_recursion, [np.array([0.3, -0.4, 1.0])])


def helper_in_loop(x):
    y = x
    for i in range(3):
        y = square_plus(y, 0.1 * i)
        y = y * 0.5
    return np.sum(y)


@SETTINGS
@given(vectors(3))
def test_helper_called_in_a_loop(x):
    check(helper_in_loop, [x])


def two_level_helper(w, x):
    return np.tanh(affine(w, x))


def affine(w, x):
    return w @ x + 1.0


def calls_two_levels(w, x):
    return np.sum(two_level_helper(w, x) ** 2)


@SETTINGS
@given(matrices((2, 3)), vectors(3))
def test_helpers_calling_helpers(w, x):
    check(calls_two_levels, [w, x], wrt=(0, 1))


# ----- fan-out and reassignment -----

def many_uses(x):
    y = np.sin(x)
    z = y * y + y * x + np.exp(y) - y / (y * y + 2.0)
    return np.sum(z + y)


@SETTINGS
@given(vectors(4))
def test_accumulation_over_several_uses_of_one_variable(x):
    check(many_uses, [x])


def reassign_in_loop(x):
    for i in range(4):
        x = x * 2
        x = x + np.sin(x)
    return np.sum(x)


@SETTINGS
@given(vectors(3))
def test_reassignment_of_the_input_in_a_loop(x):
    check(reassign_in_loop, [x])


def augmented(x, w):
    y = x * 1.0
    y += w
    y *= x
    y -= np.cos(w)
    y /= 2.0
    y **= 2
    return np.sum(y)


@SETTINGS
@given(vectors(3), vectors(3))
def test_augmented_assignment(x, w):
    x0, w0 = x.copy(), w.copy()
    check(augmented, [x, w], wrt=(0, 1))
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)


def tuple_unpacking(x, y):
    a, b = x * y, x + y
    a, b = b, a
    (c, d), e = (a * 2.0, b), np.exp(a)
    return np.sum(c * d + e)


@SETTINGS
@given(vectors(3), vectors(3))
def test_tuple_unpacking_and_swap(x, y):
    check(tuple_unpacking, [x, y], wrt=(0, 1))


def scalar_math(a, b):
    c = math.exp(a) * math.sin(b)
    if c > 0:
        c = c + math.sqrt(a * a + 1.0)
    return math.log(c * c + 1.0) + math.cos(a * b)


@SETTINGS
@given(floats, floats)
def test_math_module_on_python_floats(a, b):
    assume(abs(math.exp(a) * math.sin(b)) > 1e-4)
    da, db = check(scalar_math, [a, b], wrt=(0, 1))
    assert type(da) is float and type(db) is float


def indexing(x, m):
    a = x[0] * x[1:3]
    b = m[:, 0] * m[1]
    c = m[0, 1:] @ m.T[1:, 2]
    return np.sum(a) + np.sum(b * x[-3:]) + c + np.sum(x[::2])


@SETTINGS
@given(vectors(5), matrices((3, 3)))
def test_int_and_slice_indexing(x, m):
    check(indexing, [x, m], wrt=(0, 1))


def numpy_mix(x, w):
    h = np.maximum(x @ w, 0.1 * (x @ w))
    h = np.where(h > 0, h, np.exp(h) - 1.0)
    p = np.exp(h - np.max(h, axis=1, keepdims=True))
    p = p / np.sum(p, axis=1, keepdims=True)
    q = np.minimum(np.abs(w), 1.5).reshape(-1)
    return np.mean(np.log(p + 1e-3)) + np.sqrt(np.sum(q ** 2) + 1.0) + x.sum(axis=0).dot(w).sum() \
        + np.linalg.norm(x) + x.mean(axis=0).sum() + np.transpose(w).min()


@SETTINGS
@given(st.integers(0, 2 ** 32 - 1))
def test_numpy_functions_and_methods(seed):
    # generic random inputs (no ties, nothing on a kink of maximum/where/abs/minimum/min/max)
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    xw = x @ w
    assume(np.all(np.abs(xw) > 1e-3) and np.all(np.abs(np.abs(w) - 1.5) > 1e-3))
    assume(np.all(np.abs(w) > 1e-3) and np.all(np.abs(np.diff(np.sort(xw, axis=1), axis=1)) > 1e-3))
    assume(np.all(np.abs(np.diff(np.sort(w.ravel()))) > 1e-3))
    check(numpy_mix, [x, w], wrt=(0, 1), rtol=1e-4, atol=1e-5)


def listed_numpy_rules(x, w):
    a = np.add(x, 1.0)
    b = np.subtract(a, np.multiply(x, 0.5))
    c = np.divide(b, np.power(np.cos(x), 2) + 1.0)
    d = np.negative(np.log(np.exp(c) + 1.0))
    e = np.sqrt(np.abs(d) + 1.0) * np.tanh(np.sin(d))
    m = np.dot(e, w) + np.matmul(e, w)
    r = np.reshape(np.transpose(w), (-1,))
    s = x.reshape(1, -1).dot(w).T
    return np.sum(m) + np.mean(r * r) + np.max(np.minimum(d, 5.0)) + np.min(np.maximum(e, -5.0)) \
        + np.sum(np.where(x > 0.0, x, 0.0)) + s.sum() + w.T.mean(axis=0).sum()


@SETTINGS
@given(st.integers(0, 2 ** 32 - 1))
def test_every_listed_numpy_rule(seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(3), rng.standard_normal((3, 2))
    assume(np.all(np.abs(x) > 1e-3) and np.all(np.abs(np.diff(np.sort(x))) > 1e-3))
    check(listed_numpy_rules, [x, w], wrt=(0, 1), rtol=1e-4, atol=1e-5)


def continue_in_while(x):
    i = 0
    total = 0.0
    while i < 6:
        i += 1
        if i % 3 == 0:
            continue
        total = total + np.sum(np.sin(x * i))
    return total


def break_inner_loop_only(m):
    total = 0.0
    for row in m:
        for v in row:
            if v < -1.0:
                break
            total = total + v * v
    return total


def return_from_nested_loops(x):
    y = x
    for i in range(4):
        for j in range(4):
            y = y * 1.2
            if np.sum(y) > 5.0:
                return np.sum(y * y)
    return np.sum(y)


def for_over_list(x, w):
    pieces = [x, w, x * w]
    total = 0.0
    for p in pieces:
        total = total + np.sum(np.exp(p))
    return total


def helper_with_defaults(x, scale=2.0, *, shift=0.5):
    return x * scale + shift


def helper_returning_tuple(x):
    return x * x, np.sin(x)


def calls_helpers_with_keywords(x):
    a = helper_with_defaults(x)
    b = helper_with_defaults(x, 3.0, shift=x)
    c, d = helper_returning_tuple(a * b)
    return np.sum(c + d)


def for_inside_while(x):
    y = x
    rounds = 0
    while np.sum(np.abs(y)) < 20.0 and rounds < 10:
        for k in range(2):
            y = y * 1.5 + 0.1 * k
        rounds += 1
    return np.sum(y)


def test_continue_in_while():
    check(continue_in_while, [np.array([0.2, -0.4, 1.3])])


@SETTINGS
@given(hnp.arrays(np.float64, (3, 3), elements=floats))
def test_break_leaves_only_the_inner_loop(m):
    assume(np.all(np.abs(m + 1.0) > 1e-3))
    check(break_inner_loop_only, [m])


@SETTINGS
@given(vectors(3))
def test_return_from_nested_loops(x):
    y = x
    for _ in range(16):
        y = y * 1.2
        assume(abs(np.sum(y) - 5.0) > 1e-3)
    check(return_from_nested_loops, [x])


@SETTINGS
@given(vectors(3), vectors(3))
def test_for_over_a_list(x, w):
    check(for_over_list, [x, w], wrt=(0, 1))


@SETTINGS
@given(vectors(3))
def test_helpers_with_defaults_keywords_and_tuple_results(x):
    check(calls_helpers_with_keywords, [x])


def test_for_loop_inside_a_while_loop():
    for x in (np.array([0.1, 0.2, -0.3]), np.array([2.0, 3.0, 4.0]), np.array([1e-3, 0.0, 0.0])):
        check(for_inside_while, [x])


# ----- more programs, each checked at a few fixed points -----

def swap_in_while(x):
    a = x
    b = x * 0.5
    while np.sum(a * a) < 50.0:
        a, b = a * 1.5 + b, np.sin(b) + a
    return np.sum(a * b)


def rebinds_the_iterated_array(x):
    for xi in x:
        x = x * xi
    return np.sum(x)


def enumerate_with_start(x):
    total = 0.0
    for i, xi in enumerate(x, 1):
        total = total + i * xi ** 2
    return total


def zip_of_three(x, y, z):
    total = 0.0
    for a, b, c in zip(x, y, z):
        total = total + a * b * c
    return total


def range_from_data(x):
    n = int(np.sum(np.abs(x))) + 1
    y = x
    for i in range(n):
        y = y * 0.9 + 0.1
    return np.sum(y)


def conditional_expressions_in_a_call(x):
    return np.sum(np.exp(x if np.sum(x) > 0 else -x) * (x * 2 if np.max(x) > 0.5 else x ** 3))


def recurse_until_large(x):
    if np.sum(x) > 10.0:
        return x
    return recurse_until_large(x * 2.0 + 0.1)


def data_dependent_recursion(x):
    return np.sum(recurse_until_large(x) ** 2)


def keyword_helper(a, b=1.0, scale=2.0):
    return a * b * scale


def calls_keyword_helper(x):
    return np.sum(keyword_helper(x, scale=x) + keyword_helper(2.0, b=x))


def helper_returns_early_from_a_loop(x):
    for i in range(5):
        x = x * 1.5
        if np.sum(x) > 4.0:
            return x
    return x * 0.0


def calls_early_returning_helper(x):
    return np.sum(helper_returns_early_from_a_loop(x) * x)


def helper_two_args(a, b):
    return a * np.sin(b)


def helper_with_either_argument_active(x, c):
    return np.sum(helper_two_args(x, c) + helper_two_args(c, x))


def float_loop(a):
    for i in range(3):
        a = a * a + 0.1
    return a


def powers_and_negation(x):
    return np.sum(-x + x ** 2 + np.power(2.0, x) + 2.0 ** x + x ** 0.5 * 0.0 + np.abs(x) ** 3)


def assigned_in_one_branch(x):
    z = x * 0.0
    if np.sum(x) > 0:
        y = x * 3.0
        z = np.cos(x)
    else:
        y = x
    return np.sum(y * 2.0 + z)


def list_of_weights(ws, x):
    h = x
    for i in range(len(ws)):
        h = np.tanh(ws[i] @ h)
    return np.sum(h)


def continue_with_augmented_accumulator(x):
    y = 0.0
    for i in range(3):
        if i == 1:
            continue
        y += np.sum(x) * i
    return y


def return_in_if_then_elif(x):
    r = x
    if np.sum(x) > 0:
        return np.sum(x)
    elif np.sum(x) > -1:
        r = r * 2.0
    return np.sum(r * r)


def python_float_builtins(x):
    y = math.sqrt(x) if x > 0 else math.exp(x)
    return y * math.cos(x) + abs(x) + max(x, 0.5) + min(x, 2.0) + math.log(x * x + 1.0) * math.sin(x)


def while_true_with_break_and_continue(x):
    y = x
    i = 0
    while True:
        i += 1
        if i % 2 == 0:
            y = y + 0.1
            continue
        y = y * 1.4
        if np.sum(np.abs(y)) > 9.0 or i > 40:
            break
    return np.sum(y * y)
def nested_while(x):
    y = x
    while np.sum(np.abs(y)) < 10.0:
        z = y
        while np.sum(np.abs(z)) < np.sum(np.abs(y)) * 2.0:
            z = z * 1.7
        y = z + y * 0.1
    return np.sum(y)
def recursion_with_a_loop(x, n):
    if n == 0:
        return x
    y = x
    for i in range(n):
        y = np.sin(y) + x
    return recursion_with_a_loop(y, n - 1)
def loop_calling_recursion(x):
    total = 0.0
    for k in range(3):
        total = total + np.sum(recursion_with_a_loop(x, k))
    return total
def overwrite_in_branch_in_loop(x):
    y = x
    for i in range(5):
        if np.sum(y) > 1.0:
            y = y * 0.5
        else:
            y = y * y + 1.0
    return np.sum(y)
def branch_on_a_python_flag(x, flag):
    if flag:
        y = x * 2.0
    else:
        y = x * 3.0
    return np.sum(y)
def shadowing_the_input(x):
    x = np.sin(x)
    x = x * x
    x = x + np.cos(x)
    return np.sum(x)
def return_at_the_last_iteration(x):
    for i in range(3):
        if i == 2:
            return np.sum(x * i)
        x = x * 1.1
    return 0.0


def batched_matmul(A, B):
    return np.sum(np.tanh(A @ B))
def matrix_times_itself(M):
    return np.sum(M @ M)
def powers_of_negative_numbers(x):
    return np.sum(x ** 3 + np.power(x, 2) + x ** -1.0 + np.square(x))
def reversed_and_strided_slices(x):
    return np.sum(x[::-1] * x) + np.sum(x[1:][::2] * 2.0) + np.sum(x[-1] * x[-2:])
def linalg_norms(M):
    return np.linalg.norm(M) + np.sum(np.linalg.norm(M, axis=0)) + np.linalg.norm(M[0])
def reductions_with_axes(M):
    return np.sum(np.max(M, axis=0)) + np.sum(M.mean(axis=1, keepdims=True) * M) + np.min(M.sum(axis=0)) + M.T.dot(M[:, 0]).sum()
def relu_and_where(x, w):
    return np.sum(np.maximum(x @ w, 0.0)) + np.sum(np.where(x[:, 0] > 0, x[:, 0], 0.5 * x[:, 1]))
def dot_products(M, v):
    return np.sum(np.dot(M, v) ** 2) + np.dot(v, v) + M.dot(v).sum()
def reshape_and_transpose(x):
    y = x.reshape(2, 3).T
    z = np.reshape(y, (-1,))
    return np.sum(z * np.arange(6.0)) + x.T.sum()
def scalar_broadcast(x, s):
    return np.sum(x * s + s)


_X = np.array([0.3, -0.2, 0.7])
_W = np.random.default_rng(5).standard_normal((3, 3, 3))
_R = np.random.default_rng(3)
MORE = [
    (swap_in_while, [_X], 0),
    (rebinds_the_iterated_array, [_X], 0),
    (enumerate_with_start, [_X], 0),
    (zip_of_three, [_X, _X + 1, _X - 1], (0, 1, 2)),
    (range_from_data, [_X], 0),
    (range_from_data, [_X * 4], 0),
    (conditional_expressions_in_a_call, [_X], 0),
    (conditional_expressions_in_a_call, [-_X], 0),
    (data_dependent_recursion, [_X], 0),
    (data_dependent_recursion, [_X * 20], 0),
    (calls_keyword_helper, [_X], 0),
    (calls_early_returning_helper, [_X], 0),
    (calls_early_returning_helper, [_X * 10], 0),
    (calls_early_returning_helper, [-_X], 0),
    (helper_with_either_argument_active, [_X, _X * 2], (0, 1)),
    (float_loop, [0.7], 0),
    (powers_and_negation, [_X + 1.0], 0),
    (assigned_in_one_branch, [_X], 0),
    (assigned_in_one_branch, [-_X], 0),
    (list_of_weights, [list(_W), _X], (0, 1)),
    (continue_with_augmented_accumulator, [_X], 0),
    (return_in_if_then_elif, [_X], 0),
    (return_in_if_then_elif, [-_X * 0.5], 0),
    (return_in_if_then_elif, [-_X * 5], 0),
    (python_float_builtins, [0.7], 0),
    (python_float_builtins, [-0.7], 0),
    (python_float_builtins, [2.7], 0),
    (while_true_with_break_and_continue, [_X], 0),
    (nested_while, [_X], 0),
    (loop_calling_recursion, [_X], 0),
    (overwrite_in_branch_in_loop, [_X], 0),
    (overwrite_in_branch_in_loop, [_X * 5.3], 0),
    (branch_on_a_python_flag, [_X, True], 0),
    (branch_on_a_python_flag, [_X, False], 0),
    (shadowing_the_input, [_X], 0),
    (return_at_the_last_iteration, [_X], 0),
    (batched_matmul, [_R.standard_normal((2, 3, 4)), _R.standard_normal((4, 5))], (0, 1)),
    (matrix_times_itself, [_R.standard_normal((3, 3))], 0),
    (powers_of_negative_numbers, [np.array([-1.3, -0.4, 0.8])], 0),
    (reversed_and_strided_slices, [_R.standard_normal(5)], 0),
    (linalg_norms, [_R.standard_normal((3, 2))], 0),
    (reductions_with_axes, [_R.standard_normal((3, 4))], 0),
    (relu_and_where, [_R.standard_normal((4, 3)), _R.standard_normal((3, 2))], (0, 1)),
    (dot_products, [_R.standard_normal((3, 2)), _R.standard_normal(2)], (0, 1)),
    (reshape_and_transpose, [_R.standard_normal(6)], 0),
    (scalar_broadcast, [_R.standard_normal(3), 0.7], (0, 1)),
    (scalar_broadcast, [_R.standard_normal((2, 3)), np.array([0.7, 0.1, 0.3])], (0, 1)),
]


@pytest.mark.parametrize("function, args, wrt", MORE,
                         ids=[f"{m[0].__name__}-{i}" for i, m in enumerate(MORE)])
def test_more_programs(function, args, wrt):
    check(function, args, wrt)


def break_on_data(x):
    y = x
    i = 0
    while i < 100:
        y = y * 1.3
        if np.sum(y) > 7.0:
            break
        i += 1
    return y


def test_vjp_through_a_data_dependent_break():
    from e2e_numeric import numeric_vjp
    for x in (_X, _X * 3, -_X):
        u = np.array([1.0, 2.0, 3.0])
        value, pullback = tg.vjp(break_on_data, x)
        np.testing.assert_allclose(value, break_on_data(x))
        assert_tree_close(pullback(u), numeric_vjp(break_on_data, [x], u))
