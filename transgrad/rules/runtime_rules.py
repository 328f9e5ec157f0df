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
import math  # noqa: F401 - read by the templates

import numpy as np  # noqa: F401 - read by the templates

from transgrad import runtime as rt
from transgrad.rules.registry import adjoint_template, d, non_differentiable, t, tangent_template

# seeds and fresh zero buffers are constants
non_differentiable(rt.zeros_like, rt.scalar_seed, rt.ones_like, rt.slot_of, rt.repeated_factor, rt.stand_in)
# helpers without a rule are differentiated through their source; these compute dtypes and index
# positions, which are constants there
non_differentiable(rt._grad_dtype, rt._grad_dtype_of, rt.einsum_operands, rt._positions, rt._gradient_matrix, rt._none_selected, rt._block_numbers,
                   rt._block_labels, rt._kept_positions, rt._fft_axes, rt.interp_knots)


@adjoint_template(rt.grad_like, name="rt.grad_like", convention="linear in g; x is read for its structure and shape only")
def rt_grad_like(y, g, x):
    d[g] = rt.like_grad(d[y], g)


@tangent_template(rt.grad_like, name="rt.grad_like")
def rt_grad_like_tangent(y, g, x):
    t[y] = rt.grad_like(t[g], x)


@adjoint_template(rt.rule_tuple, name="rt.rule_tuple", tuple_result=True,
                  convention="a tg.adjoint rule's result as a tuple; the rule itself is differentiated through")
def rt_rule_tuple(y, grads, count):
    d[grads] = rt.rule_tuple_grad(d[y], grads, count)


@tangent_template(rt.rule_tuple, name="rt.rule_tuple")
def rt_rule_tuple_tangent(y, grads, count):
    t[y] = rt.rule_tuple(t[grads], count)


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


@adjoint_template(rt.scattered, name="rt.scattered", convention="linear in g; x is read for its shape only")
def rt_scattered(y, g, x, index):
    d[g] = rt.getitem(d[y], index)


@tangent_template(rt.scattered, name="rt.scattered")
def rt_scattered_tangent(y, g, x, index):
    t[y] = rt.scattered(t[g], x, index)


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


# ----- the helpers the adjoint templates of the numpy, math and builtin rules call -----
# Each is linear in its gradient argument g: d[g] is the transpose of that linear map, and the
# derivative with respect to the primal values it reads (x, ans, the other factor) is what a
# second derivative adds. Arguments read only for shapes, axes or piecewise-constant masks (ties,
# clip bounds, the winner of max/min) carry no gradient.

# tuple_result=True marks the helpers whose result is a list of gradients, so the outer transform
# accumulates into their items with rt.add_at, which takes None for zero; tuple_result="a" marks
# those whose result has the structure of their argument a (rt.extreme_grad, rt.sequence_grad and
# rt.array_grad return a list for a list and an array for an array).

# einsum subscripts of np.tensordot are a string computed from the shapes
non_differentiable(rt.tensordot_subscripts)


@adjoint_template(rt.reduce_like, name="rt.reduce_like")
def rt_reduce_like(y, g, target, axis=None, keepdims=False):
    d[g] = rt.unreduce(d[y], g, axis, keepdims)


@tangent_template(rt.reduce_like, name="rt.reduce_like")
def rt_reduce_like_tangent(y, g, target, axis=None, keepdims=False):
    t[y] = rt.reduce_like(t[g], target, axis, keepdims)


@adjoint_template(rt.norm_grad, name="rt.norm_grad",
                  convention="0 where the norm is 0, as the gradient there; the 1-, inf- and 0-norm gradients are piecewise constant in x")
def rt_norm_grad(y, g, x, ans, ord=None, axis=None, keepdims=False):
    d[g] = rt.real_like(rt.reduce_like(d[y] * rt.norm_grad(rt.ones_like(ans), x, ans, ord, axis, keepdims), g, axis,
                                       keepdims), g)
    d[x] = (rt.conj(d[y]) * rt.norm_grad_dx(g, x, ans, ord, axis, keepdims)
            + np.real(d[y] * rt.norm_grad_dx_radial(g, x, ans, ord, axis, keepdims)) * rt.conj(x))
    d[ans] = rt.real_like(rt.reduce_like(d[y] * rt.norm_grad_dans(g, x, ans, ord, axis, keepdims), ans, axis,
                                         keepdims), ans)


