"""Prepare transgrad's own generated code to be differentiated again (higher derivatives).

tg.grad(tg.grad(f)), tg.hessian and tg.hvp read the source of a *generated*
gradient function (registered in linecache by emit/compile.py) and send it
through the same pipeline as a user's function. Generated code is ordinary
Python except for a few statements that change a value in place through a
runtime call; this pass rewrites those into assignments the transforms know:

    stack = []                 ->  stack = None             (a linked stack of pairs:
    stack.append(v)            ->  stack = (v, stack)        O(1) per push and pop, and
    v = stack.pop()            ->  v = stack[0]              each state is a value the
                                   rest = stack[1]           outer transform can record)
                                   stack = rest
    stack = list(stack)        ->  (dropped: pairs are never changed)
    v = dlist.pop()            ->  v = dlist[-1]; dlist = list(dlist[:-1])   (a list gradient the code
                                                               owns; other lists stay an error)
    rt.add_at(dx, i, g)        ->  dx = rt.added_to(dx, i, g)     (and dx = rt.add_at(dx, i, g))
    dx[i] += g                 ->  dx = rt.added_to(dx, i, g)   (a saved view of the old dx keeps
                                                               its values)
    rt.clear(dx, i)            ->  dx = rt.cleared(dx, i)
    rt.put(x, i, old)          ->  x = rt.replaced(x, i, old)
    rt.unextend(items, added)  ->  items = rt.unextended(items, added)
    t = f(rt.unextend(d, a))   ->  tail = rt.extended_tail(d, a); d = rt.unextended(d, a); t = f(tail)
    rt.reuse(np.multiply, a, b) -> np.multiply(a, b)          (no writing into a dead operand:
                                                               the outer adjoint may read it)
    rt.call_rule(rule, n, g, ...) -> rt.rule_tuple(rule(g, ...), n)   (a tg.adjoint rule is the
                                                               user's code: differentiated through)
    v = a[i]  (a updated later)  ->  v = rt.copy_input(a[i])   (a snapshot: see below)
    stack.append(a), a = stack.pop()  (a updated in place)  ->  the copy rt.copy_input(a) is pushed,
                                                               and popped
    del a                      ->  (dropped before the fence: it only frees memory early)

A view read from an array that the code later updates in place (`out_1 = out[1]` before the
function's own `out[1] = out_1 * out_0`, or a `.T`/`.reshape(...)` of it) is read back by the
gradient after the update has been undone (`out[1] = stack.pop()` restores the old content), so at
first order it holds the value it had when it was read. The aliasing check cannot see the restore
and would refuse the update that the view "would also see"; a copy taken at the read is the same
value at every later read (the user's own code was checked not to read such a view between the
update and the restore), and to the outer transform it is an ordinary value. Likewise an array the
code updates in place is pushed on, and popped from, a stack as a copy (in code differentiated a
second time, `stack_1.append(dout)` before `dout[1] = 0.0` would otherwise leave the stack holding
the object the update changes).

The forward and backward functions of a split pair (a callee's) are prepared one at a time, but
their stacks are found over both: the forward only pushes and the backward only pops.

The buffers these helpers update are owned by the generated code (made by
rt.zeros_like, rt.maybe_copy or rt.owned), so rebinding the name is the same
update. Any other runtime call used as a statement (one that would change its
argument unseen) raises UnsupportedSyntaxError instead of giving a wrong
higher derivative.
"""
import functools
import linecache

import gast

from transgrad import runtime
from transgrad.analysis import aliases
from transgrad.errors import UnsupportedSyntaxError
from transgrad.syntax import build
from transgrad.syntax.walk import walk

GENERATED_PREFIX = "<transgrad "

_PURE_FORMS = {"add_at": "added_to", "clear": "cleared", "put": "replaced", "unextend": "unextended"}
_PURE_STATEMENTS = {"scalar_seed"}   # checks that change nothing


def is_generated(parsed):
    return parsed.filename.startswith(GENERATED_PREFIX)


def drop_deletes(node):
    """Remove `del name` statements (generated code frees dead arrays early, optimize/reuse.py):
    they only release memory, and the names are never read again."""
    for sub in walk(node):
        for field in ("body", "orelse"):
            stmts = getattr(sub, field, None)
            if isinstance(stmts, list):
                kept = [s for s in stmts if not (isinstance(s, gast.Delete)
                                                 and all(isinstance(t, gast.Name) for t in s.targets))]
                setattr(sub, field, kept or [gast.Pass()])


