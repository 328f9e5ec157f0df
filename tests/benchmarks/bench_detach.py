"""u = x / detach(norm(x)), then sum(tanh(u @ w)); x is 512x64, w is 64x64."""
import numpy as np

import transgrad as tg
from harness import Workload


def f(x, w):
    u = x / tg.detach(np.linalg.norm(x))
    return np.tanh(u @ w).sum()


def hand(x, w):
    n = np.linalg.norm(x)
    t = np.tanh((x / n) @ w)
    return ((1.0 - t * t) @ w.T / n,)


def peer_f(P):
    xp, detach = P.np, P.detach

    def f(x, w):
        u = x / detach(xp.linalg.norm(x))
        return xp.tanh(u @ w).sum()
    return f


def inputs(size, rng):
    n, d = {"tiny": (5, 3), "quick": (512, 64), "full": (512, 64)}[size]
    return rng.standard_normal((n, d)), rng.standard_normal((d, d))


WORKLOAD = Workload(
    name="detach_norm", title="x / detach(norm(x)) then tanh(u @ w), 512x64", f=f, hand=hand,
    inputs=inputs, wrt=(0,), peer_f=peer_f,
    finite_differences=False)
WORKLOADS = [WORKLOAD]