@tangent_template(rt.norm_grad, name="rt.norm_grad")
def rt_norm_grad_tangent(y, g, x, ans, ord=None, axis=None, keepdims=False):
    t[y] = (rt.norm_grad(t[g], x, ans, ord, axis, keepdims) + rt.conj(t[x]) * rt.norm_grad_dx(g, x, ans, ord, axis, keepdims)
            + rt.keep_reduced(t[ans], x, axis, keepdims) * rt.norm_grad_dans(g, x, ans, ord, axis, keepdims)
            + rt.norm_grad_dx_radial(g, x, ans, ord, axis, keepdims) * np.real(rt.conj(x) * t[x]))


@adjoint_template(rt.interp_grad_fp, name="rt.interp_grad_fp",
                  convention="linear in g; each x keeps its segment (the knots are piecewise constant in x)")
def rt_interp_grad_fp(y, g, x, xp, fp, left=None, right=None):
    d[g] = rt.unbroadcast(rt.interp_at(d[y], x, xp, left, right), g)
    d[x] = np.broadcast_to(g, np.shape(x)) * rt.interp_slope(x, xp, d[y])
    # no d[xp]: np.interp's own rule refused a varying xp at first order; here, in generated code,
    # xp only looks varying when it was saved and restored for a split backward


@tangent_template(rt.interp_grad_fp, name="rt.interp_grad_fp")
def rt_interp_grad_fp_tangent(y, g, x, xp, fp, left=None, right=None):
    t[y] = rt.interp_grad_fp(t[g], x, xp, fp, left, right) + rt.interp_grad_fp_dx(g, x, xp, fp, t[x])


@adjoint_template(rt.prod_grad, name="rt.prod_grad", convention="exact where x has zeros")
def rt_prod_grad(y, g, x, axis=None, keepdims=False):
    d[g] = rt.reduce_like(d[y] * rt.prod_grad(rt.ones_like(g), x, axis, keepdims), g, axis, keepdims)
    d[x] = rt.prod_grad_dx(g, x, d[y], axis, keepdims)


@tangent_template(rt.prod_grad, name="rt.prod_grad")
def rt_prod_grad_tangent(y, g, x, axis=None, keepdims=False):
    t[y] = rt.prod_grad(t[g], x, axis, keepdims) + rt.prod_grad_dx(g, x, t[x], axis, keepdims)


@adjoint_template(rt.concatenate_grad, name="rt.concatenate_grad", tuple_result=True)
def rt_concatenate_grad(y, g, arrays, axis=0):
    d[g] = np.concatenate(rt.zeros_for_none(d[y], arrays), axis)


@tangent_template(rt.concatenate_grad, name="rt.concatenate_grad")
def rt_concatenate_grad_tangent(y, g, arrays, axis=0):
    t[y] = rt.concatenate_grad(t[g], arrays, axis)


@adjoint_template(rt.stack_grad, name="rt.stack_grad", tuple_result=True)
def rt_stack_grad(y, g, arrays, axis=0):
    d[g] = np.stack(rt.zeros_for_none(d[y], arrays), axis)


@tangent_template(rt.stack_grad, name="rt.stack_grad")
def rt_stack_grad_tangent(y, g, arrays, axis=0):
    t[y] = rt.stack_grad(t[g], arrays, axis)


@adjoint_template(rt.hstack_grad, name="rt.hstack_grad", tuple_result=True)
def rt_hstack_grad(y, g, arrays):
    d[g] = np.hstack(rt.zeros_for_none(d[y], arrays))


@tangent_template(rt.hstack_grad, name="rt.hstack_grad")
def rt_hstack_grad_tangent(y, g, arrays):
    t[y] = rt.hstack_grad(t[g], arrays)


