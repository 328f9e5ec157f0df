"""Lower early exits and loops to the forms the reverse transform understands.

Guarantees to later passes:
- `return` appears once, as the last statement of the function body. Earlier
  returns set `result` and a `returned` flag; the statements they skip are
  guarded by `if not returned:`.
- `break` and `continue` become flags (`stop`, `skip`); the statements they
  skip are guarded. A `for` loop that may stop early ends its body with
  `if stop: break` (the only `break` left), a `while` loop tests the flag in
  its condition.
- Every `for` loop runs over `range(...)` with a plain name as its target that
  the body never assigns. Loops over arrays, lists, `enumerate` and `zip`
  index their sequence explicitly (`x = xs[index]`), so the adjoint can send
  each item's gradient back to its slot.
"""
import builtins

import gast

from transgrad.rules import registry
from transgrad.syntax import build
from transgrad.syntax.walk import walk


class _Loop:
    def __init__(self):
        self.break_flag = None
        self.continue_flag = None


class LowerControl:
    def __init__(self, namer, resolve):
        self.namer = namer
        self.resolve = resolve
        self.return_flag = None
        self.result = None

    # ----- the function -----

    def function(self, node):
        self.dict_names = dict_names(node)
        body = node.body
        early = _early_returns(body)
        if early:
            self.return_flag = self.namer.fresh("returned")
            self.result = self.namer.fresh("result")
            lowered, _ = self.block(body, None)
            node.body = ([build.assign(self.result, build.const(None), like=node),
                          build.assign(self.return_flag, build.const(False), like=node)]
                         + lowered + [gast.Return(value=build.name(self.result))])
            build.located(node.body[-1], body[-1])
        else:
            node.body, _ = self.block(body, None)
        return node

    # ----- blocks: guard what follows a statement that may exit -----

    def block(self, stmts, loop):
        out = []
        for position, stmt in enumerate(stmts):
            lowered, flags = self.statement(stmt, loop)
            out.extend(lowered)
            if flags:
                rest, rest_flags = self.block(stmts[position + 1:], loop)
                if rest:
                    out.append(build.if_(build.not_any(flags), rest, like=stmts[position + 1]))
                return out, flags | rest_flags
        return out, set()

    def statement(self, stmt, loop):
        if isinstance(stmt, gast.Return) and self.return_flag is not None:
            value = stmt.value if stmt.value is not None else build.const(None)
            return [build.assign(self.result, value, like=stmt),
                    build.assign(self.return_flag, build.const(True), like=stmt)], {self.return_flag}
        if isinstance(stmt, gast.Break):
            loop.break_flag = loop.break_flag or self.namer.fresh("stop")
            return [build.assign(loop.break_flag, build.const(True), like=stmt)], {loop.break_flag}
        if isinstance(stmt, gast.Continue):
            loop.continue_flag = loop.continue_flag or self.namer.fresh("skip")
            return [build.assign(loop.continue_flag, build.const(True), like=stmt)], {loop.continue_flag}
        if isinstance(stmt, gast.If):
            stmt.body, body_flags = self.block(stmt.body, loop)
            stmt.orelse, else_flags = self.block(stmt.orelse, loop)
            return [stmt], body_flags | else_flags
        if isinstance(stmt, gast.With):
            stmt.body, flags = self.block(stmt.body, loop)
            return [stmt], flags
        if isinstance(stmt, gast.For):
            return self.with_else(stmt, self.for_loop(stmt), loop)
        if isinstance(stmt, gast.While):
            return self.with_else(stmt, self.while_loop(stmt), loop)
        return [stmt], set()

    # ----- loops -----

    def loop_body(self, stmt):
        loop = _Loop()
        body, flags = self.block(stmt.body, loop)
        if loop.continue_flag:
            body.insert(0, build.assign(loop.continue_flag, build.const(False), like=stmt))
        exits = {f for f in (loop.break_flag,) if f} | (flags & {self.return_flag})
        before = [build.assign(loop.break_flag, build.const(False), like=stmt)] if loop.break_flag else []
        return before, body, exits

    def with_else(self, stmt, lowered, loop):
        """`for/while ... else:` runs the else block when the loop was not left early."""
        (stmts, flags), exits = lowered
        orelse, else_flags = self.block(stmt.orelse, loop)
        stmt.orelse = []
        if orelse and exits:
            stmts.append(build.if_(build.not_any(exits), orelse, like=orelse[0]))
        else:
            stmts.extend(orelse)
        return stmts, flags | else_flags

    def for_loop(self, stmt):
        before, body, exits = self.loop_body(stmt)
        before_items, stmt.target, stmt.iter, item_stmts = self.explicit_index(stmt)
        body = item_stmts + body
        if exits:
            body.append(build.if_(build.any_of(exits), [gast.Break()], like=stmt))
        stmt.body = body
        return (before + before_items + [stmt], exits & {self.return_flag}), exits

    def while_loop(self, stmt):
        before, body, exits = self.loop_body(stmt)
        if exits:
            stmt.test = gast.BoolOp(op=gast.And(), values=[build.not_any(exits), stmt.test])
        stmt.body = body
        return (before + [stmt], exits & {self.return_flag}), exits

    def explicit_index(self, stmt):
        """(statements before the loop, target, range iterable, statements at the top of the body)."""
        target, iterable = stmt.target, stmt.iter
        callee = self.resolve(iterable.func) if isinstance(iterable, gast.Call) else None
        if callee is builtins.range and isinstance(target, gast.Name):
            if not _assigns(stmt.body, target.id):
                return [], target, iterable, []
            index = self.namer.fresh(f"{target.id}_value")
            return [], build.name(index, store=True), iterable, [build.assign(target.id, build.name(index), like=stmt)]
        if callee is builtins.enumerate and isinstance(target, gast.Tuple) and len(target.elts) == 2:
            counter, item = target.elts
            before, index, count_of, top = self.indexed(iterable.args[0], item, stmt)
            start = iterable.args[1] if len(iterable.args) > 1 else next(
                (k.value for k in iterable.keywords if k.arg == "start"), None)
            count = build.name(index) if start is None else gast.BinOp(
                left=build.name(index), op=gast.Add(), right=start)
            top = [build.assign(counter.id, count, like=stmt)] + top
            return before, build.name(index, store=True), count_of, top
        before, index, count, top = self.indexed(iterable, target, stmt)
        return before, build.name(index, store=True), count, top

    def indexed(self, iterable, target, like):
        """Index a sequence (or a zip of sequences) explicitly: (before, index name, range, body top)."""
        mapping, view = _dict_view(iterable, self.dict_names)
        if mapping is not None:
            return self.dict_loop(mapping, view, target, like)
        callee = self.resolve(iterable.func) if isinstance(iterable, gast.Call) else None
        if callee is builtins.reversed and len(iterable.args) == 1 and not iterable.keywords:
            before, sequence = self.named(iterable.args[0], like, wrap=self.needs_list(iterable.args[0]))
            index = self.namer.fresh("index")
            last = gast.BinOp(left=build.call("len", build.name(sequence)), op=gast.Sub(), right=build.const(1))
            backwards = build.call("range", last, build.const(-1), build.const(-1))
            return before, index, backwards, self.items(target, sequence, index, like)
        if callee is builtins.zip and isinstance(target, gast.Tuple) and len(target.elts) == len(iterable.args):
            before, sequences = [], []
            for arg in iterable.args:
                pre, sequence = self.named(arg, like, wrap=self.needs_list(arg))
                before += pre
                sequences.append(sequence)
            index = self.namer.fresh("index")
            top = []
            for element, sequence in zip(target.elts, sequences):
                top += self.items(element, sequence, index, like)
            return before, index, _range_len(sequences), top
        before, sequence = self.named(iterable, like, wrap=self.needs_list(iterable))
        index = self.namer.fresh("index")
        return before, index, _range_len([sequence]), self.items(target, sequence, index, like)

    def needs_list(self, iterable):
        """Whether a loop must materialize its iterable with list(...) before indexing it.

        A call may return an iterator (map, a generator); but numpy functions and ndarray methods
        with a rule return arrays, tuples or lists, which are indexed directly, so the gradient
        flows through their rule (for row in x.reshape(3, 2), for part in np.split(x, 3)).
        """
        if not isinstance(iterable, gast.Call):
            return False
        callee = self.resolve(iterable.func)
        if callee is not None:
            return getattr(callee, "__module__", None) == "builtins" or registry.lookup(callee) is None
        return not (isinstance(iterable.func, gast.Attribute) and registry.lookup_method(iterable.func.attr))

    def dict_loop(self, mapping, view, target, like):
        """for k in d / d.keys() / d.values() / d.items(): loop over the keys, read the values by key."""
        before, holder = self.named(mapping, like)
        keys = self.namer.fresh("keys")
        before.append(build.assign(keys, build.call(build.dotted(f"{build.RUNTIME}.keys"), build.name(holder)),
                                   like=like))
        index = self.namer.fresh("index")
        key = build.located(build.subscript(keys, build.name(index)), like)
        if view == "items" and isinstance(target, gast.Tuple) and len(target.elts) == 2:
            key_name = target.elts[0].id if isinstance(target.elts[0], gast.Name) else self.namer.fresh("key")
            top = [build.assign(key_name, key, like=like)]
            value = build.located(build.subscript(holder, build.name(key_name)), like)
            top += self.unpacked(target.elts[1], value, like)
        elif view == "values":
            top = self.unpacked(target, build.located(build.subscript(holder, key), like), like)
        else:
            top = self.unpacked(target, key, like)
        return before, index, _range_len([keys]), top

    def unpacked(self, target, value, like):
        if isinstance(target, gast.Name):
            return [build.assign(target.id, value, like=like)]
        holder = self.namer.fresh("item")
        out = [build.assign(holder, value, like=like)]
        for position, element in enumerate(target.elts):
            out += self.items_of(element, holder, position, like)
        return out

    def named(self, expression, like, wrap=False):
        """A name holding `expression` (statements to compute it, name).

        A loop iterates over the object its header named, even if the body
        rebinds that name, so such a name is held in a new one.
        """
        if wrap:
            expression = build.call("list", expression)
        if isinstance(expression, gast.Name) and not wrap and not _assigns(like.body, expression.id):
            return [], expression.id
        holder = self.namer.fresh("items" if wrap else _describe(expression))
        return [build.assign(holder, expression, like=like)], holder

    def items(self, target, sequence, index, like):
        item = build.located(build.subscript(sequence, build.name(index)), like)
        if isinstance(target, gast.Name):
            return [build.assign(target.id, item, like=like)]
        holder = self.namer.fresh("item")
        out = [build.assign(holder, item, like=like)]
        for position, element in enumerate(target.elts):
            out += self.items_of(element, holder, position, like)
        return out

    def items_of(self, target, holder, position, like):
        item = build.located(build.subscript(holder, position), like)
        if isinstance(target, gast.Name):
            return [build.assign(target.id, item, like=like)]
        inner = self.namer.fresh("item")
        out = [build.assign(inner, item, like=like)]
        for sub_position, element in enumerate(target.elts):
            out += self.items_of(element, inner, sub_position, like)
        return out


