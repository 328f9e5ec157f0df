"""transgrad: source-transformation automatic differentiation for numpy code.

    import transgrad as tg

    @tg.grad
    def loss(w, x):
        return np.sum(np.tanh(x @ w) ** 2)

    loss(w, x)          # the gradient with respect to w
    print(loss.source)  # the generated gradient code
"""
from transgrad.api import adjoint, grad, jacobian, jvp, value_and_grad, vjp
from transgrad.check import gradcheck
from transgrad.higher import hessian, hvp
from transgrad.errors import (GradcheckError, NonDifferentiableError, SourceUnavailableError,
                              TransgradError, UnsupportedSyntaxError)
from transgrad.markers import detach, no_grad, stop_gradient

__all__ = [
    "grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp", "adjoint", "gradcheck", "no_grad", "detach", "stop_gradient",
    "TransgradError", "UnsupportedSyntaxError", "NonDifferentiableError", "SourceUnavailableError",
    "GradcheckError",
]
__version__ = "0.1.0"