@adjoint_template(rt.vstack_grad, name="rt.vstack_grad", tuple_result=True)
def rt_vstack_grad(y, g, arrays):
    d[g] = np.reshape(np.vstack(rt.zeros_for_none(d[y], arrays)), np.shape(g))


@tangent_template(rt.vstack_grad, name="rt.vstack_grad")
def rt_vstack_grad_tangent(y, g, arrays):
    t[y] = rt.vstack_grad(t[g], arrays)


@adjoint_template(rt.extreme_grad, name="rt.extreme_grad", tuple_result="a",
                  convention="the winner and the tie weights are constants")
def rt_extreme_grad(y, g, a, ans, other=None):
    d[g] = rt.extreme_grad_transpose(d[y], g, a, ans, other)


@tangent_template(rt.extreme_grad, name="rt.extreme_grad")
def rt_extreme_grad_tangent(y, g, a, ans, other=None):
    t[y] = rt.extreme_grad(t[g], a, ans, other)


@adjoint_template(rt.sequence_grad, name="rt.sequence_grad", tuple_result="items")
def rt_sequence_grad(y, g, items):
    d[g] = rt.sequence_grad_transpose(d[y], g, items)


@tangent_template(rt.sequence_grad, name="rt.sequence_grad")
def rt_sequence_grad_tangent(y, g, items):
    t[y] = rt.sequence_grad(t[g], items)


@adjoint_template(rt.fpow, name="rt.fpow", convention="as math.pow")
def rt_fpow(z, x, p):
    d[x] = d[z] * p * rt.fpow(x, p - 1.0)
    d[p] = d[z] * z * math.log(x) if x > 0 else 0.0 * d[z]


@tangent_template(rt.fpow, name="rt.fpow")
def rt_fpow_tangent(z, x, p):
    t[z] = t[x] * p * rt.fpow(x, p - 1.0) + t[p] * (z * math.log(x) if x > 0 else 0.0)


@adjoint_template(rt.take_grad, name="rt.take_grad")
def rt_take_grad(y, g, a, indices, axis=None, mode="raise"):
    d[g] = np.take(d[y], indices, axis, mode=mode)


@tangent_template(rt.take_grad, name="rt.take_grad")
def rt_take_grad_tangent(y, g, a, indices, axis=None, mode="raise"):
    t[y] = rt.take_grad(t[g], a, indices, axis, mode)


@adjoint_template(rt.split_grad, name="rt.split_grad")
def rt_split_grad(y, g, ary, pieces, axis=0):
    d[g] = rt.split_like(d[y], pieces, axis)


@tangent_template(rt.split_grad, name="rt.split_grad")
def rt_split_grad_tangent(y, g, ary, pieces, axis=0):
    t[y] = rt.split_grad(t[g], ary, pieces, axis)


@adjoint_template(rt.real_like, name="rt.real_like")
def rt_real_like(y, g, x):
    d[g] = rt.real_like(d[y], y)


@tangent_template(rt.real_like, name="rt.real_like")
def rt_real_like_tangent(y, g, x):
    t[y] = rt.real_like(t[g], x)


@adjoint_template(rt.array_grad, name="rt.array_grad", tuple_result="obj")
def rt_array_grad(y, g, obj):
    d[g] = rt.array_grad_transpose(d[y], g)


@tangent_template(rt.array_grad, name="rt.array_grad")
def rt_array_grad_tangent(y, g, obj):
    t[y] = rt.array_grad(t[g], obj)


@adjoint_template(rt.astype_grad, name="rt.astype_grad")
def rt_astype_grad(y, g, x, result):
    d[g] = rt.astype_grad(d[y], g, result)


@tangent_template(rt.astype_grad, name="rt.astype_grad")
def rt_astype_grad_tangent(y, g, x, result):
    t[y] = rt.astype_grad(t[g], x, result)


