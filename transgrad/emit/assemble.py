"""Assemble the two sweeps into the functions a user calls.

joint ("grad"):   def grad_f(x, ...): primal; seed; adjoint; return dx
split ("vjp"):    def f_forward(x, ...): primal; return out, saved
                  def f_backward(saved, dout): unpack; adjoint; return (dx, ...)
"""
import gast

from transgrad.emit.codegen import function_def, mark_lines
from transgrad.optimize.broadcast import ImplicitBroadcasts, array_attributes, read_shapes_from_parameters
from transgrad.optimize.copies import propagate_copies
from transgrad.optimize.dce import remove_dead_resets
from transgrad.optimize.liveness import remove_faint, sweep
from transgrad.optimize.loops import close_scaling_loops
from transgrad.optimize.stand_ins import stand_in_for_shapes
from transgrad.optimize.reuse import free_dead_arrays, reuse_dead_operands
from transgrad.optimize.fold import fold
from transgrad.syntax import build


def _prologue(result):
    stmts = [build.assign(name, build.const(None)) for name in result.none_inits]
    if result.stack:
        stmts.append(build.assign(result.stack, gast.List(elts=[], ctx=gast.Load())))
    return stmts


def _unbound_saved(saved, node, primal, result):
    """`name = None` for each saved name that only a loop or a branch assigns: the forward returns
    every saved value, and a loop that runs zero times (or a branch not taken) leaves it unbound."""
    parameters = {a.id for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
    parameters |= {a.id for a in (node.args.vararg, node.args.kwarg) if a is not None}
    top_level = {t.id for stmt in primal if isinstance(stmt, gast.Assign)
                 for target in stmt.targets for t in gast.walk(target) if isinstance(t, gast.Name)}
    skip = parameters | top_level | set(result.none_inits) | {result.stack}
    return [build.assign(name, build.const(None)) for name in saved if name not in skip]


def _gradient_inits(result, skip=()):
    primal_of = {d: p for p, d in result.adjoint_names.items()}
    inits = []
    for name in result.nullable:
        if name in skip:
            continue
        kind = result.zero_started.get(name)
        if kind == "buffer":
            value = build.call(build.dotted(f"{result.free['rt']}.zeros_like"), build.name(primal_of[name]))
        else:
            value = build.const(0.0 if kind == "number" else None)
        inits.append(build.assign(name, value))
    return inits


def _results(result, as_tuple):
    if as_tuple or len(result.results) != 1:
        return gast.Tuple(elts=list(result.results), ctx=gast.Load())
    return result.results[0]


def _output(node):
    last = node.body[-1] if node.body else None
    return last.value if isinstance(last, gast.Return) and last.value is not None else build.const(None)


def joint(name, node, result, rt_name, preserve_result, tuple_wrt):
    """The gradient as one function: primal sweep, seed, adjoint sweep."""
    primal = [s for s in result.primal if not isinstance(s, gast.Return)]
    output = _output(node)
    scalar_output = isinstance(output, gast.Name) and result.ranks.get(output.id) == 0
    seed = []
    if result.output_adjoint:
        # a rank-0 output (analysis/ranks.py) needs no check: its gradient with respect to itself is 1
        value = build.const(1.0) if scalar_output else build.call(build.dotted(f"{rt_name}.scalar_seed"), output)
        seed.append(build.assign(result.output_adjoint, value))
    elif not preserve_result and not scalar_output:
        seed.append(build.expr_stmt(build.call(build.dotted(f"{rt_name}.scalar_seed"), output)))
    grads = _results(result, tuple_wrt)
    returned = gast.Return(value=gast.Tuple(elts=[output, grads], ctx=gast.Load()) if preserve_result else grads)
    adjoint = seed + _gradient_inits(result, skip={result.output_adjoint})
    adjoint += propagate_copies(fold(close_scaling_loops(remove_dead_resets(result.adjoint, [returned]), rt_name),
                                     result.free["np"]), [returned])
    tail = [returned]
    adjoint, implicit = _broadcast_lazily(adjoint, tail, result)
    returned = tail[0]
    live, _ = sweep(adjoint + [returned], set(), lambda stmt: False)
    primal = dead_primal(primal, live, result.pure)
    primal = stand_in_for_shapes(primal, adjoint + [returned], result.elementwise, result.ranks,
                                 result.free["np"], rt_name)
    params = {a.id for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
    is_number, is_array = _rank_tests(result, implicit)
    adjoint = array_attributes(adjoint, result.free["np"], is_array)
    body = reuse_dead_operands(_prologue(result) + mark_lines(primal, skip=node.lineno) + adjoint, [returned],
                               params, is_number, is_array, result.free["np"], rt_name)
    body = free_dead_arrays(body, [returned], params, is_array, result.free["np"], rt_name)
    body.append(returned)
    return function_def(name, node.args, body, like=node)


def _rank_tests(result, implicit):
    """(is_number, is_array): is an expression of the generated code surely a number (rank 0), is a
    name surely an array (rank 1 or more)? Gradients have their variable's rank, except those kept
    as implicitly broadcast numbers (optimize/broadcast.py); literals, np.size and arithmetic of
    numbers are numbers."""
    primal_of = {d: p for p, d in result.adjoint_names.items()}

    def is_array(node):
        rank = result.ranks.get(primal_of.get(node.id, node.id)) if isinstance(node, gast.Name) else None
        return rank is not None and rank >= 1 and node.id not in implicit

    def is_number(node):
        if isinstance(node, gast.Constant):
            return type(node.value) in (int, float)
        if isinstance(node, gast.Name):
            return node.id in implicit or result.ranks.get(primal_of.get(node.id, node.id)) == 0
        if isinstance(node, gast.BinOp):
            return is_number(node.left) and is_number(node.right)
        if isinstance(node, gast.UnaryOp):
            return is_number(node.operand)
        return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
                and isinstance(node.func.value, gast.Name) and node.func.value.id == result.free["np"]
                and node.func.attr in ("size", "ndim"))
    return is_number, is_array


def _broadcast_lazily(adjoint, tail, result):
    """optimize/broadcast.py with what the analyses know: ranks, and which variables have the
    shape of a parameter (a gradient has the shape of its variable)."""
    np_name, rt_name = result.free["np"], result.free["rt"]
    primal_of = {d: p for p, d in result.adjoint_names.items()}
    sources = {name: source for name, source in result.shape_sources.items() if name != source}
    read_shapes_from_parameters(adjoint, sources, np_name, rt_name)

    is_scalar, _ = _rank_tests(result, implicit=set())   # the pass tracks its own implicit numbers

    def has_shape(node, shape):
        if not (isinstance(node, gast.Name) and isinstance(shape, gast.Call) and len(shape.args) == 1
                and isinstance(shape.args[0], gast.Name)):
            return False
        return result.shape_sources.get(primal_of.get(node.id, node.id)) == shape.args[0].id

    def not_a_container(node):
        return isinstance(node, gast.Name) and result.depths.get(primal_of.get(node.id, node.id)) == 0

    broadcasts = ImplicitBroadcasts(np_name, is_scalar, has_shape, not_a_container, rt_name)
    return broadcasts.run(adjoint, tail), set(broadcasts.implicit)


def dead_primal(primal, live, pure):
    """The primal without the pure assignments (pure: statement ids) that nothing after them reads:
    in a gradient function, values only the returned result needed (z = y * y * 3 before
    out = z.mean(), when the gradient needs y alone)."""
    return remove_faint(primal, live, lambda stmt: id(stmt) in pure)


def split(forward_name, backward_name, node, result, saved_name):
    """The forward function (returns the value and what the backward reads) and the backward."""
    saved = list(result.recorded) + ([result.stack] if result.stack else [])
    primal = [s for s in result.primal if not isinstance(s, gast.Return)]
    forward_body = _prologue(result) + _unbound_saved(saved, node, primal, result) + mark_lines(primal, skip=node.lineno)
    saved_tuple = gast.Tuple(elts=[build.name(n) for n in saved], ctx=gast.Load())
    value = _output(node)
    if isinstance(value, gast.Name) and value.id in result.restored_in_place:
        # the backward puts this object back in place; the caller keeps an untouched copy
        value = build.call(build.attribute(build.name(value.id), "copy"))
    forward_body.append(gast.Return(value=gast.Tuple(elts=[value, saved_tuple], ctx=gast.Load())))
    forward = function_def(forward_name, node.args, forward_body, like=node)

    cotangent = result.output_adjoint or "cotangent"
    backward_body = []
    if saved:
        targets = gast.Tuple(elts=[build.name(n, store=True) for n in saved], ctx=gast.Store())
        backward_body.append(gast.Assign(targets=[targets], value=build.name(saved_name), type_comment=None))
    if result.stack:
        backward_body.append(build.assign(result.stack, build.call("list", build.name(result.stack))))
    backward_body += _gradient_inits(result, skip={result.output_adjoint})
    returned = gast.Return(value=_results(result, True))
    backward_body += propagate_copies(fold(close_scaling_loops(remove_dead_resets(result.adjoint, [returned]),
                                                               result.free["rt"]), result.free["np"]), [returned])
    backward_body.append(returned)
    backward = function_def(backward_name, [saved_name, cotangent], backward_body, like=node)
    return forward, backward


def jvp(name, node, result):
    """Forward mode as one function: `def jvp_f(x_dot, x, ...)`, the primal statements with their
    tangents beside them, returning `(value, value_dot)`. The tangent parameters come first, so the
    user's defaults still line up with the user's parameters."""
    user = node.args
    args = gast.arguments(args=[build.name(p) for p in result.tangent_params] + [build.name(a.id) for a in user.args],
                          posonlyargs=[], vararg=None, kwonlyargs=[build.name(a.id) for a in user.kwonlyargs],
                          kw_defaults=[None] * len(user.kwonlyargs), kwarg=None, defaults=[])
    for arg in args.args + args.kwonlyargs:
        arg.ctx = gast.Param()
    returned = gast.Return(value=gast.Tuple(elts=[result.output, result.tangent_out], ctx=gast.Load()))
    body = mark_lines(result.body, skip=node.lineno) + [returned]
    return function_def(name, args, body, like=node)
