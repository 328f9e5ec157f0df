"""Compile generated source into functions that run in the user's globals.

The functions are defined inside a small "maker" function whose parameters
are the helpers the code needs (numpy, the runtime, compiled callees) and the
user's closure variables, so at run time globals are the user's own live
module namespace and closure variables are the user's own cells. The source
is registered with linecache under a descriptive file name, so tracebacks
and `inspect` show the generated line.
"""
import linecache
import re
import types

MAKER = "__transgrad_maker__"


class CompiledCode:
    """Code objects of generated functions plus what is needed to bind them."""

    def __init__(self, source, filename, codes, user_line_of):
        self.source = source
        self.filename = filename
        self.codes = codes
        self.user_line_of = user_line_of

    def bind(self, name, function_globals, cells, defaults=None, kwdefaults=None):
        """A function object for generated function `name`; `cells` maps free names to cells."""
        code = self.codes[name]
        closure = tuple(cells[free] for free in code.co_freevars)
        function = types.FunctionType(code, function_globals, name, defaults, closure)
        if kwdefaults:
            function.__kwdefaults__ = dict(kwdefaults)
        return function


def compile_functions(source, free_names, filename):
    """Compile `source` (top-level defs) so each def closes over `free_names`."""
    indented = "".join("    " + line if line.strip() else line for line in source.splitlines(True))
    maker_source = f"def {MAKER}({', '.join(free_names)}):\n{indented}"
    lines = maker_source.splitlines(True)
    filename = _free_filename(filename, lines)
    linecache.cache[filename] = (len(maker_source), None, lines, filename)
    maker_code = compile(maker_source, filename, "exec")
    maker = next(c for c in maker_code.co_consts if isinstance(c, types.CodeType))
    codes = {c.co_name: c for c in maker.co_consts if isinstance(c, types.CodeType)}
    return CompiledCode(source, filename, codes, _user_lines(lines))


def _free_filename(filename, lines):
    """`filename`, or `filename` with a number when linecache holds other code under it: the same
    function compiled for another wrt or argument ranks is other code, and a higher derivative
    reads each generated function's source back through its file name."""
    candidate, number = filename, 1
    while candidate in linecache.cache and linecache.cache[candidate][2] != lines:
        number += 1
        candidate = f"{filename[:-1]} #{number}>" if filename.endswith(">") else f"{filename} #{number}"
    return candidate


def _user_lines(lines):
    """{generated line number: user line number}, from the `# line N` comments."""
    mapping, current = {}, None
    for number, line in enumerate(lines, start=1):
        match = re.match(r"\s*# (?:grad of )?line (\d+):", line)
        if match:
            current = int(match.group(1))
        elif re.match(r"\s*def ", line):
            current = None
        mapping[number] = current
    return mapping
