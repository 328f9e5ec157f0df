"""PyTorch's autograd tutorial formula: y = x + 2; z = y * y * 3; out = z.mean().

Two sizes: 2x2 (pure call overhead) and 1000x1000 (pure array work).
"""
from harness import Workload


def f(x):
    y = x + 2
    z = y * y * 3
    return z.mean()


def hand(x):
    return (6.0 / x.size * (x + 2),)


def peer_f(P):
    def f(x):
        y = x + 2
        z = y * y * 3
        return z.mean()
    return f


def _inputs(n):
    def inputs(size, rng):
        shape = {"tiny": (2, 3), "quick": (n, n), "full": (n, n)}[size]
        return (rng.standard_normal(shape),)
    return inputs


WORKLOAD_SMALL = Workload(
    name="tutorial_2x2", title="PyTorch tutorial formula, 2x2", f=f, hand=hand,
    inputs=_inputs(2), wrt=(0,), peer_f=peer_f)

WORKLOAD_LARGE = Workload(
    name="tutorial_1000", title="same formula, 1000x1000", f=f, hand=hand,
    inputs=_inputs(1000), wrt=(0,), peer_f=peer_f)

WORKLOADS = [WORKLOAD_SMALL, WORKLOAD_LARGE]
