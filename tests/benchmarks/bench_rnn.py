"""tanh RNN unrolled over 50 steps, hidden 32, batch 16, input 16; loss on the last state."""
import numpy as np

from harness import Workload


def f(Wx, Wh, b, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h * h)


def hand(Wx, Wh, b, xs):
    steps = xs.shape[0]
    hs = [np.zeros((xs.shape[1], Wh.shape[0]))]
    for t in range(steps):
        hs.append(np.tanh(xs[t] @ Wx + hs[-1] @ Wh + b))
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros_like(b)
    dh = 2.0 * hs[-1]
    for t in range(steps - 1, -1, -1):
        da = dh * (1.0 - hs[t + 1] * hs[t + 1])
        dWx += xs[t].T @ da
        dWh += hs[t].T @ da
        db += da.sum(axis=0)
        dh = da @ Wh.T
    return dWx, dWh, db


def peer_f(P):
    xp = P.np

    def f(Wx, Wh, b, xs):
        h = xp.zeros((xs.shape[1], Wh.shape[0]), dtype=xs.dtype)
        for t in range(xs.shape[0]):
            h = xp.tanh(xs[t] @ Wx + h @ Wh + b)
        return xp.sum(h * h)
    return f


def inputs(size, rng):
    steps, batch, hidden, d = {"tiny": (4, 3, 5, 2), "quick": (50, 16, 32, 16), "full": (50, 16, 32, 16)}[size]
    Wx = rng.standard_normal((d, hidden)) / np.sqrt(d)
    Wh = rng.standard_normal((hidden, hidden)) / np.sqrt(hidden)
    b = rng.standard_normal(hidden) * 0.1
    xs = rng.standard_normal((steps, batch, d))
    return Wx, Wh, b, xs


WORKLOAD = Workload(
    name="rnn", title="tanh RNN, 50 steps, hidden 32, batch 16", f=f, hand=hand,
    inputs=inputs, wrt=(0, 1, 2), peer_f=peer_f)
WORKLOADS = [WORKLOAD]
