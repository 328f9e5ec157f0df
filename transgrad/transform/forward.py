"""Forward mode: tangent statements beside the primal ones, control flow kept in place.

Input: a normalized function (see normalize/) with its sites and activity.
Output: the same statements, each active assignment joined by the assignment
of its target's tangent, from which emit/ assembles `def jvp_f(x_dot, x, ...)`
returning `(value, value_dot)`. `if`, `for` and `while` keep their shape and
run once, so nothing is recorded: there is no tape.

Names: the tangent of `x` is `x_dot` (Newton's dot, ẋ), so it never reads as
the reverse mode's gradient `dx`.

Which variables have a tangent is tracked statically along the code (State):
a variable that no `wrt` input reaches has no tangent variable at all, and
the rules that read it drop its terms (syntax/tangent_templates.py). Only
active statements (varied and useful, analysis/activity.py) get tangent code.
Where control flow joins a path on which a variable has a tangent with one on
which it has none, the second path gets an explicit zero
(`x_dot = rt.zero_tangent(x)`): before a loop for loop-carried variables, at
the end of a branch for branches.

Tangents follow the primal's aliasing: `y = x` gives `y_dot = x_dot`, so an
in-place update (`x[i] = v`, `items.append(v)`) first makes the tangent a
buffer of its own (`rt.owned`) unless the compiler knows it already is one.
"""
import gast

from transgrad.errors import NonDifferentiableError
from transgrad.rules import registry
from transgrad.syntax import build
from transgrad.syntax.tangent_templates import RESULT, instantiate_tangent
from transgrad.syntax.templates import TemplateError, bind
from transgrad.syntax.walk import walk
from transgrad.transform.adjoints import word


class State:
    """tangents: {name: owned} for the variables that have a tangent here (owned: the tangent is a
    buffer no other variable refers to); defined: primal names assigned on every path to here."""

    def __init__(self, tangents=None, defined=()):
        self.tangents = dict(tangents or {})
        self.defined = set(defined)

    def copy(self):
        return State(self.tangents, self.defined)


