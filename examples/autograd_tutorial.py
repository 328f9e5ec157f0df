"""PyTorch's autograd tutorial, done with transgrad.

PyTorch records operations on a tape while your code runs and replays the tape
backwards when you call `.backward()`. transgrad reads your function's source
instead and writes a new Python function that computes the gradient, once,
ahead of time. This script follows the steps of PyTorch's "Autograd: automatic
differentiation" tutorial and prints, for each step, the numbers and the
gradient code transgrad generated.

Run it with:  python examples/autograd_tutorial.py
"""
import numpy as np

import transgrad as tg


def say(text):
    print()
    print(text)


def show_source(compiled):
    print("    --- generated source " + "-" * 48)
    for line in compiled.source.rstrip().splitlines():
        print("    " + line)
    print("    " + "-" * 70)


# ----------------------------------------------------------------------------------------------
# The functions we differentiate. transgrad reads their source, so they are ordinary `def`s in a
# file (not lambdas typed at a prompt).

# PyTorch: x = torch.ones(2, 2, requires_grad=True); y = x + 2; z = y * y * 3; out = z.mean()
def tutorial(x):
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return out


# PyTorch: y = x * 2; while y.data.norm() < 1000: y = y * 2
def doubling(x):
    y = x * 2
    while np.linalg.norm(y) < 1000:
        y = y * 2
    return y


# Two inputs; `wrt` picks the ones that need gradients, like requires_grad=True.
def product(a, b):
    return np.sum(a * b + a)


# PyTorch: with torch.no_grad(): scale = x * x
def scaled_without_grad(x):
    with tg.no_grad():
        scale = x * x
    return np.sum(scale * x)


# PyTorch: y = x * x; u = y.detach(); z = u * x
def detached(x):
    y = x * x
    u = tg.detach(y)
    z = u * x
    return z.sum()