def prepare_generated(node, namer, resolver, parsed):
    """Rewrite the in-place statements of generated code `node` (a FunctionDef) in place."""
    rt_names = {n.id for n in walk(node) if isinstance(n, gast.Name) and resolver.resolve(n) is runtime}
    stacks = _stacks(node) | _stacks_of_the_pair(node, parsed)
    updated = _updated_in_place(node) if rt_names else {}
    if updated:
        _snapshot_views(node, resolver, sorted(rt_names)[0], updated)
    _Rewriter(namer, resolver, parsed, rt_names, stacks, _owned_lists(node, rt_names) - stacks, set(updated)).run(node)


def _updated_in_place(node):
    """{name: its in-place updates `name[...] = v` (and `name[...] op= v` other than the `+=` that
    becomes rt.added_to)}."""
    updates = {}
    for stmt in walk(node):
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 else \
            stmt.target if isinstance(stmt, gast.AugAssign) and not _is_slot_increment(stmt) else None
        if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
            updates.setdefault(target.value.id, []).append(stmt)
    return updates


def _snapshot_views(node, resolver, rt_name, updates):
    """`v = a[i]` (or a `.T`, `.reshape(...)`, `np.transpose(a)` ... view of `a`) becomes
    `v = rt.copy_input(a[i])` when an in-place update `a[...] = ...` of the same function can run
    after it (later in the code, or in a loop around both)."""
    order = aliases.program_order(node)
    for stmt in walk(node):
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
                and id(stmt) in order):
            continue
        base = aliases.view_base(stmt.value, resolver)
        if base in updates and any(aliases.runs_before(order, stmt, update) for update in updates[base]):
            stmt.value = _snapshot(stmt.value, rt_name, stmt)


def _snapshot(value, rt_name, like):
    return build.located(build.call(build.dotted(f"{rt_name}.copy_input"), value), like)


def _is_slot_increment(stmt):
    return (isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add)
            and isinstance(stmt.target, gast.Subscript) and isinstance(stmt.target.value, gast.Name))


def _stacks_of_the_pair(node, parsed):
    """The stacks of a split forward/backward pair, found over both functions of its module: the
    forward only pushes and the backward only pops, and the two must agree on what is a stack (both
    become linked stacks, or neither)."""
    names, stacks = _module_stacks("".join(linecache.getlines(parsed.filename)))
    return stacks if node.name in names and len(names) >= 2 else frozenset()


@functools.lru_cache(maxsize=64)
def _module_stacks(source):
    """(function names, stacks) of a generated module; parsed once for both functions of a pair."""
    functions = [f for f in walk(gast.parse(source)) if isinstance(f, gast.FunctionDef)   # in the closure maker
                 and not any(isinstance(inner, gast.FunctionDef) for inner in f.body)]
    return {f.name for f in functions}, frozenset(_stacks(gast.Module(body=functions, type_ignores=[])))


def _owned_lists(node, rt_names):
    """Names the generated code pops (a list gradient's last slot) that only ever hold a list the
    code made itself (rt.zeros_like, rt.maybe_copy, rt.owned, a display) and that no other name
    refers to: `d.pop()` may become `d = d[:-1]` without another name missing the change. A list a
    split backward unpacks from its saved values counts as its own (rt.stack_grad's list of slices
    too). (A list copied in the statement before its pop is popped as that copy: _Rewriter.block.)"""
    popped = {sub.func.value.id for sub in walk(node) if isinstance(sub, gast.Call)
              and isinstance(sub.func, gast.Attribute) and sub.func.attr == "pop"
              and isinstance(sub.func.value, gast.Name) and not sub.args}
    params = {a.id for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
    ok = popped - params
    for sub in walk(node):
        if isinstance(sub, gast.Assign):
            value = sub.value
            for target in sub.targets:
                for name in (n.id for n in walk(target) if isinstance(n, gast.Name)):
                    if name in ok and not (isinstance(target, gast.Name) and _makes_list(value, rt_names)) \
                            and not _unpacks_saved(target, value, params):
                        ok.discard(name)
            if isinstance(value, gast.Name):
                ok.discard(value.id)    # another name for the same list
        elif isinstance(sub, (gast.Tuple, gast.List, gast.Return)) and not isinstance(getattr(sub, "ctx", None),
                                                                                       gast.Store):
            for item in getattr(sub, "elts", None) or [getattr(sub, "value", None)]:
                if isinstance(item, gast.Name):
                    ok.discard(item.id)
    return ok


def _unpacks_saved(target, value, params):
    """`..., rows, ... = saved` in a split backward: the list the forward saved, which the backward
    alone uses from then on, so popping it may rebind the name instead of changing the saved list."""
    return isinstance(target, gast.Tuple) and isinstance(value, gast.Name) and value.id in params


def _makes_list(value, rt_names):
    if isinstance(value, (gast.List, gast.ListComp)) or (isinstance(value, gast.Constant) and value.value is None):
        return True
    if isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice):
        return True    # a slice of a list is a new list (a popped name is a list: an array has no .pop)
    return (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
            and isinstance(value.func.value, gast.Name) and value.func.value.id in rt_names
            and value.func.attr in ("zeros_like", "maybe_copy", "owned", "buffer", "stack_grad", "sequence_grad",
                                    "add_at"))   # add_at returns the buffer it was given (or a complex copy)