class Forward:
    def __init__(self, function_node, parsed, sites, activity, wrt, namer, free_names, link_call, depths,
                 output, ranks=None):
        self.node = function_node
        self.parsed = parsed
        self.site_of = {id(site.stmt): site for site in sites}
        self.activity = activity
        self.wrt = list(wrt)
        self.params = [a.id for a in function_node.args.args + function_node.args.kwonlyargs]
        self.namer = namer
        self.free = free_names
        self.link_call = link_call
        self.depths = depths
        self.output = output
        self.ranks = ranks or {}
        self.tangent_names = {}
        self.helpers = {}           # name in generated code -> object (tg.adjoint rules)
        self.links = {}             # site stmt id -> (jvp function name, wrt argument names)
        self._tangent_rules = {}

    def run(self):
        tangent_params = [self.tangent(p) for p in self.wrt]
        state = State({p: False for p in self.wrt}, self.params)
        body = [s for s in self.node.body if not isinstance(s, gast.Return)]
        code, state = self.block(body, state)
        output = _output(self.node)
        if isinstance(output, gast.Name) and output.id in state.tangents:
            tangent_out = build.name(self.tangent(output.id))
        else:
            tangent_out = build.call(self.rt("zero_tangent"), build.clone(output))
        return ForwardResult(code, tangent_params, output, tangent_out, self)

    # ----- names -----

    def tangent(self, name):
        if name not in self.tangent_names:
            self.tangent_names[name] = self.namer.fresh(f"{name}_dot")
        return self.tangent_names[name]

    def rt(self, attribute):
        return build.dotted(f"{self.free['rt']}.{attribute}")

    def zero(self, name, like=None):
        """`x_dot = rt.zero_tangent(x)`, or `x_dot = 0.0` for a number (analysis/ranks.py)."""
        if self.ranks.get(name) == 0 and self.depths.get(name) == 0:
            return build.assign(self.tangent(name), build.const(0.0), like=like)
        return build.assign(self.tangent(name), build.call(self.rt("zero_tangent"), build.name(name)), like=like)

    # ----- blocks and control flow -----

    def block(self, stmts, state):
        out = []
        for stmt in stmts:
            code, state = self.statement(stmt, state)
            out.extend(code)
        return out, state

    def statement(self, stmt, state):
        if isinstance(stmt, gast.Assign) or id(stmt) in self.site_of:
            return self.assignment(self.site_of[id(stmt)], state)
        if isinstance(stmt, gast.If):
            return self.branch(stmt, state)
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt, state)
        if isinstance(stmt, gast.With):
            body, state = self.block(stmt.body, state)
            return [build.located(gast.With(items=stmt.items, body=body, type_comment=None), stmt)], state
        return [stmt], state

    def branch(self, stmt, state):
        body, body_state = self.block(stmt.body, state.copy())
        orelse, else_state = self.block(stmt.orelse, state.copy())
        if _leaves(stmt.body):
            joined = else_state
        elif _leaves(stmt.orelse):
            joined = body_state
        else:
            joined = self.join(body_state, body, else_state, orelse, stmt)
        return [build.if_(stmt.test, body or [gast.Pass()], orelse, like=stmt)], joined

    def join(self, a, a_code, b, b_code, like):
        """The state after two paths meet; a variable with a tangent on one path only gets a zero
        tangent at the end of the other (when it is defined there: otherwise no run reaches the
        join through that path and then reads it)."""
        joined = State(defined=a.defined & b.defined)
        for name in a.tangents.keys() | b.tangents.keys():
            owned = True
            for state, code in ((a, a_code), (b, b_code)):
                if name in state.tangents:
                    owned = owned and state.tangents[name]
                elif name in state.defined:
                    code.append(self.zero(name, like))
            joined.tangents[name] = owned
        return joined

    def loop(self, stmt, state):
        """Iterate the body to a fixed point of the tangents at the loop head, then emit it once;
        loop-carried variables that gain a tangent in the body get a zero one before the loop."""
        entry, before = state.copy(), []
        target = stmt.target.id if isinstance(stmt, gast.For) else None
        if target is not None:
            entry.tangents.pop(target, None)
        head = entry
        for _ in range(len(self.site_of) + 2):
            names = set(self.namer.taken)
            inner = head.copy()
            if target is not None:
                inner.defined.add(target)
            _, end = self.loop_body(stmt.body, inner, head)
            self.restore_names(names)
            merged = State({n: head.tangents.get(n, True) and end.tangents.get(n, True)
                            for n in head.tangents.keys() | end.tangents.keys()}, entry.defined)
            # a tangent the body makes its own buffer: copy it once before the loop
            for name, owned in end.tangents.items():
                if owned and not merged.tangents[name] and name in entry.tangents:
                    merged.tangents[name] = True
            if merged.tangents == head.tangents:
                break
            head = merged
        for name, owned in head.tangents.items():
            if name not in entry.tangents and name in entry.defined:
                before.append(self.zero(name, stmt))
            elif name in entry.tangents and owned and not entry.tangents[name]:
                before.append(build.assign(self.tangent(name), build.call(self.rt("owned"),
                                                                          build.name(self.tangent(name))), stmt))
        inner = head.copy()
        if target is not None:
            inner.defined.add(target)
        body, _ = self.loop_body(stmt.body, inner, head)
        if isinstance(stmt, gast.For):
            loop = gast.For(target=stmt.target, iter=stmt.iter, body=body, orelse=[], type_comment=None)
        else:
            loop = gast.While(test=stmt.test, body=body, orelse=[])
        after = head.copy()
        after.defined = set(entry.defined)
        return before + [build.located(loop, stmt)], after

    def restore_names(self, taken):
        """Forget the temporaries' names of a trial pass over a loop body, keeping the tangents',
        the helpers' and the linked callees' names for good."""
        self.namer.taken = set(taken) | set(self.tangent_names.values()) | set(self.helpers)
        self.namer.taken |= {link[0] for link in self.links.values()}

    def loop_body(self, stmts, state, head):
        """(code, state at the end): variables the body leaves without a tangent that has one
        at the head get a zero tangent at the end of the body (before its exit test)."""
        exit_test = stmts[-1:] if stmts and _is_exit_test(stmts[-1]) else []
        code, end = self.block(stmts[:len(stmts) - len(exit_test)], state)
        for name in head.tangents:
            if name not in end.tangents and name in end.defined:
                code.append(self.zero(name, stmts[-1]))
                end.tangents[name] = True
        return code + exit_test, end

    # ----- assignments -----

    def assignment(self, site, state):
        stmt, op, target = site.stmt, site.operation, site.target
        carried = [n for n in op.operands if n in state.tangents]
        if op.kind == "constant" or not carried or not self.activity.is_active_statement(site):
            if op.kind not in ("setitem", "append", "extend", "mutation"):
                state.tangents.pop(target, None)
            elif target in state.tangents and not self.activity.is_active_statement(site):
                state.tangents.pop(target, None)
            state.defined.add(target)
            return [stmt], state
        kind = op.kind
        if kind in ("setitem", "append", "extend"):
            return self.in_place(site, state), state
        if kind == "call":
            code = self.call(site, state)
        elif kind == "rule" and op.rule.kind == "callable":
            code = [stmt, self.located(self.callable_rule(site, state), stmt)]
        elif kind == "rule":
            code = self.template(site, state)
        else:
            code = [stmt, build.assign(self.tangent(target), self.structural(site, state), like=stmt)]
            if kind == "copy":
                state.tangents[op.operands[0]] = False
        if code is None:   # every tangent term was zero
            state.tangents.pop(target, None)
            state.defined.add(target)
            return [stmt], state
        state.tangents[target] = kind == "display"
        state.defined.add(target)
        return code, state

    def located(self, stmt, like):
        return build.located(stmt, like)

    def structural(self, site, state):
        """The tangent of a copy, subscript, attribute of a plain object or display."""
        value, kind = site.stmt.value, site.operation.kind
        if kind == "copy":
            return build.name(self.tangent(value.id))
        if kind == "subscript":
            return gast.Subscript(value=build.name(self.tangent(value.value.id)), slice=build.clone(value.slice),
                                  ctx=gast.Load())
        if kind == "getattr":
            return gast.Attribute(value=build.name(self.tangent(value.value.id)), attr=value.attr, ctx=gast.Load())
        if isinstance(value, gast.Dict):
            return gast.Dict(keys=[build.clone(k) for k in value.keys],
                             values=[self.tangent_or_zero(v, state) for v in value.values])
        return type(value)(elts=[self.tangent_or_zero(e, state) for e in value.elts], ctx=gast.Load())

    def tangent_or_zero(self, atom, state):
        if isinstance(atom, gast.Name) and atom.id in state.tangents:
            return build.name(self.tangent(atom.id))
        return build.call(self.rt("zero_tangent"), build.clone(atom))

    def in_place(self, site, state):
        """x[index] = v, items.append(v), items.extend(vs): the same update on the tangent buffer."""
        stmt, target = site.stmt, site.target
        code = []
        if target not in state.tangents:
            code.append(self.zero(target, stmt))
        elif not state.tangents[target]:
            code.append(build.assign(self.tangent(target), build.call(self.rt("owned"),
                                                                      build.name(self.tangent(target))), stmt))
        state.tangents[target] = True
        code.append(stmt)
        if site.operation.kind == "setitem":
            value = stmt.value
            if isinstance(value, gast.Name) and value.id in state.tangents:
                new = build.name(self.tangent(value.id))
            elif self.depths.get(target) == 0:
                new = build.const(0.0)
            else:
                new = build.call(self.rt("zero_tangent"), build.clone(value))
            slot = gast.Subscript(value=build.name(self.tangent(target)), slice=build.clone(stmt.targets[0].slice),
                                  ctx=gast.Store())
            code.append(build.located(gast.Assign(targets=[slot], value=new, type_comment=None), stmt))
        else:
            call = stmt.value
            update = build.call(build.attribute(build.name(self.tangent(target)), call.func.attr),
                                self.tangent_or_zero(call.args[0], state))
            code.append(build.expr_stmt(update, like=stmt))
        return code

    def call(self, site, state):
        """y = helper(a, b): `y, y_dot = jvp_helper(a_dot, a, b)`, the helper's own forward mode."""
        stmt, op = site.stmt, site.operation
        carried = {n for n in op.operands if n in state.tangents}
        jvp_name, arg_names = self.link(site, carried)
        call = build.clone(stmt.value)
        call.func = build.name(jvp_name)
        call.args = [build.name(self.tangent(a)) for a in arg_names] + call.args
        targets = gast.Tuple(elts=[build.name(site.target, store=True),
                                   build.name(self.tangent(site.target), store=True)], ctx=gast.Store())
        return [build.located(gast.Assign(targets=[targets], value=call, type_comment=None), stmt)]

    def link(self, site, carried):
        key = id(site.stmt)
        if key not in self.links:
            op = site.operation
            self.links[key] = self.link_call(op.callee, op.args, op.keywords, carried, site)
        return self.links[key]

    def callable_rule(self, site, state):
        """A tg.adjoint rule: its JVP computed column by column through its VJP (rt.jvp_by_vjp)."""
        op = site.operation
        rule_name = self.namer.fresh(f"{word(op.label)}_adjoint")
        self.helpers[rule_name] = op.rule.function
        tangents = gast.Tuple(elts=[build.name(self.tangent(a.id)) if isinstance(a, gast.Name)
                                    and a.id in state.tangents else build.const(None) for a in op.args],
                              ctx=gast.Load())
        call = build.call(self.rt("jvp_by_vjp"), build.name(rule_name), build.name(site.target),
                          gast.Tuple(elts=[build.clone(a) for a in op.args], ctx=gast.Load()), tangents,
                          keywords=[gast.keyword(arg=k.arg, value=build.clone(k.value)) for k in op.keywords])
        return build.assign(self.tangent(site.target), call)

    def tangent_rule(self, site):
        rule = site.operation.rule
        if id(rule) not in self._tangent_rules:
            self._tangent_rules[id(rule)] = registry.lookup_tangent(rule)
        tangent_rule = self._tangent_rules[id(rule)]
        if tangent_rule is None:
            raise NonDifferentiableError(site.operation.label, self.parsed.span(site.stmt),
                                         "transgrad has an adjoint rule for it but no tangent rule, so forward "
                                         "mode (tg.jvp) cannot differentiate it; use tg.vjp")
        return tangent_rule

    def template(self, site, state):
        """A rule's tangent template with the user's names, placed so it reads the right values."""
        stmt, op, target = site.stmt, site.operation, site.target
        if op.label == "+" and any((self.depths.get(getattr(a, "id", None)) or 0) > 0 for a in op.args):
            return [stmt, build.assign(self.tangent(target), gast.BinOp(
                left=self.tangent_or_zero(op.args[0], state), op=gast.Add(),
                right=self.tangent_or_zero(op.args[1], state)), like=stmt)]   # list or tuple concatenation

        def tangent_of(atom):
            return self.tangent(atom.id) if isinstance(atom, gast.Name) and atom.id in state.tangents else None

        try:
            instance = instantiate_tangent(self.tangent_rule(site), op.args, op.keywords, tangent_of, self.namer,
                                           self.free)
        except TemplateError as error:
            raise NonDifferentiableError(op.label, self.parsed.span(site.stmt), str(error)) from None
        if instance.expression is None:
            return None
        instance.expression = self.full_shape(site, instance)
        code = instance.statements(self.tangent(target))
        reads = {n.id for s in code for n in walk(s.value) if isinstance(n, gast.Name)}
        if target not in op.operands or target not in reads:
            return [stmt] + [self.named(s, RESULT, target, stmt) for s in code]
        if RESULT not in reads:   # x = f(x): the tangent reads the old x, so it goes first
            return [build.located(s, stmt) for s in code] + [stmt]
        before = self.namer.fresh(f"{target}_before")
        code = [self.named(self.named(s, target, before, stmt), RESULT, target, stmt) for s in code]
        return [build.assign(before, build.name(target), like=stmt), stmt] + code

    def named(self, stmt, old, new, like):
        for node in walk(stmt.value):
            if isinstance(node, gast.Name) and node.id == old:
                node.id = new
        return build.located(stmt, like)

    def full_shape(self, site, instance):
        """An elementwise rule whose surviving terms no longer mention every operand may have lost
        the broadcast shape (`z = x + c` with only x varying: z_dot = x_dot, shaped like x). Unless
        the operands it lost are numbers (analysis/ranks.py), broadcast it to the result's shape."""
        op, value = site.operation, site.stmt.value
        expression = instance.expression
        elementwise = (isinstance(value, gast.BinOp) and not isinstance(value.op, gast.MatMult)) or (
            isinstance(value, gast.Call) and registry.is_elementwise(op.rule))
        if not elementwise or self.ranks.get(site.target) == 0:
            return expression
        names = {n.id for s in instance.temps + [expression] for n in walk(s) if isinstance(n, gast.Name)}
        lost = [a for a in op.args + [k.value for k in op.keywords]
                if not (isinstance(a, gast.Name) and (a.id in names or self.tangent_names.get(a.id) in names))]
        if all(self._number(a) for a in lost):
            return expression
        return build.call(self.rt("broadcast_tangent"), expression, build.name(RESULT))

    def _number(self, atom):
        if isinstance(atom, gast.Constant):
            return atom.value is None or type(atom.value) in (int, float, bool, str)
        return isinstance(atom, gast.Name) and self.ranks.get(atom.id) == 0


class ForwardResult:
    """The statements with their tangents, and what emit/ needs to assemble the jvp function."""

    def __init__(self, body, tangent_params, output, tangent_out, forward):
        self.body = body
        self.tangent_params = tangent_params
        self.output = output
        self.tangent_out = tangent_out
        self.helpers = forward.helpers
        self.free = forward.free


def _output(node):
    last = node.body[-1] if node.body else None
    return last.value if isinstance(last, gast.Return) and last.value is not None else build.const(None)


def _leaves(stmts):
    return bool(stmts) and isinstance(stmts[-1], (gast.Break, gast.Continue, gast.Return))


def _is_exit_test(stmt):
    return isinstance(stmt, gast.If) and len(stmt.body) == 1 and isinstance(stmt.body[0], gast.Break)


def bind_wrt(callee, args, keywords, carried):
    """(wrt parameter names, argument names) of a call to a user function whose arguments in
    `carried` have tangents."""
    import inspect
    mapping = bind(inspect.signature(callee), args, keywords)
    wrt = [p for p, a in mapping.items() if isinstance(a, gast.Name) and a.id in carried]
    return wrt, [mapping[p].id for p in wrt]
