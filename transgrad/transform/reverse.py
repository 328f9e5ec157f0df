"""Reverse mode: a primal sweep that records only what the adjoint reads, then the adjoint sweep.

Input: a normalized function (see normalize/) with its activity. Output: the
primal statements (with pushes onto one stack) and the adjoint statements
(with matching pops), from which emit/ assembles a joint gradient function
or a forward/backward pair.

Recording works by restoring: when an assignment overwrites a variable that
some adjoint statement reads, the primal pushes the old value and the adjoint
pops it back right after that assignment's adjoint, so every adjoint
statement sees the values its primal statement saw. Only variables the
adjoint reads are recorded, and only at assignments that can overwrite one
(in a loop, or a second assignment). Branches are recorded as their test's
value; `for` loops over `range` are replayed backwards with `reversed`;
`while` loops and loops that stop early count their iterations.

Gradients start as "zero" (absent) and are tracked statically (state.py): the
first contribution assigns, later ones add, and `is not None` tests appear
only where control flow joins.
"""
import copy

import gast

from transgrad.analysis.tbr import Overwrites
from transgrad.normalize.anf import local_names
from transgrad.syntax import build
from transgrad.syntax.walk import walk
from transgrad.transform.adjoints import AssignmentAdjoints, callee_word, target_load

IN_PLACE = ("setitem", "append", "extend", "mutation")
from transgrad.transform.state import OWNED, SHARED, ZERO, State


