"""A-normal form: one operation per statement, temporaries named after what they hold.

After this pass an assignment's target is a name or `name[atoms]`, and its
value is one of: an atom (a name, a constant,
or a global reference such as `np.pi`), or one operation whose operands are
atoms: a binary or unary operator, a call, an attribute, a subscript, a tuple,
list or dict display (a subscript assignment's value is an atom, and so is
the argument of `items.append(v)`). Comparisons and boolean operators stay whole: they only
produce constants, so nothing in them is ever differentiated. A conditional
expression becomes an if statement. Every new statement keeps the user's line.

    z = y * y * 3        ->    y_times_y = y * y
                               z = y_times_y * 3
"""
import gast

from transgrad.syntax import build
from transgrad.syntax.walk import walk

_OPAQUE = (gast.Compare, gast.BoolOp, gast.JoinedStr, gast.FormattedValue)


def is_opaque(node):
    """Expressions kept whole: they produce booleans or strings, never gradients."""
    return isinstance(node, _OPAQUE) or (isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not))


class ANF:
    def __init__(self, namer, local_names):
        self.namer = namer
        self.locals = local_names
        self.pending = []
        self.line = None

    # ----- statements -----

    def block(self, stmts):
        out = []
        for stmt in stmts:
            out.extend(self.statement(stmt))
        return out

    def statement(self, stmt):
        self.pending, self.line = [], stmt
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
            target = stmt.targets[0]
            target.slice = self.index(target.slice)
            stmt.value = self.atom(stmt.value)
            return self.pending + [stmt]
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.IfExp):
            self.conditional(stmt.value, target=stmt.targets[0].id)
            return self.pending
        if isinstance(stmt, gast.Assign):
            stmt.value = self.operation(stmt.value, target=stmt.targets[0].id)
        elif isinstance(stmt, gast.Return):
            if stmt.value is not None:
                stmt.value = self.atom(stmt.value)
        elif isinstance(stmt, gast.If):
            stmt.test = self.test(stmt.test)
            before = self.pending
            stmt.body, stmt.orelse = self.block(stmt.body), self.block(stmt.orelse)
            return before + [stmt]
        elif isinstance(stmt, gast.For):
            stmt.iter = self.operation(stmt.iter)
            before = self.pending
            stmt.body = self.block(stmt.body)
            return before + [stmt]
        elif isinstance(stmt, gast.While):
            return self.while_loop(stmt)
        elif isinstance(stmt, gast.With):
            stmt.body = self.block(stmt.body)
        elif isinstance(stmt, gast.Expr) and _is_list_update(stmt.value, self.locals):
            stmt.value.args = [self.atom(a) for a in stmt.value.args]
        return self.pending + [stmt]

    def while_loop(self, stmt):
        if is_opaque(stmt.test) or _is_atom(stmt.test, self.locals):
            stmt.body = self.block(stmt.body)
            return [stmt]
        flag = self.namer.fresh("keep_going")
        test = stmt.test
        first = self.block([build.assign(flag, test, like=stmt)])
        again = self.block([build.assign(flag, _copy(test), like=stmt)])
        stmt.test = build.name(flag)
        stmt.body = self.block(stmt.body) + again
        return first + [stmt]

    def test(self, node):
        return node if is_opaque(node) else self.atom(node)

    # ----- expressions -----

    def atom(self, node):
        """An atom equal to `node`, emitting statements for whatever it needs."""
        if _is_atom(node, self.locals):
            return node
        if isinstance(node, gast.IfExp):
            return self.conditional(node)
        operation = self.operation(node)
        temp = self.namer.for_expression(node)
        self.pending.append(build.assign(temp, operation, like=self.line))
        return build.name(temp)

    def conditional(self, node, target=None):
        temp = target or self.namer.for_expression(node)
        test = self.test(node.test)
        saved = self.pending
        branches = []
        for branch in (node.body, node.orelse):
            self.pending = []
            value = self.operation(branch, target=temp)
            branches.append(self.pending + [build.assign(temp, value, like=self.line)])
        self.pending = saved
        self.pending.append(build.if_(test, branches[0], branches[1], like=self.line))
        return build.name(temp)

    def operation(self, node, target=None):
        """`node` with atoms as operands (one operation)."""
        if is_opaque(node) or _is_atom(node, self.locals):
            return node
        if isinstance(node, gast.IfExp):
            if target is None:
                return self.conditional(node)
            self.conditional(node, target)
            return build.name(target)
        if isinstance(node, gast.BinOp):
            node.left, node.right = self.atom(node.left), self.atom(node.right)
        elif isinstance(node, gast.UnaryOp):
            node.operand = self.atom(node.operand)
        elif isinstance(node, gast.Call):
            node.func = self.callee(node.func)
            node.args = [self.atom(a) for a in node.args]
            for keyword in node.keywords:
                keyword.value = self.atom(keyword.value)
        elif isinstance(node, gast.Attribute):
            node.value = self.atom(node.value)
        elif isinstance(node, gast.Subscript):
            node.value = self.atom(node.value)
            node.slice = self.index(node.slice)
        elif isinstance(node, (gast.Tuple, gast.List)):
            node.elts = [self.atom(e) for e in node.elts]
        elif isinstance(node, gast.Dict):
            node.keys = [self.atom(k) for k in node.keys]
            node.values = [self.atom(v) for v in node.values]
        return node

    def callee(self, func):
        if _is_global_reference(func, self.locals) or isinstance(func, gast.Name):
            return func
        if isinstance(func, gast.Attribute):
            func.value = self.atom(func.value)
            return func
        return self.atom(func)

    def index(self, node):
        if isinstance(node, gast.Slice):
            for field in ("lower", "upper", "step"):
                part = getattr(node, field)
                if part is not None:
                    setattr(node, field, self.atom(part))
            return node
        if isinstance(node, gast.Tuple):
            node.elts = [self.index(e) for e in node.elts]
            return node
        return self.atom(node)


LIST_UPDATES = ("append", "extend")


def _is_list_update(call, local_names):
    """`items.append(v)` / `items.extend(vs)` on a local list: a mutation the reverse transform undoes."""
    return (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute)
            and call.func.attr in LIST_UPDATES and isinstance(call.func.value, gast.Name)
            and call.func.value.id in local_names and len(call.args) == 1 and not call.keywords)


def _is_atom(node, local_names):
    # a lambda stays where a library function takes it (sorted(..., key=lambda i: x[i])): named, it
    # would be a local function used as a value when the generated code is differentiated again
    if isinstance(node, (gast.Name, gast.Constant, gast.Lambda)):
        return True
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant):
        return True
    return _is_global_reference(node, local_names)


def _is_global_reference(node, local_names):
    """`np.pi`, `math.tau`, `config.scale`: attribute chains rooted at a non-local name."""
    if not isinstance(node, gast.Attribute):
        return False
    root = node
    while isinstance(root, gast.Attribute):
        root = root.value
    return isinstance(root, gast.Name) and root.id not in local_names


def _copy(node):
    return build.clone(node)


def local_names(function_node):
    """Parameters and every name the function body assigns."""
    found = {a.id for a in function_node.args.args + function_node.args.kwonlyargs}
    for node in walk(function_node):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            found.add(node.id)
    return found


def to_anf(function_node, namer, enclosing_locals=()):
    """`enclosing_locals`: variables of an enclosing function that an inlined function reads."""
    names = local_names(function_node) | set(enclosing_locals)
    function_node.body = ANF(namer, names).block(function_node.body)
    return function_node
