"""The Python people write in numerical code, each program checked against finite differences."""
import logging
import math

import numpy as np
import pytest

import transgrad as tg

# ----- containers -----


def list_built_in_a_loop(x):
    parts = []
    for i in range(len(x)):
        parts.append(x[i] ** 2)
    parts.extend([x[0], x[-1] * 3.0])
    return sum(parts) * len(parts)


def list_item_assignment(x):
    values = [x[0], x[1], x[2]]
    values[1] = values[0] * values[2]
    return values[1] + values[2]


def tuples_and_dicts(x):
    pair = (x[0] * 2.0, x[1])
    table = {"a": pair[0], "b": pair[1] ** 2}
    table["c"] = table["a"] * table["b"]
    return table["c"] + sum(table.values())


def sequences_of_arrays(x):
    rows = list(x.reshape(3, 2))
    head, *tail = tuple(np.sin(x))
    ranked = sorted(tail, reverse=True)
    total = head * ranked[0]
    for part in np.split(x, 3):
        total = total + np.sum(part * part[::-1])
    for row in x.reshape(2, 3):
        total = total + np.max(row)
    pairs = [rows[0], rows[1] * 2.0, rows[2]]
    return total + np.sum(pairs[1:][0] * rows[2]) + sum(ranked[1:3])


def rebinding_to_a_part(x):
    pair = (x * 2.0, (x * 3.0, None))
    first = pair[0]
    pair = pair[1]             # a name rebound to a part of its own value
    y = x * 1.5
    y = y[1:]
    for _ in range(2):
        y = y[::-1] * 1.1
        y = y[:-1]
    return np.sum(first * pair[0]) + np.sum(y * y)


def comprehensions(w, x):
    n = len(x)
    total = sum(w[i] * x[i] ** 2 for i in range(n))
    squares = {i: v * v for i, v in enumerate(x)}
    signs = [v if v > 0 else -v for v in x]
    return total + squares[0] + sum(signs)


def zip_enumerate_reversed_sorted(x, w):
    total = 0.0
    for i, (a, b) in enumerate(zip(x, w)):
        total = total + i * a * b
    for v in reversed(x):
        total = total * 0.5 + v
    for k in sorted([2, 0, 1]):
        total = total + x[k] * k
    return total

# ----- functions -----


def apply(f, v):
    return f(v) + v


def accumulate(*terms, scale=1.0, **named):
    total = 0.0
    for t in terms:
        total = total + t * scale
    for k, v in named.items():
        total = total + v
    return total


def norm2(v, *, squared=False):
    s = np.sum(v * v)
    return s if squared else np.sqrt(s)


def power(v, n):
    if n == 0:
        return 1.0
    return v * power(v, n - 1)


def functions_of_all_kinds(x):
    offset = 0.5
    shift = lambda v: v + offset  # noqa: E731

    def scaled(v, factor=2.0):
        return shift(v) * factor
    a = scaled(x) + scaled(x, factor=3.0)
    b = apply(np.tanh, a) + apply(lambda v: v ** 2, x)
    c = accumulate(np.sum(a), np.sum(b), scale=0.5, extra=np.sum(x))
    return c + norm2(x, squared=True) + norm2(b) + np.sum(power(x, 3))


def make_model(weight):
    def model(x):
        return np.sum(np.tanh(x * weight))
    return model

# ----- structured parameters -----


def mlp(params, x):
    h = x
    for layer in params:
        h = np.tanh(h @ layer["W"] + layer["b"])
    return np.sum(h ** 2)

# ----- mutation -----


def in_place(x, m):
    y = x.copy()
    y[0] = x[1] * 2.0
    y[1] += x[2]
    y[y < 0] = 0.0
    z = np.array(x)
    z *= 3.0
    s = 1.0
    s += np.sum(z)
    m2 = m * 1.0
    m2[0, :2] = y[:2]
    return np.sum(y * y) + s + np.sum(m2 ** 2)

# ----- control flow corners -----


def control_corners(x):
    total = 0.0
    for i in range(3):
        for j in range(3):
            if j > i:
                break
            if (i + j) % 2:
                continue
            total = total + x[i] * x[j]
        else:
            total = total * 1.1
    k = 0
    while True:
        total = total + np.sin(total)
        k = k + 1
        if k >= 2:
            break
    else:
        total = total * 0.0
    return total


def return_from_nested_loops(x, limit):
    acc = 0.0
    for i in range(3):
        for j in range(3):
            acc = acc + x[i] * x[j]
            if acc > limit:
                return acc * 2.0
    return acc

# ----- statements that only matter in the primal -----


def primal_only_statements(x):
    print(f"computing with x = {x}")
    logging.getLogger(__name__).debug("x=%s", x)
    assert x.shape == (3,), "x must have 3 entries"
    if np.any(np.isnan(x)):
        raise ValueError("x has NaNs")
    return np.sum(x ** 3)

# ----- Python floats -----


def python_floats(a, b):
    c = math.exp(a) * math.sin(b) + abs(a - b) + max(a, b) + min(a * b, 1.0)
    n = int(a * 10)
    return float(c) * n + round(a) + sum([a, b, c]) + math.sqrt(a * a + 1.0) + math.log(b + 2.0)


X = np.array([0.4, -0.7, 1.3])
W = np.array([1.5, -0.5, 0.25])
M = np.array([[0.2, -0.1, 0.3], [1.0, 0.5, -0.4]])
PARAMS = [{"W": np.random.default_rng(0).standard_normal((3, 4)), "b": np.full(4, 0.1)},
          {"W": np.random.default_rng(1).standard_normal((4, 2)), "b": np.zeros(2)}]

CASES = [
    (list_built_in_a_loop, (X,), 0),
    (list_item_assignment, (X,), 0),
    (tuples_and_dicts, (X,), 0),
    (rebinding_to_a_part, (np.array([0.4, -0.7, 1.3, 0.2, 0.9]),), 0),
    (sequences_of_arrays, (np.array([0.4, -0.7, 1.3, 0.2, 0.9, -1.1]),), 0),
    (comprehensions, (W, X), (0, 1)),
    (zip_enumerate_reversed_sorted, (X, W), (0, 1)),
    (functions_of_all_kinds, (X,), 0),
    (make_model(0.7), (X,), 0),
    (mlp, (PARAMS, np.random.default_rng(2).standard_normal((5, 3))), (0, 1)),
    (in_place, (X, M), (0, 1)),
    (control_corners, (X,), 0),
    (return_from_nested_loops, (X, 0.5), 0),
    (return_from_nested_loops, (X, 50.0), 0),
    (primal_only_statements, (X,), 0),
    (python_floats, (0.31, 0.7), (0, 1)),
]


@pytest.mark.parametrize("function, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_program_matches_finite_differences(function, args, wrt):
    assert tg.gradcheck(function, *args, wrt=wrt, rtol=1e-4, atol=1e-6)


def test_gradients_of_structured_parameters_keep_their_structure():
    grads = tg.grad(mlp)(PARAMS, np.ones((5, 3)))
    assert isinstance(grads, list) and set(grads[0]) == {"W", "b"}
    assert grads[1]["W"].shape == (4, 2)


def test_closures_over_enclosing_functions_see_each_closures_value():
    np.testing.assert_allclose(tg.grad(make_model(0.0))(X), X * 0.0)
    np.testing.assert_allclose(tg.grad(make_model(1.0))(X), 1 - np.tanh(X) ** 2)


def test_int_stops_the_gradient_and_floats_stay_floats():
    grad_a, grad_b = tg.grad(python_floats, wrt=(0, 1))(0.31, 0.7)
    assert type(grad_a) is float and type(grad_b) is float
