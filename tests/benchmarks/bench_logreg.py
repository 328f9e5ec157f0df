"""Logistic regression with an L2 penalty, 10k samples x 100 features."""
import numpy as np

from harness import Workload


def f(w, X, y, lam):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    nll = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return nll + lam * np.sum(w * w)


def hand(w, X, y, lam):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return (X.T @ (p - y) / X.shape[0] + 2.0 * lam * w,)


def peer_f(P):
    xp = P.np

    def f(w, X, y, lam):
        p = 1.0 / (1.0 + xp.exp(-(X @ w)))
        nll = -xp.mean(y * xp.log(p) + (1 - y) * xp.log(1 - p))
        return nll + lam * xp.sum(w * w)
    return f


def inputs(size, rng):
    n, d = {"tiny": (20, 5), "quick": (10_000, 100), "full": (10_000, 100)}[size]
    X = rng.standard_normal((n, d)) / np.sqrt(d)
    w = rng.standard_normal(d)
    y = (rng.random(n) < 0.5).astype(np.float64)
    return w, X, y, 0.01


WORKLOAD = Workload(
    name="logreg", title="logistic regression + L2, 10k x 100", f=f, hand=hand,
    inputs=inputs, wrt=(0,), peer_f=peer_f)
WORKLOADS = [WORKLOAD]