def _stacks(node):
    """Names used only as the generated code's stacks: made with `[]` or `list(s)`, pushed with
    .append, popped with .pop, carried in tuples (a split function's saved values)."""
    uses, bad = {}, set()
    parents = {}
    for parent in walk(node):
        for child in gast.iter_child_nodes(parent):
            parents[id(child)] = parent
    for sub in walk(node):
        if not isinstance(sub, gast.Name):
            continue
        parent = parents.get(id(sub))
        uses.setdefault(sub.id, []).append(sub)
        if isinstance(sub.ctx, gast.Store):
            assign = parents.get(id(parent)) if isinstance(parent, gast.Tuple) else parent
            if isinstance(parent, gast.Tuple) and isinstance(assign, gast.Assign):
                continue   # unpacking a saved tuple
            if isinstance(assign, gast.Assign) and (_is_empty_list(assign.value) or _is_list_of(assign.value, sub.id)):
                continue
            bad.add(sub.id)
        elif isinstance(parent, gast.Attribute) and parent.attr in ("append", "pop"):
            continue
        elif isinstance(parent, gast.Tuple):
            continue
        elif isinstance(parent, gast.Call) and _is_list_of(parent, sub.id):
            continue
        else:
            bad.add(sub.id)
    popped = {sub.func.value.id for sub in walk(node) if isinstance(sub, gast.Call)
              and isinstance(sub.func, gast.Attribute) and sub.func.attr == "pop"
              and isinstance(sub.func.value, gast.Name) and not sub.args}
    made = {s.targets[0].id for s in walk(node) if isinstance(s, gast.Assign) and len(s.targets) == 1
            and isinstance(s.targets[0], gast.Name) and (_is_empty_list(s.value) or _is_list_of(s.value, s.targets[0].id))}
    return (popped & made) - bad


def _is_empty_list(value):
    return isinstance(value, gast.List) and not value.elts


def _is_list_of(value, name):
    return (isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and value.func.id == "list"
            and len(value.args) == 1 and isinstance(value.args[0], gast.Name) and value.args[0].id == name)


