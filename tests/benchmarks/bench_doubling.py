"""PyTorch tutorial's doubling while-loop (data-dependent trip count), VJP with a given cotangent."""
import numpy as np

from harness import Workload


def f(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 2
    return y


def hand(x, v):
    y = x * 2
    factor = 2.0
    while np.linalg.norm(y) < 1000:
        y = y * 2
        factor *= 2.0
    return (v * factor,)


def peer_f(P):
    xp = P.np

    def f(x):
        y = x * 2
        while xp.linalg.norm(y) < 1000:
            y = y * 2
        return y
    return f


def inputs(size, rng):
    return (rng.standard_normal(3),)


def cotangent(args):
    return np.array([0.1, 1.0, 0.0001])


WORKLOAD = Workload(
    name="doubling", title="doubling while-loop, VJP with a given cotangent", f=f, hand=hand,
    inputs=inputs, wrt=(0,), peer_f=peer_f, cotangent=cotangent,
    jit_cannot="the while condition depends on a traced value")
WORKLOADS = [WORKLOAD]
