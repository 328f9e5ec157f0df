"""Shared pieces of the benchmark suite: the Workload record and the peers' adapters.

A workload module (``bench_*.py``) defines, in the style a user would write:

* ``f``: the numpy function transgrad differentiates;
* ``hand``: a hand-written numpy gradient, the reference for time and for correctness;
* ``peer_f(P)``: the same function for a peer, where ``P.np`` is that peer's array module
  (``autograd.numpy``, ``torch`` or ``jax.numpy``), ``P.detach`` its stop-gradient and
  ``P.name`` its name;
* ``inputs(size, rng)``: the arguments, for ``size`` in ``"tiny"`` (unit test), ``"quick"``
  and ``"full"``;
* ``WORKLOAD = Workload(...)`` gathering them.

Nothing here imports a peer at module level: autograd, torch and jax are optional.
"""
import dataclasses
from typing import Callable, Optional, Sequence

import numpy as np


@dataclasses.dataclass
class Workload:
    name: str                      # short id, used on the chart
    title: str                     # one line for the table
    f: Callable                    # the user's numpy function
    hand: Callable                 # hand-written gradient: same args, returns tuple (one per wrt)
    inputs: Callable               # inputs(size, rng) -> tuple of args
    wrt: Sequence[int]             # positions differentiated
    peer_f: Optional[Callable] = None   # peer_f(P) -> the function in that peer's idiom
    cotangent: Optional[Callable] = None  # vjp workloads: cotangent(args) -> array shaped like f's output
    jit_cannot: Optional[str] = None    # why jax.jit cannot run the natural code (data-dependent loop)
    note: str = ""
    finite_differences: bool = True     # False where the gradient is not f's derivative (detach)

    @property
    def is_vjp(self):
        return self.cotangent is not None


# ----- transgrad -----

def transgrad_grad(w: Workload, args, v=None):
    """Gradients (tuple) for args."""
    import transgrad as tg
    wrt = tuple(w.wrt)
    if w.is_vjp:
        _, pullback = tg.vjp(w.f, *args, wrt=wrt)
        return tuple(pullback(v))
    return tuple(tg.grad(w.f, wrt=wrt)(*args))


# ----- peers -----

class Peer:
    """What a workload's peer_f needs: the array module, stop-gradient and the peer's name."""

    def __init__(self, name, np_module, detach):
        self.name = name
        self.np = np_module
        self.detach = detach


def rel_error(got, want):
    """max |got - want| / max(1, max |want|) over a tuple of gradients (inf on a shape mismatch)."""
    worst = 0.0
    if len(got) != len(want):
        return float("inf")
    for a, b in zip(got, want):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            return float("inf")
        if b.size == 0:
            continue
        scale = max(1.0, float(np.max(np.abs(b))))
        err = float(np.max(np.abs(a - b))) / scale
        if not np.isfinite(err):
            return float("inf")
        worst = max(worst, err)
    return worst


TOLERANCE = 1e-8
