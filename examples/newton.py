"""Newton's method on the Rosenbrock function, with derivatives transgrad compiles from the source.

Two variants:
- full Newton: solve H p = -g with the Hessian from tg.hessian;
- Newton-CG: never form H; conjugate gradients on H p = -g, each product H v
  from tg.hvp (forward mode over the generated gradient code).

Run: python examples/newton.py
"""
import numpy as np

import transgrad as tg


def rosenbrock(x):
    total = 0.0
    for i in range(len(x) - 1):
        total = total + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


gradient = tg.grad(rosenbrock)
hessian = tg.hessian(rosenbrock)


def backtrack(x, step, value, slope):
    """The largest of 1, 1/2, 1/4, ... that decreases the function enough (Armijo)."""
    t = 1.0
    while rosenbrock(x + t * step) > value + 1e-4 * t * slope and t > 1e-10:
        t *= 0.5
    return t


def newton(x, iterations=50, tolerance=1e-10):
    for k in range(iterations):
        g = gradient(x)
        if np.linalg.norm(g) < tolerance:
            return x, k
        H = hessian(x)
        eigenvalues, vectors = np.linalg.eigh(H)
        shifted = np.maximum(np.abs(eigenvalues), 1e-6)    # keep the step a descent direction
        step = -vectors @ ((vectors.T @ g) / shifted)
        x = x + backtrack(x, step, rosenbrock(x), g @ step) * step
    return x, iterations


def conjugate_gradients(hvp, b, iterations=50, tolerance=1e-12):
    """Solve H p = b for symmetric H given only p -> H p; stop at negative curvature."""
    p = np.zeros_like(b)
    r = b.copy()
    d = r.copy()
    for _ in range(iterations):
        hd = hvp(d)
        curvature = d @ hd
        if curvature <= 0:
            return p if p.any() else b
        alpha = (r @ r) / curvature
        p = p + alpha * d
        r_new = r - alpha * hd
        if np.linalg.norm(r_new) < tolerance:
            break
        d = r_new + (r_new @ r_new) / (r @ r) * d
        r = r_new
    return p


def newton_cg(x, iterations=100, tolerance=1e-10):
    for k in range(iterations):
        g = gradient(x)
        if np.linalg.norm(g) < tolerance:
            return x, k
        step = conjugate_gradients(lambda v: tg.hvp(rosenbrock, (x,), v)[1], -g)
        x = x + backtrack(x, step, rosenbrock(x), g @ step) * step
    return x, iterations


def main():
    start = np.array([0.5, 1.5, 0.5, 1.5])
    x, steps = newton(start)
    print(f"Newton with tg.hessian:  x = {np.round(x, 8)} after {steps} steps, f = {rosenbrock(x):.3e}")
    x, steps = newton_cg(start)
    print(f"Newton-CG with tg.hvp:   x = {np.round(x, 8)} after {steps} steps, f = {rosenbrock(x):.3e}")
    print()
    print("The Hessian-vector product transgrad generated (forward mode over the gradient code):")
    print(tg.hvp(rosenbrock, (start,), np.ones(4)).source)


if __name__ == "__main__":
    main()