@adjoint_template(rt.einsum_grad, name="rt.einsum_grad")
def rt_einsum_grad(y, g, subscripts, operands, position):
    d[g] = rt.einsum_replaced(subscripts, operands, position, d[y])
    d[operands] = rt.einsum_grad_operands(d[y], g, subscripts, operands, position)


@tangent_template(rt.einsum_grad, name="rt.einsum_grad")
def rt_einsum_grad_tangent(y, g, subscripts, operands, position):
    t[y] = (rt.einsum_grad(t[g], subscripts, operands, position)
            + rt.einsum_grad_tangent(g, subscripts, operands, t[operands], position))


@adjoint_template(rt.trace_matmul_grad, name="rt.trace_matmul_grad")
def rt_trace_matmul_grad(y, g, other, rows):
    d[g] = rt.trace_matmul_grad_transpose(d[y], other, rows)
    d[other] = rt.trace_matmul_grad_other(d[y], g, other, rows)


@tangent_template(rt.trace_matmul_grad, name="rt.trace_matmul_grad")
def rt_trace_matmul_grad_tangent(y, g, other, rows):
    t[y] = rt.trace_matmul_grad(t[g], other, rows) + rt.trace_matmul_grad(g, t[other], rows)


@adjoint_template(rt.median_grad, name="rt.median_grad", convention="the middle elements' weights are constants")
def rt_median_grad(y, g, a, axis=None, keepdims=False):
    d[g] = rt.reduce_like(d[y] * rt.median_grad(rt.ones_like(g), a, axis, keepdims), g, axis, keepdims)


@tangent_template(rt.median_grad, name="rt.median_grad")
def rt_median_grad_tangent(y, g, a, axis=None, keepdims=False):
    t[y] = rt.median_grad(t[g], a, axis, keepdims)


@adjoint_template(rt.unsort, name="rt.unsort", convention="the sorting permutation is a constant")
def rt_unsort(y, g, a, axis=-1):
    d[g] = rt.sorted_like(d[y], a, axis)


@tangent_template(rt.unsort, name="rt.unsort")
def rt_unsort_tangent(y, g, a, axis=-1):
    t[y] = rt.unsort(t[g], a, axis)


@adjoint_template(rt.take_along_axis_grad, name="rt.take_along_axis_grad")
def rt_take_along_axis_grad(y, g, arr, indices, axis=-1):
    d[g] = np.take_along_axis(d[y], indices, axis)


@tangent_template(rt.take_along_axis_grad, name="rt.take_along_axis_grad")
def rt_take_along_axis_grad_tangent(y, g, arr, indices, axis=-1):
    t[y] = rt.take_along_axis_grad(t[g], arr, indices, axis)


@adjoint_template(rt.repeat_grad, name="rt.repeat_grad")
def rt_repeat_grad(y, g, a, repeats, axis=None):
    d[g] = np.repeat(d[y], repeats, axis)


@tangent_template(rt.repeat_grad, name="rt.repeat_grad")
def rt_repeat_grad_tangent(y, g, a, repeats, axis=None):
    t[y] = rt.repeat_grad(t[g], a, repeats, axis)


@adjoint_template(rt.tile_grad, name="rt.tile_grad")
def rt_tile_grad(y, g, a, reps):
    d[g] = np.reshape(np.tile(d[y], reps), np.shape(g))


@tangent_template(rt.tile_grad, name="rt.tile_grad")
def rt_tile_grad_tangent(y, g, a, reps):
    t[y] = rt.tile_grad(t[g], a, reps)


@adjoint_template(rt.pad_grad, name="rt.pad_grad")
def rt_pad_grad(y, g, array, pad_width, mode="constant"):
    d[g] = np.pad(d[y], pad_width, mode=mode)


@tangent_template(rt.pad_grad, name="rt.pad_grad")
def rt_pad_grad_tangent(y, g, array, pad_width, mode="constant"):
    t[y] = rt.pad_grad(t[g], array, pad_width, mode)


