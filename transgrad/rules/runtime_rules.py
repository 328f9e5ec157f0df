"""Adjoint and tangent rules of the runtime helpers that generated gradient code calls.

They make generated code differentiable again: tg.grad(tg.grad(f)), tg.hessian
and tg.hvp read the *generated* gradient function and differentiate it like a
user's function (higher.py). Helpers that are linear in their gradient argument
(rt.unbroadcast, rt.unreduce, rt.matmul_grad_left, ...) have their rules in
numpy_rules.py and numpy_tangents.py; this module has the ones for the
"None is zero" bookkeeping (rt.add, rt.buffer, rt.maybe_copy, rt.owned), the
seeds and zero buffers (constants), and the pure forms of the in-place helpers
(rt.added_to, rt.cleared, rt.replaced) that normalize/generated.py writes in
place of rt.add_at, rt.clear and rt.put.

The adjoint of a gradient with respect to an operand that is None at run time
(a constant zero) is None (rt.grad_like), so "None is zero" carries over.
"""
from transgrad import runtime as rt
from transgrad.rules.registry import adjoint_template, d, non_differentiable, t, tangent_template

# seeds and fresh zero buffers are constants
non_differentiable(rt.zeros_like, rt.scalar_seed, rt.ones_like, rt.slot_of)


@adjoint_template(rt.add, name="rt.add", convention="None is zero: an operand that is None gets no gradient")
def rt_add(y, a, b):
    d[a] = rt.grad_like(d[y], a)
    d[b] = rt.grad_like(d[y], b)


@tangent_template(rt.add, name="rt.add")
def rt_add_tangent(y, a, b):
    t[y] = rt.add(t[a], t[b])


@adjoint_template(rt.owned, name="rt.owned")
def rt_owned(y, gradient):
    d[gradient] = rt.grad_like(d[y], gradient)


@tangent_template(rt.owned, name="rt.owned")
def rt_owned_tangent(y, gradient):
    t[y] = rt.owned(t[gradient])


@adjoint_template(rt.copy_input, name="rt.copy_input")
def rt_copy_input(y, x):
    d[x] = d[y]


@tangent_template(rt.copy_input, name="rt.copy_input")
def rt_copy_input_tangent(y, x):
    t[y] = rt.copy_input(t[x])


@adjoint_template(rt.maybe_copy, name="rt.maybe_copy")
def rt_maybe_copy(y, dx, x):
    d[dx] = rt.grad_like(d[y], dx)


@tangent_template(rt.maybe_copy, name="rt.maybe_copy")
def rt_maybe_copy_tangent(y, dx, x):
    t[y] = rt.buffer_tangent(t[dx], x)


@adjoint_template(rt.buffer, name="rt.buffer")
def rt_buffer(y, dx, x):
    d[dx] = rt.grad_like(d[y], dx)


@tangent_template(rt.buffer, name="rt.buffer")
def rt_buffer_tangent(y, dx, x):
    t[y] = rt.buffer_tangent(t[dx], x)


@adjoint_template(rt.masked_div, name="rt.masked_div",
                  convention="exactly 0 where the numerator is 0, as rt.masked_div itself")
def rt_masked_div(y, g, den):
    d[g] = rt.unbroadcast(rt.masked_div(d[y], den), g)
    d[den] = rt.unbroadcast(-rt.masked_div(d[y] * y, den), den)


@tangent_template(rt.masked_div, name="rt.masked_div")
def rt_masked_div_tangent(y, g, den):
    t[y] = rt.masked_div(t[g], den) - rt.masked_div(t[den] * y, den)


@adjoint_template(rt.getitem, name="rt.getitem")
def rt_getitem(y, gradient, index):
    d[gradient] = rt.scattered(d[y], gradient, index)


@tangent_template(rt.getitem, name="rt.getitem")
def rt_getitem_tangent(y, gradient, index):
    t[y] = rt.getitem(t[gradient], index)


@adjoint_template(rt.take, name="rt.take")
def rt_take(y, container, index):
    d[container] = rt.scattered(d[y], container, index)


@tangent_template(rt.take, name="rt.take")
def rt_take_tangent(y, container, index):
    t[y] = rt.take(t[container], index)


@adjoint_template(rt.output_grad, name="rt.output_grad")
def rt_output_grad(y, g, ans, position):
    d[g] = rt.item_grad(d[y], g, position)


@tangent_template(rt.output_grad, name="rt.output_grad")
def rt_output_grad_tangent(y, g, ans, position):
    t[y] = rt.output_grad(t[g], ans, position)


@adjoint_template(rt.added_to, name="rt.added_to", convention="repeated indices accumulate, as rt.add_at")
def rt_added_to(y, dx, index, g):
    d[dx] = d[y]
    d[g] = rt.grad_like(rt.getitem(d[y], index), g)


@tangent_template(rt.added_to, name="rt.added_to")
def rt_added_to_tangent(y, dx, index, g):
    t[y] = rt.added_to_tangent(t[dx], dx, index, t[g])


@adjoint_template(rt.cleared, name="rt.cleared")
def rt_cleared(y, dx, index):
    d[dx] = rt.cleared(d[y], index)


@tangent_template(rt.cleared, name="rt.cleared")
def rt_cleared_tangent(y, dx, index):
    t[y] = rt.cleared(t[dx], index)


@adjoint_template(rt.replaced, name="rt.replaced")
def rt_replaced(y, container, index, old):
    d[container] = rt.cleared(d[y], index)
    d[old] = rt.getitem(d[y], index)


@tangent_template(rt.replaced, name="rt.replaced")
def rt_replaced_tangent(y, container, index, old):
    t[y] = rt.replaced_tangent(t[container], container, index, t[old])
