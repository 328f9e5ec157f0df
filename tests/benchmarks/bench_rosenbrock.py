"""Rosenbrock function written as a Python loop over x[i], n = 100."""
import numpy as np

from harness import Workload


def f(x):
    total = 0.0
    for i in range(len(x) - 1):
        total += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def hand(x):
    # written the way f is: one pass over i (a vectorized version is hand_vectorized)
    g = np.zeros_like(x)
    for i in range(len(x) - 1):
        t = x[i + 1] - x[i] ** 2
        g[i] += -400.0 * x[i] * t - 2.0 * (1.0 - x[i])
        g[i + 1] += 200.0 * t
    return (g,)


def hand_vectorized(x):
    g = np.zeros_like(x)
    t = x[1:] - x[:-1] ** 2
    g[:-1] = -400.0 * x[:-1] * t - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * t
    return (g,)


def peer_f(P):
    def f(x):
        total = 0.0
        for i in range(len(x) - 1):
            total += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
        return total
    return f


def inputs(size, rng):
    n = {"tiny": 6, "quick": 100, "full": 100}[size]
    return (rng.uniform(-1.5, 1.5, n),)


WORKLOAD = Workload(
    name="rosenbrock", title="Rosenbrock as a Python loop over x[i], n=100", f=f, hand=hand,
    inputs=inputs, wrt=(0,), peer_f=peer_f, note="the hand-written gradient is a loop over i like f; hand_vectorized, the same in numpy slices, is about 10x faster")
WORKLOADS = [WORKLOAD]
