"""The adjoint of one assignment `t = op(a, b, ...)`, assuming the gradient of t is not zero.

Each kind of operation (analysis/operations.py) gives contributions, pairs of
(operand, expression for its gradient): a copy passes the gradient on, a
template rule is inlined with the user's names, a tg.adjoint rule is called,
a display hands out its items' gradients, a user function's backward is
called with what its forward saved, a subscript accumulates into a buffer the
adjoint owns. `accumulate` turns a contribution into an assignment, an
addition or an `rt.add` depending on what is known about the gradient
(transform/state.py).
"""
import gast

from transgrad.errors import NonDifferentiableError
from transgrad.rules import registry
from transgrad.syntax import build
from transgrad.syntax.templates import TemplateError, instantiate
from transgrad.syntax.walk import walk
from transgrad.transform.state import OWNED, ZERO, Fact


_NONE_FOR_NONE = {"grad_like", "getitem", "rule_tuple_grad"}   # runtime helpers: None in, None out


class AssignmentAdjoints:
    """Mixed into Reverse: expects adjoint(), rt(), namer, free, activity, alias, depths, link()."""


    def adjoint_assignment(self, site, state):
        target = site.target
        d_target = self.adjoint(target)
        fact = state.fact(d_target)
        state = state.copy()
        if fact.zero:
            return [], state
        inner_state = state.copy()
        inner_state[d_target] = Fact(False, True, fact.shared)
        code = self.contributions(site, inner_state)
        if fact.none and not code:
            inner_state[d_target] = fact
            self.kill(target, inner_state, code)
            return code, inner_state
        if fact.none:
            guarded = [build.if_(gast.Compare(left=build.name(d_target), ops=[gast.IsNot()],
                                              comparators=[build.const(None)]), code, like=site.stmt)]
            if target not in site.operation.operands:
                self.kill(target, inner_state, code)
            state = state.join(inner_state)
            self.note_nullable(state)
            code = guarded
            if target not in site.operation.operands:
                self.kill(target, state, code)
            return code, state
        if target not in site.operation.operands:
            self.kill(target, inner_state, code)
        return code, inner_state

    def reassigned(self, name):
        sites = self.sites_by_name.get(name, [])
        return len(sites) > 1 or any(s.loop_depth > 0 for s in sites) or name in self.params

    def kill(self, name, state, code):
        d_name = self.adjoint(name)
        if not self.reassigned(name) or state.fact(d_name).zero:
            state[d_name] = ZERO
            return
        if d_name in self.nullable:
            code.append(build.assign(d_name, build.const(None)))
        state[d_name] = ZERO

    def contributions(self, site, state):
        """Adjoint code of one active assignment, assuming its gradient is not zero."""
        op = site.operation
        d_target = self.adjoint(site.target)
        code, pairs = [], []
        if not self.activity.is_active_statement(site):
            return code
        if op.kind == "copy":
            pairs = [(op.operands[0], build.name(d_target), False)]
        elif op.kind == "rule" and op.rule.kind == "template":
            code, pairs = self.template_contributions(site)
        elif op.kind == "rule":
            code, pairs = self.callable_contributions(site)
        elif op.kind == "subscript":
            return self.subscript_contribution(site, state)
        elif op.kind == "getattr":
            return self.getattr_contribution(site, state)
        elif op.kind == "setitem":
            return self.setitem_contribution(site, state)
        elif op.kind in ("append", "extend"):
            return self.list_update_contribution(site, state)
        elif op.kind == "display":
            pairs = self.display_contributions(site)
        elif op.kind == "call":
            code, pairs = self.call_contributions(site)
        pairs = [(n, e, maybe) for n, e, maybe in pairs if self.activity.carries(site, n)]
        if site.target in [n for n, _, _ in pairs]:
            return code + self.self_update(site, pairs, state)
        for name, expression, maybe_none in pairs:
            code += self.accumulate(name, expression, state, maybe_none)
        return code

    def self_update(self, site, pairs, state):
        """`x = f(x, ...)`: compute every contribution before the old gradient of x is reset."""
        code, held = [], []
        for name, expression, maybe_none in pairs:
            if len(pairs) == 1:
                held.append((name, expression, maybe_none))
                continue
            temp = self.namer.fresh(f"{self.adjoint(name)}_part")
            code.append(build.assign(temp, expression))
            held.append((name, build.name(temp), maybe_none))
        d_target = self.adjoint(site.target)
        state[d_target] = ZERO
        for name, expression, maybe_none in held:
            code += self.accumulate(name, expression, state, maybe_none)
        return code

    def accumulate(self, name, expression, state, maybe_none=False):
        d_name = self.adjoint(name)
        fact = state.fact(d_name)
        if fact.zero:
            self.share_read_gradients(expression, state)
            state[d_name] = Fact(maybe_none, True, True)
            if maybe_none:
                self.next_nullable.add(d_name)
            return [build.assign(d_name, expression)]
        if not fact.none and not maybe_none and self.depths.get(name) == 0:
            if not fact.shared and not self.complex_values:   # a buffer only this gradient refers to: add in place
                self.share_read_gradients(expression, state)
                state[d_name] = OWNED
                return [gast.AugAssign(target=build.name(d_name, store=True), op=gast.Add(), value=expression)]
            self.share_read_gradients(expression, state)
            state[d_name] = OWNED
            return [build.assign(d_name, gast.BinOp(left=build.name(d_name), op=gast.Add(), right=expression))]
        state[d_name] = Fact(fact.none and maybe_none, True, True)
        if state[d_name].maybe:
            self.next_nullable.add(d_name)
        return [build.assign(d_name, build.call(self.rt("add"), build.name(d_name), expression))]

    def share_read_gradients(self, expression, state):
        """Gradients an expression reads may now be referred to elsewhere: no more in-place updates."""
        for node in walk(expression):
            if isinstance(node, gast.Name) and node.id in state and not state[node.id].shared:
                state[node.id] = Fact(state[node.id].none, state[node.id].value, True)

    def template_contributions(self, site):
        op = site.operation
        if op.label == "+" and any((self.depths.get(getattr(a, "id", None)) or 0) > 0 for a in op.args):
            return [], self.concatenation_contributions(site)
        try:
            args = [self.aliased(a) for a in op.args]
            keywords = [gast.keyword(arg=k.arg, value=self.aliased(k.value)) for k in op.keywords]
            instance = instantiate(op.rule, site.target, self.adjoint(site.target), args, keywords,
                                   self.namer, self.free)
        except TemplateError as error:
            raise NonDifferentiableError(op.label, self.parsed.span(site.stmt), str(error)) from None
        for arg, _ in instance.contributions:
            if not isinstance(arg, gast.Name) and any(
                    isinstance(n, gast.Name) and self.activity.carries(site, self.original(n.id)) for n in walk(arg)):
                # a rule's *args arrive as one tuple: its gradient cannot be split back to the names
                raise NonDifferentiableError(op.label, self.parsed.span(site.stmt),
                                             "a value that needs a gradient is passed among its variable "
                                             "positional arguments, which its rule does not differentiate")
        instance = instance.keep(lambda arg: isinstance(arg, gast.Name) and self.activity.carries(site, self.original(arg.id)))
        pairs = [(self.original(arg.id), self.by_rank(self.without_unbroadcast(site, arg, expr)),
                  self.may_be_none(expr)) for arg, expr in instance.contributions]
        return instance.temps, merge_identical(pairs)

    def may_be_none(self, expression):
        """Is a rule's contribution a helper that returns None for no gradient (rt.grad_like and
        rt.getitem, in the rules of the helpers generated code calls)? Then it is added as None-able
        and the statements that read it are guarded, as for a tg.adjoint rule's cotangents."""
        return (isinstance(expression, gast.Call) and isinstance(expression.func, gast.Attribute)
                and isinstance(expression.func.value, gast.Name) and expression.func.value.id == self.free["rt"]
                and expression.func.attr in _NONE_FOR_NONE)

    def without_unbroadcast(self, site, operand, expression):
        """Drop rt.unbroadcast(e, x) when x surely has the result's shape: x and the result are both
        rank 0 (analysis/ranks.py), or everything else the operation broadcasts x against is rank 0
        or x itself (y * y, x + 2, DT * dx, np.maximum(x, 0.0))."""
        if not _is_unbroadcast_of(expression, operand):
            return expression
        name = self.original(operand.id)
        if self.rank_of(name) == 0 and self.ranks.get(site.target) == 0:
            return expression.args[0]
        op = site.operation
        if not _broadcasts_elementwise(site.stmt.value, op):
            return expression
        others = [a for a in op.args + [k.value for k in op.keywords]
                  if not (isinstance(a, gast.Name) and a.id == name)]
        if all(self.rank_of(a) == 0 for a in others):
            return expression.args[0]
        return expression

    def by_rank(self, expression):
        """rt.matmul_grad_left(g, a, b) and rt.matmul_grad_right(g, a, b) as the product a person writes
        when the ranks of a and b are known (analysis/ranks.py): g @ b.T and a.T @ g for matrices,
        np.outer for a matrix and a vector. Their general form handles any ranks and broadcasting."""
        if not (isinstance(expression, gast.Call) and isinstance(expression.func, gast.Attribute)
                and expression.func.attr in ("matmul_grad_left", "matmul_grad_right")
                and len(expression.args) == 3 and all(isinstance(a, gast.Name) for a in expression.args)):
            return expression
        g, a, b = (arg.id for arg in expression.args)
        ranks = (self.rank_of(self.original(a)), self.rank_of(self.original(b)))
        outer = f"{self.free['np']}.outer"
        written = {   # (which operand, ranks of a and b) -> the product
            ("left", (2, 2)): lambda: _matmul(build.name(g), _transposed(b)),
            ("right", (2, 2)): lambda: _matmul(_transposed(a), build.name(g)),
            ("left", (2, 1)): lambda: build.call(build.dotted(outer), build.name(g), build.name(b)),
            ("right", (2, 1)): lambda: _matmul(build.name(g), build.name(a)),
            ("left", (1, 2)): lambda: _matmul(build.name(b), build.name(g)),
            ("right", (1, 2)): lambda: build.call(build.dotted(outer), build.name(a), build.name(g)),
        }.get((expression.func.attr.rsplit("_", 1)[1], ranks))
        return written() if written is not None else expression

    def rank_of(self, node_or_name):
        """The known rank of a name or a literal (analysis/ranks.py), else None."""
        if isinstance(node_or_name, str):
            return self.ranks.get(node_or_name)
        if isinstance(node_or_name, gast.Constant):
            return 0 if type(node_or_name.value) in (int, float, complex, bool) else None
        if isinstance(node_or_name, gast.Name):
            return self.ranks.get(node_or_name.id)
        return None

    def concatenation_contributions(self, site):
        """a + b on lists or tuples: each gets its slice of the result's gradient."""
        left, right = site.operation.args
        d_target = build.name(self.adjoint(site.target))
        length = build.call("len", build.clone(left)) if isinstance(left, gast.Name) else build.const(len(left.elts))
        halves = [gast.Slice(lower=None, upper=length, step=None), gast.Slice(lower=build.clone(length), upper=None,
                                                                              step=None)]
        return [(operand.id, gast.Subscript(value=build.clone(d_target), slice=half, ctx=gast.Load()), True)
                for operand, half in zip((left, right), halves) if isinstance(operand, gast.Name)]

    def callable_contributions(self, site):
        op = site.operation
        rule_name = self.rule_names.get(id(op.rule))
        if rule_name is None:
            rule_name = self.rule_names[id(op.rule)] = self.namer.fresh(f"{word(op.label)}_adjoint")
            self.helpers[rule_name] = op.rule.function
        grads = self.namer.fresh(f"{word(op.label)}_grads")
        call = build.call(self.rt("call_rule"), build.name(rule_name), build.const(len(op.args)),
                          build.name(self.adjoint(site.target)), build.name(site.target),
                          *[self.aliased(a) for a in op.args],
                          keywords=[gast.keyword(arg=k.arg, value=self.aliased(k.value)) for k in op.keywords])
        pairs = [(arg.id, build.subscript(grads, position), True) for position, arg in enumerate(op.args)
                 if isinstance(arg, gast.Name)]
        return [build.assign(grads, call)], pairs

    def display_contributions(self, site):
        value = site.stmt.value
        d_target = build.name(self.adjoint(site.target))
        if isinstance(value, gast.Dict):
            items = zip(value.keys, value.values)
            return [(v.id, gast.Subscript(value=d_target, slice=build.clone(k), ctx=gast.Load()), True)
                    for k, v in items if isinstance(v, gast.Name)]
        return [(e.id, build.subscript(build.clone(d_target), i), True) for i, e in enumerate(value.elts)
                if isinstance(e, gast.Name)]

    def call_contributions(self, site):
        _, backward, wrt_names = self.link(site)
        saved = self.control_name(site.stmt, "saved", f"{callee_word(site)}_saved")
        grads = self.namer.fresh(f"{callee_word(site)}_grads")
        code = [build.assign(grads, build.call(build.name(backward), build.name(saved),
                                               build.name(self.adjoint(site.target))))]
        pairs = [(arg, build.subscript(grads, position), False) for position, arg in enumerate(wrt_names)]
        return code, pairs

    def subscript_contribution(self, site, state):
        value = site.stmt.value
        name = value.value.id
        if not self.activity.carries(site, name):
            return []
        d_name = self.adjoint(name)
        fact = state.fact(d_name)
        code = []
        primal = build.name(self.alias.get(name, name))
        d_target = build.name(self.adjoint(site.target))
        if site.target == name:
            # x = x[index]: the new x's gradient goes into a fresh buffer for the old x
            part = self.namer.fresh(f"{d_name}_part")
            code.append(build.assign(part, d_target))
            d_target = build.name(part)
            fact = ZERO
        if fact.zero:
            code.append(build.assign(d_name, build.call(self.rt("zeros_like"), primal)))
        elif fact.shared:
            code.append(build.assign(d_name, build.call(self.rt("maybe_copy"), build.name(d_name), primal)))
        elif fact.none:
            code.append(build.assign(d_name, build.call(self.rt("buffer"), build.name(d_name), primal)))
        index = build.clone(value.slice)
        if self.depths.get(name) == 0 and self.basic_index(index) and not self.complex_values:
            slot = gast.Subscript(value=build.name(d_name), slice=index, ctx=gast.Store())
            code.append(gast.AugAssign(target=slot, op=gast.Add(), value=d_target))
        else:
            add = build.call(self.rt("add_at"), build.name(d_name), build.index_value(index), d_target)
            # rt.add_at returns the buffer, made complex when a complex term reaches a real one
            code.append(build.assign(d_name, add) if self.complex_values else build.expr_stmt(add))
        state[d_name] = OWNED
        return code

    def getattr_contribution(self, site, state):
        """t = obj.name on a plain object or a named tuple (np.linalg.qr(a).Q): accumulate into the
        object's gradient, a dict of attributes or a list of items."""
        name = site.operation.operands[0]
        attribute = site.stmt.value.attr
        if self.depths.get(name) == 0:
            raise NonDifferentiableError(f"the array attribute .{attribute}", self.parsed.span(site.stmt),
                                         "transgrad has no adjoint rule for it")
        if not self.activity.carries(site, name):
            return []
        d_name = self.adjoint(name)
        fact = state.fact(d_name)
        code = []
        if fact.zero:
            code.append(build.assign(d_name, build.call(self.rt("zeros_like"), build.name(name))))
        elif fact.shared or fact.none:
            code.append(build.assign(d_name, build.call(self.rt("maybe_copy"), build.name(d_name), build.name(name))))
        slot = build.call(self.rt("slot_of"), build.name(name), build.const(attribute))
        code.append(build.expr_stmt(build.call(self.rt("add_at"), build.name(d_name), slot,
                                               build.name(self.adjoint(site.target)))))
        state[d_name] = OWNED
        return code

    def owned_buffer(self, name, state):
        """Statements that make the gradient of `name` a buffer this code may update in place."""
        d_name = self.adjoint(name)
        fact = state.fact(d_name)
        state[d_name] = OWNED
        if fact.shared:
            return [build.assign(d_name, build.call(self.rt("maybe_copy"), build.name(d_name), build.name(name)))]
        return []

    def setitem_contribution(self, site, state):
        """x[index] = v: v gets the gradient of those slots, which then become zero."""
        stmt = site.stmt
        target, value = stmt.targets[0], stmt.value
        name = target.value.id
        d_name = self.adjoint(name)
        array = self.depths.get(name) == 0
        code = []
        if isinstance(value, gast.Name) and self.activity.carries(site, value.id):
            if array:
                # a copy: the slot may be a view, and the slots are zeroed in place next
                slot = gast.Subscript(value=build.name(d_name), slice=build.clone(target.slice), ctx=gast.Load())
                slot = build.call(build.attribute(slot, "copy"))
                code += self.accumulate(value.id, build.call(self.rt("unbroadcast"), slot, build.name(value.id)),
                                        state)
            else:
                slot = build.call(self.rt("getitem"), build.name(d_name), build.index_value(build.clone(target.slice)))
                code += self.accumulate(value.id, slot, state, maybe_none=True)
        code += self.owned_buffer(name, state)
        if array:
            store = gast.Subscript(value=build.name(d_name), slice=build.clone(target.slice), ctx=gast.Store())
            code.append(gast.Assign(targets=[store], value=build.const(0.0), type_comment=None))
        else:
            code.append(build.expr_stmt(build.call(self.rt("clear"), build.name(d_name),
                                                   build.index_value(build.clone(target.slice)))))
        return code

    def list_update_contribution(self, site, state):
        """items.append(v) / items.extend(vs): the last slots of the gradient go to v, then are dropped."""
        call = site.stmt.value
        name, argument = site.target, call.args[0]
        d_name = self.adjoint(name)
        code = self.owned_buffer(name, state) if state.fact(d_name).shared else []
        state[d_name] = OWNED
        if site.operation.kind == "append":
            tail = build.call(build.attribute(build.name(d_name), "pop"))
        else:
            tail = build.call(self.rt("unextend"), build.name(d_name), build.clone(argument))
        if isinstance(argument, gast.Name) and self.activity.carries(site, argument.id):
            if site.operation.kind == "extend":
                tail = build.call(self.rt("like"), tail, build.name(argument.id))
            return code + self.accumulate(argument.id, tail, state, maybe_none=True)
        return code + [build.expr_stmt(tail)]

    def basic_index(self, index):
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        for part in parts:
            if isinstance(part, gast.Slice):
                continue
            if isinstance(part, gast.Constant) and (part.value is None or part.value is Ellipsis
                                                    or isinstance(part.value, int)):
                continue
            if isinstance(part, gast.UnaryOp) and isinstance(part.operand, gast.Constant):
                continue
            if isinstance(part, gast.Name) and (part.id in self.loop_targets or self.ranks.get(part.id) == 0):
                continue   # a number: a loop counter, or i + 1 (analysis/ranks.py)
            return False
        return True


