"""2-layer MLP (tanh hidden layer) with softmax cross-entropy, batch 64, 784-128-10."""
import numpy as np

from harness import Workload


def f(W1, b1, W2, b2, X, labels):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(X.shape[0]), labels].mean()


def hand(W1, b1, W2, b2, X, labels):
    n = X.shape[0]
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    dlogits = e / e.sum(axis=1, keepdims=True)
    dlogits[np.arange(n), labels] -= 1.0
    dlogits /= n
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(axis=0)
    dpre = (dlogits @ W2.T) * (1.0 - h * h)
    dW1 = X.T @ dpre
    db1 = dpre.sum(axis=0)
    return dW1, db1, dW2, db2


def peer_f(P):
    xp = P.np
    if P.name == "torch":
        def f(W1, b1, W2, b2, X, labels):
            h = xp.tanh(X @ W1 + b1)
            logits = h @ W2 + b2
            shifted = logits - logits.amax(dim=1, keepdim=True)
            log_probs = shifted - xp.log(xp.exp(shifted).sum(dim=1, keepdim=True))
            return -log_probs[xp.arange(X.shape[0]), labels].mean()
        return f

    def f(W1, b1, W2, b2, X, labels):
        h = xp.tanh(X @ W1 + b1)
        logits = h @ W2 + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        return -log_probs[xp.arange(X.shape[0]), labels].mean()
    return f


def inputs(size, rng):
    n, d, hid, k = {"tiny": (5, 7, 4, 3), "quick": (64, 784, 128, 10), "full": (64, 784, 128, 10)}[size]
    W1 = rng.standard_normal((d, hid)) * np.sqrt(1.0 / d)
    b1 = rng.standard_normal(hid) * 0.1
    W2 = rng.standard_normal((hid, k)) * np.sqrt(1.0 / hid)
    b2 = rng.standard_normal(k) * 0.1
    X = rng.standard_normal((n, d))
    labels = rng.integers(0, k, size=n)
    return W1, b1, W2, b2, X, labels


WORKLOAD = Workload(
    name="mlp", title="2-layer MLP + softmax cross-entropy, batch 64, 784-128-10", f=f, hand=hand,
    inputs=inputs, wrt=(0, 1, 2, 3), peer_f=peer_f)
WORKLOADS = [WORKLOAD]
