"""Plain objects as parameters: attribute reads differentiate, gradients come back as the same kind of object."""
import types

import numpy as np

import transgrad as tg


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.name = "linear"


def predict(model, x):
    return np.sum(np.tanh(model.W @ x + model.b) ** 2)


def namespace_loss(p, x):
    h = np.tanh(p.W @ x)
    return np.sum(h * p.scale)


def test_a_class_instance_gets_its_gradient_in_the_same_shape():
    rng = np.random.default_rng(0)
    model, x = Linear(rng.standard_normal((2, 3)), rng.standard_normal(2)), rng.standard_normal(3)
    grad = tg.grad(predict)(model, x)
    assert isinstance(grad, Linear) and grad.W.shape == (2, 3) and grad.b.shape == (2,)
    assert grad.name == "linear"                       # constants are left as they are
    assert tg.gradcheck(predict, model, x)


def test_a_simple_namespace_is_a_pytree_node():
    rng = np.random.default_rng(1)
    params = types.SimpleNamespace(W=rng.standard_normal((2, 3)), scale=1.5)
    grad = tg.grad(namespace_loss)(params, rng.standard_normal(3))
    assert isinstance(grad, types.SimpleNamespace) and isinstance(grad.scale, float)
    assert tg.gradcheck(namespace_loss, params, rng.standard_normal(3))


def test_an_object_that_is_not_differentiated_is_just_read():
    rng = np.random.default_rng(2)
    model, x = Linear(rng.standard_normal((2, 3)), rng.standard_normal(2)), rng.standard_normal(3)
    assert tg.gradcheck(predict, model, x, wrt=1)


def reads_named_fields(a):
    res = np.linalg.qr(a)
    sign, logdet = np.linalg.slogdet(a)
    return np.sum(res.Q * 2.0) + np.sum(res.R) + np.linalg.slogdet(a).logabsdet + logdet


def test_named_tuple_results_are_read_by_field_name():
    a = np.array([[2.0, 0.3, -0.5], [0.1, 1.5, 0.4], [-0.3, 0.2, 1.8]])
    assert tg.gradcheck(reads_named_fields, a)