@adjoint_template(rt.pad_constant_grad, name="rt.pad_constant_grad")
def rt_pad_constant_grad(y, g, array, pad_width):
    d[g] = np.pad(np.zeros(np.shape(array), dtype=np.result_type(d[y], 0.0)), pad_width, constant_values=d[y])


@tangent_template(rt.pad_constant_grad, name="rt.pad_constant_grad")
def rt_pad_constant_grad_tangent(y, g, array, pad_width):
    t[y] = rt.pad_constant_grad(t[g], array, pad_width)


@adjoint_template(rt.diff_grad, name="rt.diff_grad")
def rt_diff_grad(y, g, a, n=1, axis=-1):
    d[g] = np.diff(d[y], n, axis)


@tangent_template(rt.diff_grad, name="rt.diff_grad")
def rt_diff_grad_tangent(y, g, a, n=1, axis=-1):
    t[y] = rt.diff_grad(t[g], a, n, axis)


@adjoint_template(rt.diagonal_grad, name="rt.diagonal_grad")
def rt_diagonal_grad(y, g, a, offset=0, axis1=0, axis2=1):
    d[g] = np.diagonal(d[y], offset, axis1, axis2)


@tangent_template(rt.diagonal_grad, name="rt.diagonal_grad")
def rt_diagonal_grad_tangent(y, g, a, offset=0, axis1=0, axis2=1):
    t[y] = rt.diagonal_grad(t[g], a, offset, axis1, axis2)


@adjoint_template(rt.column_stack_grad, name="rt.column_stack_grad", tuple_result=True)
def rt_column_stack_grad(y, g, tup):
    d[g] = np.column_stack(rt.zeros_for_none(d[y], tup))


@tangent_template(rt.column_stack_grad, name="rt.column_stack_grad")
def rt_column_stack_grad_tangent(y, g, tup):
    t[y] = rt.column_stack_grad(t[g], tup)


@adjoint_template(rt.append_grad, name="rt.append_grad", tuple_result=True)
def rt_append_grad(y, g, arr, values, axis=None):
    d[g] = rt.append_grad_transpose(d[y], arr, values, axis)


@tangent_template(rt.append_grad, name="rt.append_grad")
def rt_append_grad_tangent(y, g, arr, values, axis=None):
    t[y] = rt.append_grad(t[g], arr, values, axis)


@adjoint_template(rt.det_grad, name="rt.det_grad", convention="second derivatives need an invertible matrix")
def rt_det_grad(y, g, a, ans):
    d[g] = np.sum(d[y] * rt.det_grad_dans(ans, a), axis=(-2, -1))
    d[ans] = np.sum(d[y] * rt.det_grad_dans(g, a), axis=(-2, -1))
    d[a] = rt.det_grad_da(g, a, ans, d[y])


@tangent_template(rt.det_grad, name="rt.det_grad")
def rt_det_grad_tangent(y, g, a, ans):
    t[y] = (rt.det_grad(t[g], a, ans) + rt.det_grad_dans(g, a) * np.expand_dims(t[ans], (-2, -1))
            + rt.det_grad_da(g, a, ans, t[a]))


@adjoint_template(rt.solve_transposed, name="rt.solve_transposed")
def rt_solve_transposed(y, a, g, b):
    d[g] = rt.solve_like(a, d[y], b)
    d[a] = rt.solve_grad_a(y, rt.solve_like(a, d[y], b), b)


@tangent_template(rt.solve_transposed, name="rt.solve_transposed")
def rt_solve_transposed_tangent(y, a, g, b):
    t[y] = rt.solve_transposed(a, t[g], b) - rt.solve_transposed(a, rt.transposed_times(t[a], y, b), b)


@adjoint_template(rt.solve_grad_a, name="rt.solve_grad_a")
def rt_solve_grad_a(y, gb, x, b):
    d[gb] = rt.solve_grad_a_left(d[y], x, b)
    d[x] = rt.solve_grad_a_right(d[y], gb, b)


@tangent_template(rt.solve_grad_a, name="rt.solve_grad_a")
def rt_solve_grad_a_tangent(y, gb, x, b):
    t[y] = rt.solve_grad_a(t[gb], x, b) + rt.solve_grad_a(gb, t[x], b)