def main():
    np.set_printoptions(precision=4, suppress=False)

    # ------------------------------------------------------------------------------------------
    print("=" * 78)
    print("Step 1. A tensor, some operations, and the gradient of a scalar")
    print("=" * 78)
    say("PyTorch creates x = torch.ones(2, 2, requires_grad=True) and records every operation on it.\n"
        "With transgrad, x is a plain numpy array; which inputs need gradients is said by `wrt`.")
    x = np.ones((2, 2))
    print("x =")
    print(x)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    say("Running the function as plain numpy:  y = x + 2,  z = y * y * 3,  out = z.mean()")
    print("y =")
    print(y)
    print("z =")
    print(z)
    print("out =", out)

    say("PyTorch: out.backward(); print(x.grad).  transgrad: tg.grad(tutorial)(x).\n"
        "out = 1/4 * sum(3 * (x + 2)**2), so d(out)/dx = 3/2 * (x + 2) = 4.5 at x = 1.")
    grad_tutorial = tg.grad(tutorial)
    dx = grad_tutorial(x)
    print("d(out)/dx =")
    print(dx)
    assert np.allclose(dx, 4.5), dx

    say("tg.value_and_grad returns the value of `out` as well, from the same single pass:")
    value, dx = tg.value_and_grad(tutorial)(x)
    print("value =", float(value), "  gradient =", dx.tolist())
    assert float(value) == 27.0 and np.allclose(dx, 4.5)

    say("There is no tape: the gradient is a new Python function, written with your variable names,\n"
        "one adjoint block per line of `tutorial`, in reverse order:")
    show_source(grad_tutorial)

    # ------------------------------------------------------------------------------------------
    print()
    print("=" * 78)
    print("Step 2. Vector-Jacobian products and a data-dependent while loop")
    print("=" * 78)
    say("PyTorch's tutorial doubles y until its norm reaches 1000. The number of iterations depends on x,\n"
        "so the gradient of the non-scalar y cannot be asked for directly; instead PyTorch calls\n"
        "y.backward(v) with a vector v and gets the vector-Jacobian product v^T J in x.grad.\n"
        "transgrad's equivalent is tg.vjp(f, x), which returns y and a `pullback`; pullback(v) is v^T J.")
    x = np.random.default_rng(0).standard_normal(3)
    print("x =", x)
    y, pullback = tg.vjp(doubling, x)
    print("y =", y)

    v = np.array([0.1, 1.0, 0.0001])
    grad_x = pullback(v)
    print("v =", v)
    print("pullback(v) =", grad_x)

    # By hand: y = x * 2**k, where k counts the first `x * 2` and every trip around the loop,
    # so the Jacobian is 2**k times the identity and v^T J = 2**k * v.
    k = 1
    y_by_hand = x * 2
    while np.linalg.norm(y_by_hand) < 1000:
        y_by_hand = y_by_hand * 2
        k += 1
    expected = 2.0 ** k * v
    print(f"By hand: x was doubled k = {k} times, so v^T J = 2**{k} * v =", expected)
    assert np.allclose(y, y_by_hand)
    assert np.allclose(grad_x, expected), (grad_x, expected)

    say("The pullback can be called again with another cotangent; the loop is not run again:")
    print("pullback([1, 1, 1]) =", pullback(np.ones(3)))
    assert np.allclose(pullback(np.ones(3)), 2.0 ** k)

    say("The generated code has a forward function that runs the loop, counts the trips and keeps the\n"
        "values the backward pass needs, and a backward function that runs the loop's adjoint that\n"
        "many times:")
    show_source(pullback)

    # ------------------------------------------------------------------------------------------
    print()
    print("=" * 78)
    print("Step 3. Which inputs need gradients: requires_grad becomes `wrt`")
    print("=" * 78)
    say("In PyTorch you mark tensors with requires_grad=True. In transgrad you name the inputs to\n"
        "differentiate with `wrt`: by position, by parameter name, or a tuple of those.\n"
        "For product(a, b) = sum(a * b + a):  d/da = b + 1 and d/db = a.")
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([4.0, 5.0, 6.0])
    print("a =", a, "  b =", b)

    by_position = tg.grad(product, wrt=0)(a, b)
    print("tg.grad(product, wrt=0)(a, b)      =", by_position, "  (a.requires_grad = True)")
    assert np.allclose(by_position, b + 1)

    by_name = tg.grad(product, wrt="b")(a, b)
    print("tg.grad(product, wrt='b')(a, b)    =", by_name, "  (b.requires_grad = True)")
    assert np.allclose(by_name, a)

    both = tg.grad(product, wrt=(0, 1))
    da, db = both(a, b)
    print("tg.grad(product, wrt=(0, 1))(a, b) =", (da, db), "  (both)")
    assert np.allclose(da, b + 1) and np.allclose(db, a)

    say("Only what depends on a `wrt` input gets adjoint code. With wrt=(0, 1):")
    show_source(both)

    # ------------------------------------------------------------------------------------------
    print()
    print("=" * 78)
    print("Step 4. Stopping gradients: torch.no_grad() and .detach()")
    print("=" * 78)
    say("PyTorch: inside `with torch.no_grad():` results do not require grad. transgrad: inside\n"
        "`with tg.no_grad():` the statements run, but whatever they assign is a constant.\n"
        "scaled_without_grad(x) = sum(scale * x) with scale = x * x computed under no_grad, so the\n"
        "gradient is scale = x**2 (not 3 * x**2, which it would be without no_grad).")
    x = np.array([1.0, 2.0, 3.0])
    print("x =", x)
    grad_no_grad = tg.grad(scaled_without_grad)
    g = grad_no_grad(x)
    print("tg.grad(scaled_without_grad)(x) =", g, "  (x**2 =", x ** 2, ")")
    assert np.allclose(g, x ** 2)
    show_source(grad_no_grad)

    say("PyTorch: u = y.detach() is y's value cut off from the graph. transgrad: u = tg.detach(y)\n"
        "(alias tg.stop_gradient). detached(x) = sum(u * x) with u = detach(x * x), so the gradient\n"
        "is u = x**2, exactly what PyTorch puts in x.grad.")
    grad_detached = tg.grad(detached)
    g = grad_detached(x)
    print("tg.grad(detached)(x) =", g)
    assert np.allclose(g, x ** 2)
    show_source(grad_detached)

    say("Outside a differentiated function tg.no_grad() is a harmless context manager and\n"
        "tg.detach is the identity, so these functions also run as plain numpy:")
    print("scaled_without_grad(x) =", scaled_without_grad(x), "  detached(x) =", detached(x))

    say("Every compiled gradient is checked here against central finite differences with tg.gradcheck:")
    for function, args, wrt in [(tutorial, (np.ones((2, 2)),), 0), (doubling, (np.array([0.3, -1.2, 0.5]),), 0),
                                (product, (a, b), (0, 1))]:
        print(f"    tg.gradcheck({function.__name__}, wrt={wrt!r}) ->",
              tg.gradcheck(function, *args, wrt=wrt))
    print()
    print("Done.")


if __name__ == "__main__":
    main()
