"""Lorenz system integrated by explicit Euler for 200 steps on Python floats (math module).

The gradient of the final distance from the origin with respect to (sigma, rho, beta).
"""
import math

from harness import Workload

STEPS = 200
DT = 0.01


def f(sigma, rho, beta, x, y, z):
    for _ in range(STEPS):
        dx = sigma * (y - x)
        dy = x * (rho - z) - y
        dz = x * y - beta * z
        x = x + DT * dx
        y = y + DT * dy
        z = z + DT * dz
    return math.sqrt(x * x + y * y + z * z)


def hand(sigma, rho, beta, x, y, z):
    xs, ys, zs = [x], [y], [z]
    for _ in range(STEPS):
        x, y, z = (x + DT * sigma * (y - x), y + DT * (x * (rho - z) - y), z + DT * (x * y - beta * z))
        xs.append(x)
        ys.append(y)
        zs.append(z)
    r = math.sqrt(x * x + y * y + z * z)
    gx, gy, gz = x / r, y / r, z / r
    gsigma = grho = gbeta = 0.0
    for t in range(STEPS - 1, -1, -1):
        x, y, z = xs[t], ys[t], zs[t]
        gsigma += gx * DT * (y - x)
        grho += gy * DT * x
        gbeta -= gz * DT * z
        gx, gy, gz = (gx * (1 - DT * sigma) + gy * DT * (rho - z) + gz * DT * y,
                      gx * DT * sigma + gy * (1 - DT) + gz * DT * x,
                      -gy * DT * x + gz * (1 - DT * beta))
    return gsigma, grho, gbeta


def peer_f(P):
    xp = P.np

    def f(sigma, rho, beta, x, y, z):
        for _ in range(STEPS):
            dx = sigma * (y - x)
            dy = x * (rho - z) - y
            dz = x * y - beta * z
            x = x + DT * dx
            y = y + DT * dy
            z = z + DT * dz
        return xp.sqrt(x * x + y * y + z * z)
    return f


def inputs(size, rng):
    return 10.0, 28.0, 8.0 / 3.0, 1.0, 1.0, 1.0


WORKLOAD = Workload(
    name="lorenz", title="Lorenz system, explicit Euler, 200 steps on Python floats", f=f, hand=hand,
    inputs=inputs, wrt=(0, 1, 2), peer_f=peer_f,
    note="peers get xp.sqrt for math.sqrt; PyTorch and JAX run on 0-d float64 tensors")
WORKLOADS = [WORKLOAD]