@adjoint_template(rt.sinc_slope, name="rt.sinc_slope")
def rt_sinc_slope(y, x):
    d[x] = d[y] * rt.sinc_curvature(x)


@tangent_template(rt.sinc_slope, name="rt.sinc_slope")
def rt_sinc_slope_tangent(y, x):
    t[y] = t[x] * rt.sinc_curvature(x)


@adjoint_template(rt.polyval_grad_p, name="rt.polyval_grad_p")
def rt_polyval_grad_p(y, g, p, x):
    d[g] = rt.unbroadcast(np.polyval(d[y], x), g)
    d[x] = rt.unbroadcast(g * np.polyval(rt.polyder(d[y]), x), x)


@tangent_template(rt.polyval_grad_p, name="rt.polyval_grad_p")
def rt_polyval_grad_p_tangent(y, g, p, x):
    t[y] = rt.polyval_grad_p(t[g], p, x) + rt.polyval_grad_p_dx(g, p, x, t[x])


@adjoint_template(rt.polyder, name="rt.polyder")
def rt_polyder(y, p):
    d[p] = rt.polyder_transpose(d[y], p)


@tangent_template(rt.polyder, name="rt.polyder")
def rt_polyder_tangent(y, p):
    t[y] = rt.polyder(t[p])


@adjoint_template(rt.slogdet_grad, name="rt.slogdet_grad", convention="second derivatives need an invertible matrix")
def rt_slogdet_grad(y, g, a, ans):
    d[g] = rt.slogdet_grad_transpose(d[y], a, ans)
    d[a] = rt.det_grad_da(rt.output_grad(g, ans, 1), a, 1.0, d[y])


@tangent_template(rt.slogdet_grad, name="rt.slogdet_grad")
def rt_slogdet_grad_tangent(y, g, a, ans):
    t[y] = rt.slogdet_grad(t[g], a, ans) + rt.det_grad_da(rt.output_grad(g, ans, 1), a, 1.0, t[a])


@adjoint_template(rt.cholesky_grad, name="rt.cholesky_grad")
def rt_cholesky_grad(y, g, L, upper=False):
    d[g] = rt.cholesky_tangent(d[y], L, upper)
    d[L] = rt.cholesky_grad_dL_transpose(d[y], g, L, upper)


@tangent_template(rt.cholesky_grad, name="rt.cholesky_grad")
def rt_cholesky_grad_tangent(y, g, L, upper=False):
    t[y] = rt.cholesky_grad(t[g], L, upper) + rt.cholesky_grad_dL(g, L, t[L], upper)


# the number of non-nan entries of a nan-reduction is an integer
non_differentiable(rt.nan_count)


@adjoint_template(rt.convolve_full, name="rt.convolve_full")
def rt_convolve_full(y, g, n, m, mode="full"):
    d[g] = rt.convolve_mode_part(d[y], g, n, m, mode)


@tangent_template(rt.convolve_full, name="rt.convolve_full")
def rt_convolve_full_tangent(y, g, n, m, mode="full"):
    t[y] = rt.convolve_full(t[g], n, m, mode)


# ----- more runtime helpers: cumprod, eigh/eigvalsh, the FFTs, imag, matrix_power, multi_dot -----
# Each is the gradient of <g, f(theta)>: its transpose in g is the tangent of f along the cotangent,
# and its derivative in theta (the Hessian of <g, f>) is symmetric, so the same helper gives the
# tangent and the adjoint for theta.


@adjoint_template(rt.cumprod_grad, name="rt.cumprod_grad",
                  convention="as the helper: it reads y = cumprod(x) only when x has no zeros, and is exact where x has zeros")
def rt_cumprod_grad(z, g, x, y, axis=None):
    d[g] = rt.cumprod_grad_dg(d[z], g, x, y, axis)
    d[x] = rt.cumprod_grad_dx(g, x, y, d[z], axis)
    d[y] = rt.cumprod_grad_dy_transpose(d[z], g, x, axis)


