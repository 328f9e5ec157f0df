"""trace(A @ B @ A.T), 300x300, gradient with respect to A and B."""
import numpy as np

from harness import Workload


def f(A, B):
    return np.trace(A @ B @ A.T)


def hand(A, B):
    return A @ (B + B.T), A.T @ A


def peer_f(P):
    xp = P.np

    def f(A, B):
        return xp.trace(A @ B @ A.T)
    return f


def inputs(size, rng):
    n = {"tiny": 4, "quick": 300, "full": 300}[size]
    return rng.standard_normal((n, n)), rng.standard_normal((n, n))


WORKLOAD = Workload(
    name="trace", title="trace(A @ B @ A.T), 300x300", f=f, hand=hand,
    inputs=inputs, wrt=(0, 1), peer_f=peer_f,
    note="hand-written: dA = A @ (B + B.T), dB = A.T @ A (2 matrix products)")
WORKLOADS = [WORKLOAD]
