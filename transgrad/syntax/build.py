"""Small constructors for gast nodes, so passes read as what they build."""
import gast

_AST = gast.AST

# How normalized code names transgrad's runtime before emit/ gives it its final,
# collision-free name (usually `rt`); the resolver knows it.
RUNTIME = "__rt__"


def name(identifier, store=False):
    return gast.Name(id=identifier, ctx=gast.Store() if store else gast.Load(), annotation=None,
                     type_comment=None)


def const(value):
    return gast.Constant(value=value, kind=None)


def assign(target, value, like=None):
    target = name(target, store=True) if isinstance(target, str) else target
    node = gast.Assign(targets=[target], value=value, type_comment=None)
    return located(node, like)


def call(func, *args, keywords=()):
    func = name(func) if isinstance(func, str) else func
    return gast.Call(func=func, args=list(args), keywords=list(keywords))


def attribute(value, attr):
    value = name(value) if isinstance(value, str) else value
    return gast.Attribute(value=value, attr=attr, ctx=gast.Load())


def dotted(path):
    """'rt.add' -> Attribute(Name('rt'), 'add')."""
    parts = path.split(".")
    node = name(parts[0])
    for part in parts[1:]:
        node = gast.Attribute(value=node, attr=part, ctx=gast.Load())
    return node


def subscript(value, index):
    value = name(value) if isinstance(value, str) else value
    index = const(index) if isinstance(index, int) else index
    return gast.Subscript(value=value, slice=index, ctx=gast.Load())


def not_any(flags):
    """`not (a or b)` as `not a` / `not (a or b)`."""
    flags = sorted(flags)
    test = name(flags[0]) if len(flags) == 1 else gast.BoolOp(op=gast.Or(), values=[name(f) for f in flags])
    return gast.UnaryOp(op=gast.Not(), operand=test)


def any_of(flags):
    flags = sorted(flags)
    return name(flags[0]) if len(flags) == 1 else gast.BoolOp(op=gast.Or(), values=[name(f) for f in flags])


def if_(test, body, orelse=(), like=None):
    return located(gast.If(test=test, body=list(body), orelse=list(orelse)), like)


def located(node, like):
    """Give `node` the source location of `like` (children get theirs when the code is emitted)."""
    if like is not None and "lineno" in node._attributes and getattr(node, "lineno", None) is None:
        for field in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            setattr(node, field, getattr(like, field, None))
    return node


def clone(node, replace=None):
    """A deep copy of a gast tree (much faster than copy.deepcopy on ASTs): the node's attributes
    dict is copied, then every child node or list of nodes among its fields is cloned. Templates
    are cloned on every instantiation, so this is one of the compiler's hottest loops: only the
    `_fields` are looked at (locations are numbers), and lists are copied in place.

    `replace(node)`, if given, may return a new tree to use instead of a copy of `node`: a
    template is filled in while it is copied, in one pass (syntax/templates.py)."""
    if type(node) is list:
        return [clone(item, replace) for item in node]
    if not isinstance(node, _AST):
        return node
    if replace is not None:
        replaced = replace(node)
        if replaced is not None:
            return replaced
    kind = type(node)
    copied = kind.__new__(kind)
    state = node.__dict__.copy()
    for field in kind._fields:
        value = state.get(field)
        if type(value) is list:
            state[field] = [clone(item, replace) if isinstance(item, _AST) or type(item) is list else item
                            for item in value]
        elif isinstance(value, _AST):
            state[field] = clone(value, replace)
    copied.__dict__.update(state)
    return copied


def expr_stmt(value, like=None):
    return located(gast.Expr(value=value), like)


def index_value(index):
    """An index as an expression: slices become slice(...) calls."""
    if isinstance(index, gast.Slice):
        parts = [getattr(index, f) or const(None) for f in ("lower", "upper", "step")]
        return call("slice", *parts)
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[index_value(e) for e in index.elts], ctx=gast.Load())
    return index