def _dict_view(iterable, dict_names):
    """(the mapping, "keys"/"values"/"items") when a loop iterates over a dict, else (None, None)."""
    if isinstance(iterable, gast.Name) and iterable.id in dict_names:
        return iterable, "keys"
    if (isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Attribute)
            and iterable.func.attr in ("keys", "values", "items") and not iterable.args and not iterable.keywords):
        return iterable.func.value, iterable.func.attr
    return None, None


def dict_names(function_node):
    """Names every assignment of which is a dict display or dict(...) call."""
    kinds = {}
    for node in walk(function_node):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            is_dict = isinstance(node.value, gast.Dict) or (
                isinstance(node.value, gast.Call) and isinstance(node.value.func, gast.Name)
                and node.value.func.id == "dict")
            kinds.setdefault(node.targets[0].id, set()).add(is_dict)
    return {name for name, seen in kinds.items() if seen == {True}}


def _describe(node):
    from transgrad.syntax.naming import describe
    return describe(node)


def _range_len(sequences):
    lengths = [build.call("len", build.name(s)) for s in sequences]
    count = lengths[0] if len(lengths) == 1 else build.call("min", *lengths)
    return build.call("range", count)


def _early_returns(body):
    """True when a return appears anywhere but as the last top-level statement."""
    for position, stmt in enumerate(body):
        for node in walk(stmt):
            if isinstance(node, gast.Return) and not (position == len(body) - 1 and node is stmt):
                return True
    return False


def _assigns(stmts, identifier):
    return any(isinstance(n, gast.Name) and n.id == identifier and isinstance(n.ctx, gast.Store)
               for stmt in stmts for n in walk(stmt))


def lower_control(function_node, namer, resolve):
    return LowerControl(namer, resolve).function(function_node)
