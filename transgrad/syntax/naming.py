"""Deterministic, readable, collision-free names for generated code.

The same function always gets the same names (no uuids), derived from the
user's names: the adjoint of `x` is `dx`, the temporary holding `np.sin(x)` is
`sin_x`. A name is never one the user's function already uses.
"""
import keyword
import re

import gast
from transgrad.syntax.walk import walk

_OPERATOR_WORDS = {
    gast.Add: "plus", gast.Sub: "minus", gast.Mult: "times", gast.Div: "over",
    gast.Pow: "pow", gast.MatMult: "matmul", gast.Mod: "mod", gast.FloorDiv: "floordiv",
    gast.USub: "neg", gast.UAdd: "pos", gast.Not: "not", gast.Invert: "invert",
    gast.BitAnd: "and", gast.BitOr: "or", gast.BitXor: "xor",
    gast.LShift: "lshift", gast.RShift: "rshift",
}
_MAX_LENGTH = 24


def names_in(tree):
    """Every identifier a tree uses (variables, parameters, attribute names)."""
    found = set()
    for node in walk(tree):
        if isinstance(node, gast.Name):
            found.add(node.id)
        elif isinstance(node, gast.FunctionDef):
            found.add(node.name)
    return found


class Namer:
    """Hands out names not in `taken`, remembering each one it gives."""

    def __init__(self, taken=()):
        self.taken = set(taken)

    def fresh(self, base):
        base = "_" if base == "_" else (_identifier(base) or "tmp")
        name, counter = base, 1
        while name in self.taken:
            name = f"{base}_{counter}"
            counter += 1
        self.taken.add(name)
        return name

    def __deepcopy__(self, memo):
        return Namer(self.taken)

    def reserve(self, name):
        self.taken.add(name)

    def for_expression(self, node):
        """A temporary's name that says what it holds: y * y -> y_times_y, np.sin(x) -> sin_x."""
        return self.fresh(describe(node))


def describe(node):
    """A short identifier describing an expression."""
    text = _describe(node)
    if len(text) > _MAX_LENGTH:
        text = text[:_MAX_LENGTH].rstrip("_")
    return text


def _describe(node):
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Constant):
        return _constant_word(node.value)
    if isinstance(node, gast.BinOp):
        return f"{_describe(node.left)}_{_OPERATOR_WORDS.get(type(node.op), 'op')}_{_describe(node.right)}"
    if isinstance(node, gast.UnaryOp):
        return f"{_OPERATOR_WORDS.get(type(node.op), 'op')}_{_describe(node.operand)}"
    if isinstance(node, gast.Call):
        func = node.func
        if isinstance(func, gast.Attribute) and not _is_module_chain(func.value):
            return f"{_describe(func.value)}_{func.attr}"
        callee = func.attr if isinstance(func, gast.Attribute) else _describe(func)
        if node.args:
            return f"{callee}_{_describe(node.args[0])}"
        return callee
    if isinstance(node, gast.Attribute):
        return f"{_describe(node.value)}_{node.attr}"
    if isinstance(node, gast.Subscript):
        return f"{_describe(node.value)}_{_describe_index(node.slice)}"
    if isinstance(node, gast.Compare):
        return f"{_describe(node.left)}_cmp"
    if isinstance(node, gast.IfExp):
        return "choice"
    if isinstance(node, (gast.Tuple, gast.List)):
        return "items"
    if isinstance(node, gast.Dict):
        return "mapping"
    return type(node).__name__.lower()


def _describe_index(node):
    if isinstance(node, gast.Slice):
        return "slice"
    if isinstance(node, gast.Tuple):
        return "_".join(_describe_index(e) for e in node.elts)
    return _describe(node)


def _is_module_chain(node):
    return isinstance(node, gast.Name) and node.id in ("np", "numpy", "math", "tg", "transgrad")


def _constant_word(value):
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, (int, float)):
        return re.sub(r"[^0-9a-zA-Z]", "_", repr(value)).strip("_") or "c"
    return "c"


def _identifier(text):
    text = re.sub(r"\W", "_", text)
    text = re.sub(r"_+", "_", text).strip("_")
    if text and text[0].isdigit():
        text = "c" + text
    if keyword.iskeyword(text):   # a hoisted lambda is named for what it is, but `lambda` is reserved
        text = f"{text}_fn" if text == "lambda" else f"{text}_"
    return text