class Reverse(AssignmentAdjoints):
    def __init__(self, function_node, parsed, sites, activity, wrt, namer, free_names, link_call, depths,
                 output, ranks=None, shape_sources=None, complex_values=True):
        self.node = function_node
        self.parsed = parsed
        self.sites = sites
        self.site_of = {id(site.stmt): site for site in sites}
        self.activity = activity
        self.active = activity.active
        self.wrt = list(wrt)
        self.params = [a.id for a in function_node.args.args + function_node.args.kwonlyargs]
        self.namer = namer
        self.free = free_names
        self.link_call = link_call
        self.depths = depths
        self.ranks = ranks or {}     # analysis/ranks.py: known numbers of dimensions
        self.shape_sources = shape_sources or {}   # analysis/shapes.py: same shape as a parameter
        # where a complex value may appear (analysis/dtypes.py), a real variable's gradient may receive
        # a complex term (x * c): gradients are added out of place (dx = dx + e, dx = rt.add_at(...)),
        # since numpy cannot add complex into a float buffer in place (the final cast keeps the real part)
        self.complex_values = complex_values
        self.output = output
        self.adjoint_names = {}
        self.control_names = {}     # (stmt id, role) -> generated name
        self.callee_links = {}      # site stmt id -> (forward name, backward name, wrt names)
        self.sites_by_name = {}
        for site in sites:
            self.sites_by_name.setdefault(site.target, []).append(site)
        self.recorded = set()       # R: primal names the adjoint reads
        self.nullable = set()       # gradients that may be None at run time
        self.loop_targets = self._range_loop_targets()
        self.recomputable = self._recomputable()   # for-loop body stmt id -> statements recomputed
        self.recomputed = {s.targets[0].id for stmts in self.recomputable.values() for s in stmts}
        self.overwrites = Overwrites(activity.cfg, sites, self.params, local_names(function_node))
        self.alias = {}               # operand name -> name holding its old value
        self.rule_names = {}
        self.helpers = {}             # name in generated code -> object (tg.adjoint rules)
        self.pushed_controls = set()  # control values pushed because they live in a loop
        self.nested_controls = set()  # control values not assigned at the top level
        self.top_level = {id(s) for s in function_node.body}

    # ----- driver -----

    def run(self):
        """Iterate until the recorded and nullable sets are stable, then build both sweeps."""
        for _ in range(8):
            namer_snapshot = copy.deepcopy(self.namer)
            self.pushes = False
            self.next_nullable = set()
            primal = self.primal_block(self.node.body, loop_depth=0)
            seed_state, adjoint, results = self.adjoint_sweep()
            reads = self._primal_reads(adjoint + [gast.Return(value=r) for r in results], primal)
            done = reads == self.recorded and self.next_nullable <= self.nullable
            self.recorded |= reads
            self.nullable |= self.next_nullable
            if done:   # this pass saw what the next one would: it is the result
                return ReverseResult(self, primal, adjoint, results)
            self.namer = self.restored(namer_snapshot)
        self.pushes = False
        primal = self.primal_block(self.node.body, loop_depth=0)
        seed_state, adjoint, results = self.adjoint_sweep()
        return ReverseResult(self, primal, adjoint, results)

    def adjoint_sweep(self):
        state = State()
        body = [s for s in self.node.body if not isinstance(s, gast.Return)]
        if self.output in self.active:
            state[self.adjoint(self.output)] = SHARED
        for name, kind in self.zero_started().items():
            state[name] = SHARED if kind == "number" else OWNED
        adjoint, state = self.adjoint_block(body, state)
        results = [self.final_gradient(p, state) for p in self.wrt]
        return state, adjoint, results

    def zero_started(self):
        """{gradient: "number" or "buffer"} for parameters (never reassigned) whose gradient a loop or
        branch may or may not reach: a number starts at 0.0 and an array at zeros rather than None,
        so a loop adds into it (in place for an array, as a hand-written loop would) instead of
        calling rt.add on every trip."""
        started = {}
        for p in self.params:
            d_name = self.adjoint_names.get(p)
            if p not in self.active or d_name not in self.nullable or p in self.sites_by_name:
                continue
            rank = self.ranks.get(p)
            if rank == 0:
                started[d_name] = "number"
            elif rank is not None and self.depths.get(p) == 0:
                started[d_name] = "buffer"
        return started

    def final_gradient(self, param, state):
        name = self.adjoint(param) if param in self.active else None
        fact = state.fact(name) if name else ZERO
        if fact.zero:
            return build.call(build.dotted(f"{self.free['rt']}.zeros_like"), build.name(param))
        if fact.none:
            return build.call(build.dotted(f"{self.free['rt']}.buffer"), build.name(name), build.name(param))
        return build.name(name)

    # ----- names -----

    def restored(self, snapshot):
        """A copy of a namer snapshot that still knows every name handed out for good."""
        namer = copy.deepcopy(snapshot)
        for name in (*self.adjoint_names.values(), *self.control_names.values(), *self.rule_names.values()):
            namer.reserve(name)
        return namer

    def adjoint(self, name):
        if name not in self.adjoint_names:
            self.adjoint_names[name] = self.namer.fresh(f"d{name}" if not name.startswith("_") else f"d{name}")
        return self.adjoint_names[name]

    def control_name(self, stmt, role, base):
        key = (id(stmt), role)
        if key not in self.control_names:
            self.control_names[key] = self.namer.fresh(base)
        return self.control_names[key]

    def stack(self):
        return self.control_name(self.node, "stack", "stack")

    def rt(self, attribute):
        return build.dotted(f"{self.free['rt']}.{attribute}")

    # ----- which blocks need reversing, which assignments record -----

    def _range_loop_targets(self):
        return {stmt.target.id for stmt in walk(self.node) if isinstance(stmt, gast.For)}

    def needs_reverse(self, stmts):
        for stmt in stmts:
            for node in walk(stmt):
                site = self.site_of.get(id(node))
                if site is not None and (site.target in self.active or self.records(site)):
                    return True
                if isinstance(node, gast.For) and node.target.id in self.recorded and self._multi(node.target.id):
                    return True
        return False

    def _multi(self, name):
        return len(self.sites_by_name.get(name, ())) + (name in self.loop_targets) > 1 or name in self.params

    def _recomputable(self):
        """{id of a for loop: [statements of its body cheaper to recompute than to record]}.

        In a loop over range, a number computed from the counter, loop-invariant values and other
        such numbers (`i + 1`, `x[i]` of an array the loop never changes, `1.0 - x_i`) is recomputed
        at the top of the adjoint's iteration instead of being pushed and popped: one float
        operation costs less than a push and a pop. So is a row of a loop-invariant array picked by
        such numbers (`xs[t]`): indexing it again makes the same view.
        """
        found = {}
        for loop in walk(self.node):
            if not isinstance(loop, gast.For):
                continue
            assigned = {n.id for s in loop.body for n in walk(s)
                        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
            assigned |= {self.site_of[id(n)].target for s in loop.body for n in walk(s)
                         if id(n) in self.site_of}   # x[i] = v and xs.append(v) change x and xs
            cheap, names = [], set()
            for stmt in loop.body:
                site = self.site_of.get(id(stmt))
                if site is None or not isinstance(stmt, gast.Assign) or not isinstance(stmt.targets[0], gast.Name):
                    continue
                op = site.operation
                pure = op.kind in ("subscript", "copy") or op.kind == "rule" and op.rule.kind == "template"
                reads = {n.id for n in walk(stmt.value) if isinstance(n, gast.Name)}
                view = op.kind == "subscript" and bool(op.operands) and all(
                    self.ranks.get(n) == 0 for n in reads - {op.operands[0]})   # xs[t]: the same view again
                if pure and (self.ranks.get(site.target) == 0 or view) and len(self.sites_by_name[site.target]) == 1 \
                        and site.target not in self.params and all(
                            n == loop.target.id or n in names or n not in assigned for n in reads):
                    cheap.append(stmt)
                    names.add(site.target)
            if cheap:
                found[id(loop)] = cheap
        return found

    def records(self, site):
        """Does this assignment push the old value of its target (tbr.py)?"""
        name = site.target
        if site.operation.kind in IN_PLACE:
            return False
        if name in self.recomputed:
            return False
        if name not in self.recorded or name in self.loop_targets and not self._multi(name):
            return False
        return self.overwrites.overwrites(site)

    def needs_none_init(self, name):
        """A recorded variable that may be unassigned where it is pushed or saved."""
        if name in self.params or name not in self.recorded or name not in self.sites_by_name:
            return False
        pushes = [s for s in self.sites_by_name[name] if self.records(s)]
        return self.overwrites.may_be_undefined(name, pushes)

    # ----- primal sweep -----

    def push(self, name, like):
        self.pushes = True
        return build.expr_stmt(build.call(build.attribute(build.name(self.stack()), "append"), build.name(name)),
                               like=like)

    def pop(self, name, like):
        return build.assign(name, build.call(build.attribute(build.name(self.stack()), "pop")), like=like)

    def record_control(self, name, loop_depth, like):
        """Push a control value (branch test, trip count) that a loop may overwrite."""
        self.recorded.add(name)
        if id(like) not in self.top_level:
            self.nested_controls.add(name)
        if loop_depth > 0:
            self.pushed_controls.add(name)
            return [self.push(name, like)]
        return []

    def primal_block(self, stmts, loop_depth):
        out = []
        for stmt in stmts:
            out.extend(self.primal_statement(stmt, loop_depth))
        return out

    def primal_statement(self, stmt, loop_depth):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
            site = self.site_of[id(stmt)]
            return self.save_slots(site) + [stmt]
        if isinstance(stmt, gast.Assign):
            site = self.site_of[id(stmt)]
            out = [self.push(site.target, stmt)] if self.records(site) else []
            if site.operation.kind == "call" and self.activity.is_active_statement(site):
                saved = self.control_name(stmt, "saved", f"{callee_word(site)}_saved")
                out += self.record_control(saved, site.loop_depth, stmt)
            return out + [self.primal_assignment(stmt, site)]
        if isinstance(stmt, gast.If) and self.needs_reverse([stmt]):
            test = self.control_name(stmt, "test", _test_name(stmt.test))
            out = self.record_control(test, loop_depth, stmt)
            out.append(build.assign(test, stmt.test, like=stmt))
            body = self.primal_block(stmt.body, loop_depth)
            orelse = self.primal_block(stmt.orelse, loop_depth)
            return out + [build.if_(build.name(test), body or [gast.Pass()], orelse, like=stmt)]
        if isinstance(stmt, gast.For) and self.needs_reverse(stmt.body):
            return self.primal_for(stmt, loop_depth)
        if isinstance(stmt, gast.While) and self.needs_reverse(stmt.body):
            count = self.control_name(stmt, "count", "iterations")
            out = self.record_control(count, loop_depth, stmt)
            out.append(build.assign(count, build.const(0), like=stmt))
            body = [self.increment(count, stmt)] + self.primal_block(stmt.body, loop_depth + 1)
            return out + [build.located(gast.While(test=stmt.test, body=body, orelse=[]), stmt)]
        if isinstance(stmt, gast.With):
            return [build.located(gast.With(items=stmt.items, body=self.primal_block(stmt.body, loop_depth),
                                            type_comment=None), stmt)]
        if isinstance(stmt, gast.Return):
            return [stmt]
        return [stmt]

    def save_slots(self, site):
        """Before `x[index] = v`: push the values it overwrites, if the adjoint reads x."""
        if site.target not in self.recorded:
            return []
        target = site.stmt.targets[0]
        if self.depths.get(site.target) == 0:
            old = build.call(build.dotted(f"{self.free['np']}.copy"), build.clone(target_load(target)))
        else:
            old = build.call(self.rt("take"), build.name(site.target), build.index_value(build.clone(target.slice)))
        self.pushes = True
        return [build.expr_stmt(build.call(build.attribute(build.name(self.stack()), "append"), old),
                                like=site.stmt)]

    def undo_in_place(self, site):
        """After the adjoint of an in-place update: put back what it changed (if the adjoint reads it)."""
        if site.target not in self.recorded:
            return []
        stmt, kind = site.stmt, site.operation.kind
        popped = build.call(build.attribute(build.name(self.stack()), "pop"))
        if kind == "setitem":
            target = stmt.targets[0]
            if self.depths.get(site.target) == 0:
                store = gast.Subscript(value=build.name(site.target), slice=build.clone(target.slice),
                                       ctx=gast.Store())
                return [build.located(gast.Assign(targets=[store], value=popped, type_comment=None), stmt)]
            return [build.expr_stmt(build.call(self.rt("put"), build.name(site.target),
                                               build.index_value(build.clone(target.slice)), popped), like=stmt)]
        if kind == "append":
            return [build.expr_stmt(build.call(build.attribute(build.name(site.target), "pop")), like=stmt)]
        if kind == "extend":
            return [build.expr_stmt(build.call(self.rt("unextend"), build.name(site.target),
                                               build.clone(stmt.value.args[0])), like=stmt)]
        return []

    def increment(self, count, like):
        return build.assign(count, gast.BinOp(left=build.name(count), op=gast.Add(), right=build.const(1)),
                            like=like)

    def primal_for(self, stmt, loop_depth):
        out = []
        target = stmt.target.id
        if target in self.recorded and self._multi(target):
            out.append(self.push(target, stmt))
        iterable = stmt.iter
        if _assigned_in(stmt.body, _names(iterable)):
            holder = self.control_name(stmt, "range", "loop_range")
            out += self.record_control(holder, loop_depth, stmt)
            out.append(build.assign(holder, iterable, like=stmt))
            iterable = build.name(holder)
        body = self.primal_block(stmt.body, loop_depth + 1)
        if _stops_early(stmt):
            count = self.control_name(stmt, "count", "iterations")
            out += self.record_control(count, loop_depth, stmt)
            out.append(build.assign(count, build.const(0), like=stmt))
            body = [self.increment(count, stmt)] + body
        loop = gast.For(target=build.name(target, store=True), iter=iterable, body=body, orelse=[],
                        type_comment=None)
        return out + [build.located(loop, stmt)]

    def primal_assignment(self, stmt, site):
        if site.operation.kind == "call" and self.activity.is_active_statement(site):
            forward, _, _ = self.link(site)
            saved = self.control_name(stmt, "saved", f"{callee_word(site)}_saved")
            call = build.clone(stmt.value)
            call.func = build.name(forward)
            target = gast.Tuple(elts=[build.name(site.target, store=True), build.name(saved, store=True)],
                                ctx=gast.Store())
            return build.located(gast.Assign(targets=[target], value=call, type_comment=None), stmt)
        return stmt

    def link(self, site):
        key = id(site.stmt)
        if key not in self.callee_links:
            op = site.operation
            self.callee_links[key] = self.link_call(op.callee, op.args, op.keywords,
                                                   {n for n in op.operands if self.activity.carries(site, n)}, site)
        return self.callee_links[key]

    # ----- adjoint sweep -----

    def adjoint_block(self, stmts, state):
        out = []
        for stmt in reversed(stmts):
            code, state = self.adjoint_statement(stmt, state)
            out.extend(code)
        return out, state

    def adjoint_statement(self, stmt, state):
        if id(stmt) in self.site_of and self.site_of[id(stmt)].operation.kind in IN_PLACE:
            site = self.site_of[id(stmt)]
            code, state = ([], state)
            if site.target in self.active:
                code, state = self.adjoint_assignment(site, state)
            return self.comment(stmt, code + self.undo_in_place(site)), state
        if isinstance(stmt, gast.Assign):
            site = self.site_of[id(stmt)]
            if self.reads_own_target(site):
                return self.adjoint_self_assignment(site, state)
            code, state = ([], state)
            if site.target in self.active:
                code, state = self.adjoint_assignment(site, state)
            if site.operation.kind == "call" and self.activity.is_active_statement(site):
                saved = self.control_name(stmt, "saved", f"{callee_word(site)}_saved")
                if saved in self.pushed_controls:
                    code = code + [self.pop(saved, stmt)]
            if self.records(site):
                code = code + [self.pop(site.target, stmt)]
            return self.comment(stmt, code), state
        if isinstance(stmt, gast.If) and self.needs_reverse([stmt]):
            return self.adjoint_if(stmt, state)
        if isinstance(stmt, gast.For) and self.needs_reverse(stmt.body):
            return self.adjoint_for(stmt, state)
        if isinstance(stmt, gast.While) and self.needs_reverse(stmt.body):
            return self.adjoint_while(stmt, state)
        if isinstance(stmt, gast.With):
            return self.adjoint_block(stmt.body, state)
        return [], state

    def reads_own_target(self, site):
        """`x = f(x)`: the rule must read the old x, which the variable no longer holds."""
        return (self.activity.is_active_statement(site) and site.operation.kind in ("rule", "subscript")
                and site.target in site.operation.operands and self.records(site))

    def adjoint_self_assignment(self, site, state):
        """Pop the old value into `x_before`, differentiate with it, then restore x."""
        stmt = site.stmt
        before = self.control_name(stmt, "before", f"{site.target}_before")
        self.alias = {site.target: before}
        try:
            code, state = self.adjoint_assignment(site, state)
        finally:
            self.alias = {}
        code = [self.pop(before, stmt)] + code + [build.assign(site.target, build.name(before), like=stmt)]
        return self.comment(stmt, code), state

    def aliased(self, node):
        """A copy of an operand atom with the current alias applied (the old value of a self-assignment)."""
        node = build.clone(node)
        if self.alias:   # usually there is none
            for sub in walk(node):
                if isinstance(sub, gast.Name) and sub.id in self.alias:
                    sub.id = self.alias[sub.id]
        return node

    def original(self, name):
        for original, alias in self.alias.items():
            if alias == name:
                return original
        return name

    def comment(self, stmt, code):
        if not code or getattr(stmt, "lineno", None) is None:
            return code
        return [build.expr_stmt(build.const(f"__transgrad_grad_of_line__ {stmt.lineno}"), like=stmt)] + code

    def adjoint_if(self, stmt, state):
        test = self.control_name(stmt, "test", _test_name(stmt.test))
        body, body_state = self.adjoint_block(stmt.body, state.copy())
        orelse, else_state = self.adjoint_block(stmt.orelse, state.copy())
        joined = body_state.join(else_state)
        self.note_nullable(joined)
        code = []
        if body or orelse:
            if body:
                code.append(build.if_(build.name(test), body, orelse, like=stmt))
            else:
                code.append(build.if_(gast.UnaryOp(op=gast.Not(), operand=build.name(test)), orelse, like=stmt))
        if test in self.pushed_controls:
            code.append(self.pop(test, stmt))
        return code, joined

    def loop_fixpoint(self, body, state):
        """(code before the loop, the body's adjoint, the state at the loop head).

        A gradient the body updates in place but that enters the loop shared is
        copied once before the loop, not once per iteration.
        """
        names = copy.deepcopy(self.namer)
        before = []
        for _ in range(2):
            head, code, after = self._head_state(body, state, names)
            scalars = {self.adjoint_names[p] for p, rank in self.ranks.items()
                       if rank == 0 and p in self.adjoint_names}
            hoist = [n for n, fact in state.items() if fact == SHARED and after.fact(n) == OWNED
                     and n not in scalars]   # numbers are added by rebinding: nothing to own
            if not hoist:
                break
            state = state.copy()
            for name in hoist:
                before.append(build.assign(name, build.call(self.rt("owned"), build.name(name))))
                state[name] = OWNED
        self.note_nullable(head)
        return before, code, head

    def _head_state(self, body, state, names):
        """(state at the loop head, the body's adjoint from it, the state after it): iterate the
        body's adjoint from the entry state, joining, until the head state is stable."""
        head = state
        for _ in range(20):
            self.namer = self.restored(names)
            code, after = self.adjoint_block(body, head.copy())
            joined = head.join(after)
            if joined.same(head):
                return head, code, after
            head = joined
        self.namer = self.restored(names)
        code, after = self.adjoint_block(body, head.copy())
        return head, code, after

    def adjoint_for(self, stmt, state):
        body = [s for s in stmt.body if not _is_exit_test(s)]
        before, code, head = self.loop_fixpoint(body, state)
        code = self.recompute(stmt, code) + code
        iterable = stmt.iter
        holder = self.control_names.get((id(stmt), "range"))
        if holder:
            iterable = build.name(holder)
        if _stops_early(stmt):
            count = self.control_name(stmt, "count", "iterations")
            iterable = gast.Subscript(value=iterable, slice=gast.Slice(lower=None, upper=build.name(count), step=None),
                                      ctx=gast.Load())
        loop = gast.For(target=build.name(stmt.target.id, store=True), iter=build.call("reversed", iterable),
                        body=code or [gast.Pass()], orelse=[], type_comment=None)
        out = before + [build.located(loop, stmt)]
        for role in ("count", "range"):
            name = self.control_names.get((id(stmt), role))
            if name and name in self.pushed_controls:
                out.append(self.pop(name, stmt))
        if stmt.target.id in self.recorded and self._multi(stmt.target.id):
            out.append(self.pop(stmt.target.id, stmt))
        return out, head

    def recompute(self, loop, code):
        """The loop's recomputable statements that the adjoint body reads (and what they need)."""
        cheap = self.recomputable.get(id(loop), [])
        needed = {n.id for s in code for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        chosen = []
        for stmt in reversed(cheap):
            if stmt.targets[0].id in needed:
                chosen.append(build.clone(stmt))
                needed |= {n.id for n in walk(stmt.value) if isinstance(n, gast.Name)}
        return chosen[::-1]

    def adjoint_while(self, stmt, state):
        before, code, head = self.loop_fixpoint(stmt.body, state)
        count = self.control_name(stmt, "count", "iterations")
        underscore = self.control_name(self.node, "underscore", "_")
        loop = gast.For(target=build.name(underscore, store=True), iter=build.call("range", build.name(count)),
                        body=code or [gast.Pass()], orelse=[], type_comment=None)
        out = before + [build.located(loop, stmt)]
        if count in self.pushed_controls:
            out.append(self.pop(count, stmt))
        return out, head

    def note_nullable(self, state):
        for name, fact in state.items():
            if fact.maybe:
                self.next_nullable.add(name)

    # ----- what the adjoint reads -----

    def _primal_reads(self, adjoint, primal):
        primal_names = set(self.params)
        for stmt in primal:
            for node in walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                    primal_names.add(node.id)
        reads = set()
        for stmt in adjoint:
            for node in walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in primal_names:
                    reads.add(node.id)
        reads.discard(self.stack())
        return reads | {n for n in self.recorded if n in primal_names}


class ReverseResult:
    """The two sweeps and what emit/ needs to assemble them."""

    def __init__(self, reverse, primal, adjoint, results):
        self.primal = primal
        self.adjoint = adjoint
        self.results = results
        self.adjoint_names = reverse.adjoint_names
        self.recorded = sorted(reverse.recorded)
        self.nullable = sorted(reverse.nullable)
        self.zero_started = reverse.zero_started()
        self.ranks = reverse.ranks
        self.depths = reverse.depths
        self.shape_sources = reverse.shape_sources
        # primal assignments with no effect but their value: a template rule, a copy, an item, a display
        self.pure = {id(site.stmt) for site in reverse.sites if site.operation.kind in ("copy", "subscript", "display")
                     or site.operation.kind == "rule" and site.operation.rule.kind == "template"
                     or isinstance(site.stmt, gast.Assign) and isinstance(site.stmt.targets[0], gast.Name)
                     and isinstance(site.stmt.value, gast.Constant)}   # `x[i] = 0.0` changes x: not pure
        self.stack = reverse.stack() if reverse.pushes else None
        self.none_inits = sorted({n for n in reverse.recorded if reverse.needs_none_init(n)
                                  and n not in reverse.recomputed}
                                 | reverse.pushed_controls | reverse.nested_controls)
        self.output = reverse.output
        self.output_adjoint = reverse.adjoint(reverse.output) if reverse.output in reverse.active else None
        self.free = reverse.free
        self.callee_links = reverse.callee_links
        self.helpers = reverse.helpers
        # objects the adjoint puts back in place (their in-place updates are undone)
        self.restored_in_place = sorted({site.target for site in reverse.sites
                                         if site.operation.kind in IN_PLACE and site.target in reverse.recorded})


def _test_name(test):
    from transgrad.syntax.naming import describe
    if isinstance(test, gast.Name):
        return f"{test.id}_taken"
    text = describe(test)
    return "cond" if text in ("compare", "boolop", "unaryop") else text




def _names(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name)}


def _assigned_in(stmts, names):
    return any(isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and n.id in names
               for stmt in stmts for n in walk(stmt))


def _is_exit_test(stmt):
    return isinstance(stmt, gast.If) and len(stmt.body) == 1 and isinstance(stmt.body[0], gast.Break)


def _stops_early(loop):
    return bool(loop.body) and _is_exit_test(loop.body[-1])