class _Rewriter:
    def __init__(self, namer, resolver, parsed, rt_names, stacks, owned_lists, updated):
        self.owned_lists = owned_lists
        self.updated = updated   # names the code updates in place: pushed and popped as copies
        self.namer = namer
        self.resolver = resolver
        self.parsed = parsed
        self.rt_names = rt_names
        self.stacks = stacks
        self.just_copied = None   # the name the previous statement of the block made a copy of

    def run(self, node):
        for sub in walk(node):
            for field, value in gast.iter_fields(sub):
                if isinstance(value, gast.Call) and self.runtime_name(value) in ("reuse", "call_rule"):
                    setattr(sub, field, self.unreuse(value))
                elif isinstance(value, list):
                    value[:] = [self.unreuse(v) if isinstance(v, gast.Call)
                                and self.runtime_name(v) in ("reuse", "call_rule") else v for v in value]
        node.body = self.block(node.body)

    def unreuse(self, call):
        """rt.reuse(ufunc, a, b) -> ufunc(a, b); rt.call_rule(rule, n, g, ans, *args) ->
        rt.rule_tuple(rule(g, ans, *args), n), so the outer transform differentiates the user's
        tg.adjoint rule through its own source, like any function of theirs."""
        if self.runtime_name(call) == "call_rule":
            rule, count, *rest = call.args
            called = build.located(gast.Call(func=rule, args=rest, keywords=call.keywords), call)
            return build.located(build.call(build.dotted(f"{call.func.value.id}.rule_tuple"), called, count), call)
        ufunc, left, right = call.args
        return build.located(gast.Call(func=ufunc, args=[left, right], keywords=[]), call)

    def runtime_name(self, call):
        func = call.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in self.rt_names:
            return func.attr
        return None

    def block(self, stmts):
        out = []
        for stmt in stmts:
            # a list gradient copied just before it is popped (`d = rt.maybe_copy(d, x)`, then
            # `d.pop()`): the popped list is that fresh copy, whatever d held before
            self.just_copied = self.copied_name(out[-1]) if out else None
            out.extend(self.statement(stmt))
        return out

    def copied_name(self, stmt):
        if (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Call) and self.runtime_name(stmt.value) == "maybe_copy"
                and stmt.value.args and isinstance(stmt.value.args[0], gast.Name)
                and stmt.value.args[0].id == stmt.targets[0].id):
            return stmt.targets[0].id
        return None

    def statement(self, stmt):
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list) and not isinstance(stmt, gast.FunctionDef):
                setattr(stmt, field, self.block(getattr(stmt, field)))
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) \
                and stmt.targets[0].id in self.stacks:
            name = stmt.targets[0].id
            if _is_empty_list(stmt.value):
                return [build.assign(name, build.const(None), like=stmt)]
            if _is_list_of(stmt.value, name):
                return []
        unextended = self.hoist_unextends(stmt)
        if unextended:
            return unextended + self.statement(stmt)
        if _is_slot_increment(stmt) and self.rt_names:
            # `dx[i] += g` becomes `dx = rt.added_to(dx, i, g)`: a view of the old dx that the code
            # reads later (`dx_i = dx[i]` saved for the backward) keeps the value it had
            buffer = stmt.target.value.id
            rt_name = sorted(self.rt_names)[0]
            pure = build.call(build.dotted(f"{rt_name}.added_to"), build.name(buffer),
                              build.index_value(build.clone(stmt.target.slice)), stmt.value)
            return self.statement(build.assign(buffer, build.located(pure, stmt), like=stmt))
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call) \
                and self.runtime_name(stmt.value) == "add_at":
            # `dx = rt.add_at(dx, i, g)` (code where complex values may appear) adds in place too
            stmt.value.func.attr = _PURE_FORMS["add_at"]
            return [stmt]
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            call = stmt.value
            func = call.func
            if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) \
                    and func.value.id in self.stacks and func.attr == "append":
                item = call.args[0]
                if isinstance(item, gast.Name) and item.id in self.updated:
                    item = _snapshot(item, sorted(self.rt_names)[0], stmt)
                pushed = gast.Tuple(elts=[item, build.name(func.value.id)], ctx=gast.Load())
                return self.statement(build.assign(func.value.id, pushed, like=stmt))
            helper = self.runtime_name(call)
            if helper in _PURE_FORMS:
                target = call.args[0]
                if not isinstance(target, gast.Name):
                    raise self.unsupported(stmt, f"rt.{helper} on an expression")
                pure = build.call(build.dotted(f"{func.value.id}.{_PURE_FORMS[helper]}"), *call.args,
                                  keywords=call.keywords)
                return self.statement(build.assign(target.id, build.located(pure, stmt), like=stmt))
            if helper is not None and helper not in _PURE_STATEMENTS:
                raise self.unsupported(stmt, f"rt.{helper} as a statement")
        popped_list = self.owned_pop(stmt.value) if isinstance(stmt, (gast.Assign, gast.Expr)) else None
        if popped_list is not None and (isinstance(stmt, gast.Expr) or (
                len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name))):
            shorter = build.subscript(popped_list, gast.Slice(lower=None, upper=build.const(-1), step=None))
            out = [] if isinstance(stmt, gast.Expr) else [
                build.assign(stmt.targets[0].id, build.subscript(popped_list, build.const(-1)), like=stmt)]
            return out + [build.assign(popped_list, build.call("list", shorter), like=stmt)]
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) \
                and self.is_pop(stmt.value):
            stack, target = stmt.value.func.value.id, stmt.targets[0].id
            top = build.subscript(stack, 0)
            if target in self.updated:
                top = _snapshot(top, sorted(self.rt_names)[0], stmt)
            return [build.assign(target, top, like=stmt)] + self.drop_top(stack, stmt)
        before = []
        if not isinstance(stmt, (gast.For, gast.While, gast.If)):
            self.hoist_pops(stmt, before)
        elif isinstance(stmt, (gast.While, gast.If)):
            self.hoist_pops(stmt.test, before)
        return before + [stmt]

    def owned_pop(self, value):
        """The list a `d.pop()` call pops, when it is one of the owned lists."""
        if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "pop"
                and isinstance(value.func.value, gast.Name) and not value.args
                and (value.func.value.id in self.owned_lists or value.func.value.id == self.just_copied)):
            return value.func.value.id
        return None

    def is_pop(self, value):
        return (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "pop"
                and isinstance(value.func.value, gast.Name) and value.func.value.id in self.stacks and not value.args)

    def hoist_unextends(self, stmt):
        """`rt.unextend(d, added)` read as a value (the tail it removes from the list gradient d):
        `tail = rt.extended_tail(d, added)` and `d = rt.unextended(d, added)` before the statement,
        which reads `tail`."""
        if isinstance(stmt, gast.Expr) or isinstance(stmt, (gast.For, gast.While, gast.If)):
            return []
        before = []

        def replaced(value):
            if not (isinstance(value, gast.Call) and self.runtime_name(value) == "unextend"
                    and isinstance(value.args[0], gast.Name)):
                return value
            rt_name, (items, added) = value.func.value.id, value.args
            tail = self.namer.fresh(f"{items.id}_tail")
            for target, helper in ((tail, "extended_tail"), (items.id, "unextended")):
                before.append(build.assign(target, build.call(build.dotted(f"{rt_name}.{helper}"), build.name(items.id),
                                                              build.clone(added)), like=stmt))
            return build.name(tail)

        for sub in walk(stmt):
            for field, value in gast.iter_fields(sub):
                if isinstance(value, list):
                    value[:] = [replaced(item) for item in value]
                else:
                    setattr(sub, field, replaced(value))
        return before

    def hoist_pops(self, node, before):
        """Pops inside an expression (`rt.add(d, items.pop())`) of a stack or of an owned list:
        the popped value gets a name, computed before the statement."""
        for sub in walk(node):
            for field, value in gast.iter_fields(sub):
                if isinstance(value, list):
                    for position, item in enumerate(value):
                        popped = self.hoisted_pop(item, node, before)
                        if popped is not None:
                            value[position] = popped
                else:
                    popped = self.hoisted_pop(value, node, before)
                    if popped is not None:
                        setattr(sub, field, popped)

    def hoisted_pop(self, value, node, before):
        if self.is_pop(value):
            stack = value.func.value.id
            popped = self.namer.fresh(f"{stack}_top")
            before.append(build.assign(popped, build.subscript(stack, 0), like=node))
            before.extend(self.drop_top(stack, node))
            return build.name(popped)
        owned = self.owned_pop(value) if isinstance(value, gast.Call) else None
        if owned is None:
            return None
        popped = self.namer.fresh(f"{owned}_last")
        shorter = build.subscript(owned, gast.Slice(lower=None, upper=build.const(-1), step=None))
        before.append(build.assign(popped, build.subscript(owned, build.const(-1)), like=node))
        before.append(build.assign(owned, build.call("list", shorter), like=node))
        return build.name(popped)

    def drop_top(self, stack, like):
        """stack = stack[1], through a new name: the adjoint of `s = s[1]` would otherwise add the
        gradient of the rest into the same variable's own slot."""
        rest = self.namer.fresh(f"{stack}_rest")
        return [build.assign(rest, build.subscript(stack, 1), like=like),
                build.assign(stack, build.name(rest), like=like)]

    def unsupported(self, stmt, what):
        return UnsupportedSyntaxError(
            f"{what} in generated gradient code", self.parsed.span(stmt),
            "this runtime helper changes its argument in place, and transgrad cannot differentiate that "
            "again yet (a higher derivative through it)")