@tangent_template(rt.cumprod_grad, name="rt.cumprod_grad")
def rt_cumprod_grad_tangent(z, g, x, y, axis=None):
    t[z] = (rt.cumprod_grad(t[g], x, y, axis) + rt.cumprod_grad_dx(g, x, y, t[x], axis)
            + rt.cumprod_grad_dy(g, x, t[y], axis))


@adjoint_template(rt.eigh_grad, name="rt.eigh_grad",
                  convention="vectors=False recomputes the eigenvectors of a; vectors=True reads ans = (w, v) and not a; tied eigenvalue pairs are dropped, as in the helper")
def rt_eigh_grad(y, g, a, ans, UPLO="L", vectors=True):
    d[g] = rt.eigh_grad_adjoint(d[y], g, a, ans, UPLO, vectors)[0]
    d[a] = rt.eigh_grad_adjoint(d[y], g, a, ans, UPLO, vectors)[1]
    d[ans] = rt.eigh_grad_adjoint(d[y], g, a, ans, UPLO, vectors)[2]


@tangent_template(rt.eigh_grad, name="rt.eigh_grad")
def rt_eigh_grad_tangent(y, g, a, ans, UPLO="L", vectors=True):
    t[y] = rt.eigh_grad_tangent(t[g], t[a], t[ans], g, a, ans, UPLO, vectors)


@adjoint_template(rt.fft_grad, name="rt.fft_grad", convention="linear in g; a is read for its length and kind")
def rt_fft_grad(y, g, a, n=None, axis=-1, norm=None, inverse=False):
    d[g] = rt.fft_grad_transpose(d[y], g, a, n, axis, norm, inverse)


@tangent_template(rt.fft_grad, name="rt.fft_grad")
def rt_fft_grad_tangent(y, g, a, n=None, axis=-1, norm=None, inverse=False):
    t[y] = rt.fft_grad(t[g], a, n, axis, norm, inverse)


@adjoint_template(rt.rfft_grad, name="rt.rfft_grad", convention="linear in g; a is read for its length")
def rt_rfft_grad(y, g, a, n=None, axis=-1, norm=None):
    d[g] = rt.rfft_grad_transpose(d[y], g, a, n, axis, norm)


@tangent_template(rt.rfft_grad, name="rt.rfft_grad")
def rt_rfft_grad_tangent(y, g, a, n=None, axis=-1, norm=None):
    t[y] = rt.rfft_grad(t[g], a, n, axis, norm)


@adjoint_template(rt.irfft_grad, name="rt.irfft_grad", convention="linear in the real g; a is read for its length and kind")
def rt_irfft_grad(y, g, a, n=None, axis=-1, norm=None):
    d[g] = rt.irfft_grad_transpose(d[y], g, a, n, axis, norm)


@tangent_template(rt.irfft_grad, name="rt.irfft_grad")
def rt_irfft_grad_tangent(y, g, a, n=None, axis=-1, norm=None):
    t[y] = rt.irfft_grad(t[g], a, n, axis, norm)


@adjoint_template(rt.imag_grad, name="rt.imag_grad", convention="linear in g; x is read for its kind")
def rt_imag_grad(y, g, x):
    d[g] = rt.imag_grad_transpose(d[y], g, x)


@tangent_template(rt.imag_grad, name="rt.imag_grad")
def rt_imag_grad_tangent(y, g, x):
    t[y] = rt.imag_grad(t[g], x)


@adjoint_template(rt.imag_grad_transpose, name="rt.imag_grad_transpose", convention="linear in w: Im(w), whose transpose is imag_grad")
def rt_imag_grad_transpose(y, w, g, x):
    d[w] = rt.real_like(rt.imag_grad(d[y], x), w)


@tangent_template(rt.imag_grad_transpose, name="rt.imag_grad_transpose")
def rt_imag_grad_transpose_tangent(y, w, g, x):
    t[y] = rt.imag_grad_transpose(t[w], g, x)