def _broadcasts_elementwise(value, op):
    """Operators, numpy ufuncs, math and the numeric builtins: the result has the broadcast shape of
    the operands, so with every other operand rank 0 it has the shape of the one left."""
    if isinstance(value, (gast.BinOp, gast.UnaryOp)):
        return not isinstance(getattr(value, "op", None), gast.MatMult)
    return isinstance(value, gast.Call) and op.rule is not None and registry.is_elementwise(op.rule)


def _matmul(left, right):
    return gast.BinOp(left=left, op=gast.MatMult(), right=right)


def _transposed(name):
    return gast.Attribute(value=build.name(name), attr="T", ctx=gast.Load())


def _is_unbroadcast_of(expression, operand):
    return (isinstance(expression, gast.Call) and isinstance(expression.func, gast.Attribute)
            and expression.func.attr == "unbroadcast" and len(expression.args) == 2
            and isinstance(expression.args[1], gast.Name) and expression.args[1].id == operand.id)


def merge_identical(pairs):
    """Two equal contributions to the same variable (the two operands of y * y) become one, doubled."""
    merged = []
    for name, expression, maybe in pairs:
        twin = next((i for i, (n, e, m) in enumerate(merged)
                     if n == name and gast.dump(e) == gast.dump(expression)), None)
        if twin is None:
            merged.append((name, expression, maybe))
        else:
            merged[twin] = (name, gast.BinOp(left=build.const(2), op=gast.Mult(), right=expression), maybe)
    return merged


def word(label):
    from transgrad.syntax.naming import describe
    return describe(gast.parse(label, mode="eval").body) if label and label[0].isalpha() else "rule"


def callee_word(site):
    return site.operation.callee.__name__


def target_load(target):
    """`x[index]` as an expression to read (a copy of a subscript assignment's target)."""
    return gast.Subscript(value=build.name(target.value.id), slice=build.clone(target.slice), ctx=gast.Load())
