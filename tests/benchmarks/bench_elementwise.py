"""sum(sqrt(log(1 + exp(sin(x))))) over 1e6 elements: a chain of ufuncs."""
import numpy as np

from harness import Workload


def f(x):
    return np.sum(np.sqrt(np.log(1 + np.exp(np.sin(x)))))


def hand(x):
    s = np.sin(x)
    e = np.exp(s)
    l = np.log(1 + e)
    return (np.cos(x) * e / ((1 + e) * 2 * np.sqrt(l)),)


def peer_f(P):
    xp = P.np

    def f(x):
        return xp.sum(xp.sqrt(xp.log(1 + xp.exp(xp.sin(x)))))
    return f


def inputs(size, rng):
    n = {"tiny": 10, "quick": 1_000_000, "full": 1_000_000}[size]
    return (rng.standard_normal(n),)


WORKLOAD = Workload(
    name="elementwise", title="sum(sqrt(log(1+exp(sin(x))))), 1e6 elements", f=f, hand=hand,
    inputs=inputs, wrt=(0,), peer_f=peer_f)
WORKLOADS = [WORKLOAD]