@adjoint_template(rt.matrix_power_grad, name="rt.matrix_power_grad", convention="a negative power needs an invertible matrix")
def rt_matrix_power_grad(y, g, a, n):
    d[g] = rt.matrix_power_tangent(d[y], a, n)
    d[a] = rt.matrix_power_grad_da(g, a, d[y], n)


@tangent_template(rt.matrix_power_grad, name="rt.matrix_power_grad")
def rt_matrix_power_grad_tangent(y, g, a, n):
    t[y] = rt.matrix_power_grad(t[g], a, n) + rt.matrix_power_grad_da(g, a, t[a], n)


@adjoint_template(rt.multi_dot_grad, name="rt.multi_dot_grad", tuple_result=True)
def rt_multi_dot_grad(y, g, arrays):
    d[g] = rt.multi_dot_tangent(arrays, d[y])
    d[arrays] = rt.multi_dot_grad_da(g, arrays, d[y])


@tangent_template(rt.multi_dot_grad, name="rt.multi_dot_grad")
def rt_multi_dot_grad_tangent(y, g, arrays):
    t[y] = rt.multi_dot_grad_tangent(t[g], g, arrays, t[arrays])


# ----- special functions the first-order rules of math.gamma/lgamma and np.i0 call -----

@adjoint_template(rt.digamma, name="rt.digamma")
def rt_digamma(y, x):
    d[x] = d[y] * rt.scipy_special.polygamma(1, x)


@tangent_template(rt.digamma, name="rt.digamma")
def rt_digamma_tangent(y, x):
    t[y] = t[x] * rt.scipy_special.polygamma(1, x)


@adjoint_template(rt.i0_slope, name="rt.i0_slope", convention="i1'(x) = i0(x) - i1(x) / x, 1/2 at 0")
def rt_i0_slope(y, x):
    d[x] = d[y] * rt.i1_slope(x)


@tangent_template(rt.i0_slope, name="rt.i0_slope")
def rt_i0_slope_tangent(y, x):
    t[y] = t[x] * rt.i1_slope(x)


# ----- the complex helpers of abs, angle and the final cast (JAX/autograd convention) -----


@adjoint_template(rt.conj, name="rt.conj", convention="as np.conj")
def rt_conj(y, x):
    d[x] = rt.real_like(rt.conj(d[y]), x)


@tangent_template(rt.conj, name="rt.conj")
def rt_conj_tangent(y, x):
    t[y] = rt.conj(t[x])


@adjoint_template(rt.conj_sign, name="rt.conj_sign", convention="conj(x)/|x|, 0 at 0; piecewise constant for a real x")
def rt_conj_sign(y, x):
    d[x] = rt.conj_sign_derivative(d[y], x)


@tangent_template(rt.conj_sign, name="rt.conj_sign")
def rt_conj_sign_tangent(y, x):
    t[y] = rt.conj_sign_derivative(t[x], x)


@adjoint_template(rt.angle_grad, name="rt.angle_grad", convention="-1j Re(g) / z: linear in g, holomorphic in z")
def rt_angle_grad(y, g, z, deg=False):
    d[g] = rt.angle_grad_transpose(d[y], g, z, deg)
    d[z] = rt.real_like(-rt.masked_div(rt.angle_grad(g, z, deg) * d[y], z), z)


@tangent_template(rt.angle_grad, name="rt.angle_grad")
def rt_angle_grad_tangent(y, g, z, deg=False):
    t[y] = rt.angle_grad(t[g], z, deg) - rt.masked_div(rt.angle_grad(g, z, deg) * t[z], z)


@adjoint_template(rt.float_like, name="rt.float_like", convention="the real part for a real x, cast and broadcast like x")
def rt_float_like(y, g, x):
    d[g] = rt.unbroadcast(rt.real_like(rt.real_like(d[y], y), g), g)


@tangent_template(rt.float_like, name="rt.float_like")
def rt_float_like_tangent(y, g, x):
    t[y] = rt.float_like(t[g], x)
