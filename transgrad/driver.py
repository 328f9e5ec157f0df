"""The compiler as one flat sequence of stages, from a user function to compiled gradient code.

    parse -> fence -> desugar -> lower control flow -> A-normal form
          -> activity -> reverse transform -> assemble -> unparse -> compile

`compile_gradient` returns an Artifact: generated source, code objects and the
guards (global and closure names the code assumed) that the cache checks.
Calls to other user functions are compiled recursively as forward/backward
pairs; a recursive call links to the pair being compiled through a cell
filled in when it is done.
"""
import inspect
import math
import types

import gast
import numpy

from transgrad import markers, runtime
from transgrad import rules  # noqa: F401  (registers every rule module)
from transgrad.analysis.activity import Activity, collect_sites
from transgrad.analysis.aliases import check_aliases, protect_inputs
from transgrad.analysis.dtypes import may_be_complex
from transgrad.analysis.ranks import ranks
from transgrad.analysis.shapes import is_elementwise, shape_sources
from transgrad.emit import assemble
from transgrad.emit.codegen import name_runtime, unparse
from transgrad.emit.compile import compile_functions
from transgrad.errors import NonDifferentiableError, UnsupportedSyntaxError
from transgrad.frontend.fence import fence
from transgrad.frontend.parse import parse_function
from transgrad.frontend.resolve import Resolver
from transgrad.normalize.anf import local_names, to_anf
from transgrad.normalize.comprehensions import lower_comprehensions
from transgrad.normalize.control import lower_control
from transgrad.normalize.desugar import desugar
from transgrad.normalize.generated import drop_deletes, is_generated, prepare_generated
from transgrad.normalize.inline import LocalFunctions
from transgrad.optimize.fuse import fuse_trace_of_products
from transgrad.rules import registry
from transgrad.syntax import build
from transgrad.syntax.naming import Namer, names_in
from transgrad.syntax.templates import TemplateError, bind
from transgrad.syntax.walk import walk
from transgrad.transform.forward import Forward, bind_wrt
from transgrad.transform.reverse import Reverse

_TEMPLATE_MODULES = {"np": numpy, "rt": runtime, "math": math}

# generated file name -> Artifact, so an error in any generated frame can name the user's line
BY_FILENAME = {}


class Artifact:
    """One compiled gradient: its functions, its source and what it assumed."""

    def __init__(self, compiled, names, cells, guards, callees, parsed):
        self.compiled = compiled
        self.names = names          # role ("joint", "forward", "backward") -> function name
        self.cells = cells          # free name -> cell (helpers and compiled callees)
        self.guards = guards
        self.callees = callees      # Artifacts this one calls
        self.parsed = parsed

    @property
    def guarded(self):
        """Does this artifact depend on anything that could be rebound (checked on each call)?"""
        return bool(self.guards or self.callees)

    @property
    def source(self):
        return self.compiled.source

    def bind(self, function, role):
        """The generated function `role`, closing over the user function's own cells."""
        function = inspect.unwrap(function)
        cells = dict(self.cells)
        code = function.__code__
        for free, cell in zip(code.co_freevars, function.__closure__ or ()):
            cells[free] = cell
        if role == "backward":
            return self.compiled.bind(self.names[role], function.__globals__, cells)
        return self.compiled.bind(self.names[role], function.__globals__, cells, function.__defaults__,
                                  function.__kwdefaults__)

    def matches_closure(self, function):
        """Were the closure variables this code resolved (a function it calls, say) the same in
        `function`'s own cells? Two closures of one `def` share code but not their cells."""
        function = inspect.unwrap(function)
        cells = dict(zip(function.__code__.co_freevars, function.__closure__ or ()))
        for guard in self.guards:
            cell = cells.get(guard.name)
            if guard.cell is None or cell is None or cell is guard.cell:
                continue
            try:
                if not _same_kind(cell.cell_contents, guard.value):
                    return False
            except ValueError:   # an empty cell
                return False
        return True

    def guards_hold(self, seen=None):
        if not self.callees:
            for guard in self.guards:
                if not guard.holds():
                    return False
            return True
        seen = set() if seen is None else seen
        if id(self) in seen:
            return True
        seen.add(id(self))
        return all(g.holds() for g in self.guards) and all(c.guards_hold(seen) for c in self.callees)

    def user_line(self, generated_line):
        return self.compiled.user_line_of.get(generated_line)


def normalize(function, on_stage=None):
    """Parse, fence and normalize a function: (parsed, normalized FunctionDef, namer, resolver).

    `on_stage(name, node)` is called after each stage (for docs and tests).
    """
    on_stage = on_stage or (lambda name, node: None)
    parsed = parse_function(function)
    if is_generated(parsed):
        drop_deletes(parsed.node)
    fence(parsed)
    node = build.clone(parsed.node)
    namer = Namer(names_in(node) | set(parsed.closure))
    resolver = Resolver(parsed, local_names(node))
    if is_generated(parsed):   # transgrad's own gradient code, differentiated again (higher.py)
        prepare_generated(node, namer, resolver, parsed)
        resolver.locals = local_names(node)
    on_stage("parse", node)
    local_functions = LocalFunctions(namer, parsed, resolver, None)
    node.body = local_functions.extract(node.body)
    resolver.locals = local_names(node)

    def normalize_node(function_node, enclosing=()):
        lower_comprehensions(function_node, namer, parsed)
        function_node.body = local_functions.extract(function_node.body)
        desugar(function_node, namer, resolver.resolve)
        _check_with_blocks(function_node, resolver, parsed)
        if function_node is node:
            on_stage("desugar", function_node)
        lower_control(function_node, namer, resolver.resolve)
        if function_node is node:
            on_stage("control", function_node)
        to_anf(function_node, namer, enclosing)
        return function_node

    local_functions.normalize_node = normalize_node
    normalize_node(node)
    node.body = local_functions.inline(node.body, local_names(node))
    local_functions.check_no_values(node)
    on_stage("anf", node)
    resolver.locals = local_names(node)
    return parsed, node, namer, resolver


def analyze_sites(node, resolver, parsed, param_depths):
    """(assignments, container depth of each variable). In-place updates are checked for
    aliasing, and parameters they change are copied on entry."""
    sites = collect_sites(node, resolver, lambda w: True)
    depths = _depths(sites, param_depths)
    check_aliases(node, sites, resolver, parsed, depths)
    if protect_inputs(node, sites):
        sites = collect_sites(node, resolver, lambda w: True)
    return sites, depths


def explain(function, wrt=(0,)):
    """[(stage, text)]: the function after each stage, its activity, and the generated gradient.

    What docs/pipeline.md shows; tests use it for golden outputs of each pass.
    """
    stages = []
    normalize(function, lambda name, node: stages.append((name, gast.unparse(node).strip() + "\n")))
    parsed, node, namer, resolver = normalize(function)
    names = list(inspect.signature(function).parameters)
    wrt_names = tuple(names[w] if isinstance(w, int) else w for w in wrt)
    sites, _ = analyze_sites(node, resolver, parsed, {})
    activity = Activity(node, sites, wrt_names, _output_name(node), parsed)
    stages.append(("activity", f"varied: {', '.join(sorted(activity.varied))}\n"
                               f"useful: {', '.join(sorted(activity.useful))}\n"
                               f"active: {', '.join(sorted(activity.active))}\n"))
    artifact = Compiler({}).compile(function, wrt_names, "grad")
    stages.append(("gradient", artifact.source))
    return stages


def _same_kind(value, resolved):
    """Can code compiled when a closure variable held `resolved` run with `value`? The same function
    or module; for data, the same type, rank and complexness (what ranks.py and dtypes.py read)."""
    if value is resolved:
        return True
    if callable(resolved) or callable(value) or isinstance(resolved, types.ModuleType):
        return False
    if type(value) is not type(resolved):
        return False
    if isinstance(value, numpy.ndarray):
        return value.ndim == resolved.ndim and (value.dtype.kind == "c") == (resolved.dtype.kind == "c")
    return True


def closure_callables(function):
    """The functions a closure holds, by identity: closures of one `def` that call different
    functions get code of their own (their artifacts also check every cell they resolved)."""
    cells = getattr(function, "__closure__", None)
    if not cells:
        return ()
    found = []
    for cell in cells:
        try:
            contents = cell.cell_contents
        except ValueError:
            continue
        if callable(contents):
            found.append(id(contents))
    return tuple(found)


class Compiler:
    """Compiles functions and the user functions they call; one instance per top-level request."""

    def __init__(self, cache):
        self.cache = cache          # {key: Artifact}, shared across requests
        self.in_progress = {}       # key -> (forward cell, backward cell)

    def compile(self, function, wrt, mode, depths=None, preserve_result=False, argument_ranks=(),
                complex_arguments=True):
        """mode: "grad" (joint function) or "vjp" (forward/backward pair). argument_ranks: the
        rank of each positional argument the code is specialised for (None: any). complex_arguments:
        whether an argument may hold a complex value (a callee's may)."""
        if mode == "jvp":
            return self.compile_forward(function, wrt, depths, argument_ranks)
        (parsed, node, namer, resolver, sites, variable_depths, output, activity, param_ranks,
         variable_ranks) = _front_end(function, wrt, depths, argument_ranks)
        assigned = {site.target for site in sites}
        sources = shape_sources(sites, variable_ranks, [p for p in param_ranks if p not in assigned],
                                registry.is_elementwise)
        free = _free_names(namer, resolver)
        links = _Linker(self, namer, parsed)
        reverse = Reverse(node, parsed, sites, activity, wrt, namer, free, links.link, variable_depths, output,
                          variable_ranks, sources, may_be_complex(node, resolver, complex_arguments))
        result = reverse.run()
        result.elementwise = {id(site.stmt) for site in sites if is_elementwise(site, registry.is_elementwise)}

        name = node.name
        if mode == "grad":
            role_names = {"joint": namer.fresh(f"{'value_and_grad' if preserve_result else 'grad'}_{name}")}
            defs = [assemble.joint(role_names["joint"], node, result, free["rt"], preserve_result,
                                   isinstance(wrt, tuple) and len(wrt) != 1 or getattr(wrt, "as_tuple", False))]
        else:
            role_names = {"forward": namer.fresh(f"{name}_forward"), "backward": namer.fresh(f"{name}_backward")}
            defs = list(assemble.split(role_names["forward"], role_names["backward"], node, result,
                                       namer.fresh("saved")))
        source = unparse(name_runtime(defs, free["rt"]), parsed.line_text)
        helpers = {free[k]: v for k, v in _TEMPLATE_MODULES.items()}
        helpers.update(result.helpers)
        cells = {n: types.CellType(v) for n, v in helpers.items()}
        cells.update(links.cells)
        free_list = sorted(set(cells) | set(parsed.closure))
        filename = f"<transgrad {'/'.join(role_names.values())} of {parsed.filename}:{parsed.node.lineno}>"
        compiled = compile_functions(source, free_list, filename)
        artifact = Artifact(compiled, role_names, cells, list(resolver.guards.values()), links.artifacts, parsed)
        # its backward (or a callee's) puts in-place updates back: a second pullback needs a new forward
        artifact.restores_in_place = bool(result.restored_in_place) or any(
            getattr(callee, "restores_in_place", False) for callee in links.artifacts)
        BY_FILENAME[compiled.filename] = artifact
        return artifact

    def split_artifact(self, function, wrt):
        """The forward/backward pair of a callee, compiled once per (code, wrt)."""
        key = (function.__code__, tuple(wrt), "vjp", None, False, function.__code__.co_filename,
               closure_callables(function))
        if key in self.cache and self.cache[key].matches_closure(function):
            return self.cache[key], None
        if key in self.in_progress:
            return None, self.in_progress[key]
        cells = (types.CellType(), types.CellType())
        self.in_progress[key] = cells
        try:
            artifact = self.compile(function, tuple(wrt), "vjp")
        finally:   # a callee that fails to compile must not leave its empty cells for the next try
            del self.in_progress[key]
        self.cache[key] = artifact
        cells[0].cell_contents = artifact.bind(function, "forward")
        cells[1].cell_contents = artifact.bind(function, "backward")
        return artifact, cells


    def compile_forward(self, function, wrt, depths=None, argument_ranks=()):
        """Forward mode: `jvp_f(x_dot, ..., x, ...)` returning (value, tangent), compiled with the
        same front end and activity analysis as the reverse mode (transform/forward.py)."""
        (parsed, node, namer, resolver, sites, variable_depths, output, activity, param_ranks,
         variable_ranks) = _front_end(function, wrt, depths, argument_ranks)
        free = _free_names(namer, resolver)
        links = _ForwardLinker(self, namer, parsed)
        result = Forward(node, parsed, sites, activity, wrt, namer, free, links.link, variable_depths, output,
                         variable_ranks).run()
        role_names = {"jvp": namer.fresh(f"jvp_{node.name}")}
        defs = [assemble.jvp(role_names["jvp"], node, result)]
        source = unparse(name_runtime(defs, free["rt"]), parsed.line_text)
        helpers = {free[k]: v for k, v in _TEMPLATE_MODULES.items()}
        helpers.update(result.helpers)
        cells = {n: types.CellType(v) for n, v in helpers.items()}
        cells.update(links.cells)
        free_list = sorted(set(cells) | set(parsed.closure))
        filename = f"<transgrad {role_names['jvp']} of {parsed.filename}:{parsed.node.lineno}>"
        compiled = compile_functions(source, free_list, filename)
        artifact = Artifact(compiled, role_names, cells, list(resolver.guards.values()), links.artifacts, parsed)
        artifact.restores_in_place = False
        BY_FILENAME[compiled.filename] = artifact
        return artifact

    def jvp_artifact(self, function, wrt):
        """A callee's jvp function, compiled once per (code, wrt); a recursive call links to the one
        being compiled through a cell filled in when it is done."""
        key = (function.__code__, tuple(wrt), "jvp", None, False, function.__code__.co_filename,
               closure_callables(function))
        if key in self.cache and self.cache[key].matches_closure(function):
            return self.cache[key], None
        if key in self.in_progress:
            return None, self.in_progress[key]
        cell = types.CellType()
        self.in_progress[key] = cell
        try:
            artifact = self.compile_forward(function, tuple(wrt))
        finally:
            del self.in_progress[key]
        self.cache[key] = artifact
        cell.cell_contents = artifact.bind(function, "jvp")
        return artifact, cell


def _front_end(function, wrt, depths, argument_ranks):
    """What both modes start from: the normalized function, its assignments and their container
    depths, the returned name, activity, and the ranks of parameters and variables (with
    trace(a @ b) fused, which changes the assignments, so they are collected again)."""
    parsed, node, namer, resolver = normalize(function)
    sites, variable_depths = analyze_sites(node, resolver, parsed, depths or {})
    output = _output_name(node)
    activity = Activity(node, sites, wrt, output, parsed)
    positional = [a.id for a in node.args.posonlyargs + node.args.args]
    param_ranks = {name: None for name in positional + [a.id for a in node.args.kwonlyargs]}
    param_ranks.update((name, rank) for name, rank in zip(positional, argument_ranks))
    variable_ranks = ranks(node, sites, param_ranks, resolver.resolve)
    if fuse_trace_of_products(node, sites, variable_ranks, resolver.resolve):
        resolver.locals = local_names(node)
        sites, variable_depths = analyze_sites(node, resolver, parsed, depths or {})
        activity = Activity(node, sites, wrt, output, parsed)
        variable_ranks = ranks(node, sites, param_ranks, resolver.resolve)
    return parsed, node, namer, resolver, sites, variable_depths, output, activity, param_ranks, variable_ranks


class _Links:
    """The compiled callees one function links to: their cells (free names of the generated code)
    and artifacts, one link per (callee, wrt)."""

    def __init__(self, compiler, namer, parsed):
        self.compiler = compiler
        self.namer = namer
        self.parsed = parsed
        self.cells = {}
        self.artifacts = []
        self.by_key = {}

    def cannot_bind(self, callee, site, error):
        return NonDifferentiableError(callee.__name__, self.parsed.span(site.stmt), str(error))


class _ForwardLinker(_Links):
    """Gives the forward transform the name of a callee's jvp function and the arguments with tangents."""

    def link(self, callee, args, keywords, carried, site):
        try:
            wrt, arg_names = bind_wrt(callee, args, keywords, carried)
        except (TemplateError, ValueError) as error:
            raise self.cannot_bind(callee, site, error) from None
        key = (callee, tuple(wrt))
        if key not in self.by_key:
            artifact, cell = _helper_artifact(self.compiler.jvp_artifact, callee, wrt, self.parsed.span(site.stmt))
            if cell is None:   # already cached: bind a fresh function for this callee
                cell = types.CellType(artifact.bind(callee, "jvp"))
            if artifact is not None:
                self.artifacts.append(artifact)
            name = self.namer.fresh(f"jvp_{callee.__name__}")
            self.cells[name] = cell
            self.by_key[key] = name
        return self.by_key[key], arg_names


class _Linker(_Links):
    """Gives the reverse transform names for a callee's forward and backward functions."""

    def link(self, callee, args, keywords, active, site):
        try:
            signature = inspect.signature(callee)
            mapping = bind(signature, args, keywords)
        except (TemplateError, ValueError) as error:
            raise self.cannot_bind(callee, site, error) from None
        for parameter in signature.parameters.values():
            packed = mapping.get(parameter.name)
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD) and any(
                    isinstance(n, gast.Name) and n.id in active for n in walk(packed or gast.Tuple(elts=[]))):
                raise NonDifferentiableError(
                    callee.__name__, self.parsed.span(site.stmt),
                    "a value that needs a gradient is passed through its *args or **kwargs, which only works "
                    "for helpers defined in the same module as the differentiated function")
        wrt = [p for p, a in mapping.items() if isinstance(a, gast.Name) and a.id in active]
        arg_names = [mapping[p].id for p in wrt]
        key = (callee, tuple(wrt))
        if key not in self.by_key:
            artifact, cells = _helper_artifact(self.compiler.split_artifact, callee, wrt, self.parsed.span(site.stmt))
            if cells is None:  # already cached: bind fresh functions for this callee
                cells = (types.CellType(artifact.bind(callee, "forward")),
                         types.CellType(artifact.bind(callee, "backward")))
            if artifact is not None:
                self.artifacts.append(artifact)
            base = callee.__name__
            forward, backward = self.namer.fresh(f"{base}_forward"), self.namer.fresh(f"{base}_backward")
            self.cells[forward], self.cells[backward] = cells
            self.by_key[key] = (forward, backward)
        forward, backward = self.by_key[key]
        return forward, backward, arg_names


def _helper_artifact(make, callee, wrt, span):
    """make(callee, wrt) for a callee of the code being differentiated. A runtime helper of
    generated code without a rule of its own is differentiated through its source (higher
    derivatives); when that source cannot be, the error names the helper at the generated line
    that calls it, not a line of transgrad's runtime."""
    if getattr(callee, "__module__", None) != runtime.__name__:
        return make(callee, wrt)
    try:
        return make(callee, wrt)
    except (UnsupportedSyntaxError, NonDifferentiableError) as error:
        reason = str(error).split("\n")[0].split(". A value that needs")[0]
        raise NonDifferentiableError(
            f"rt.{callee.__name__}", span,
            f"this helper of the generated gradient has no rule for higher derivatives, and its source "
            f"cannot be differentiated ({reason})") from None


def _output_name(node):
    last = node.body[-1] if node.body else None
    if isinstance(last, gast.Return) and isinstance(last.value, gast.Name):
        return last.value.id
    return None


def _free_names(namer, resolver):
    """Names for numpy, the runtime and math in generated code, never shadowing a user's name."""
    free = {}
    for short, module in _TEMPLATE_MODULES.items():
        user_value = resolver.resolve(gast.Name(id=short, ctx=gast.Load(), annotation=None, type_comment=None))
        if short not in namer.taken or user_value is module:
            namer.reserve(short)
            free[short] = short
        else:
            free[short] = namer.fresh(f"{short}_")
    return free


def _check_with_blocks(node, resolver, parsed):
    for sub in walk(node):
        if isinstance(sub, gast.With):
            context = sub.items[0].context_expr
            callee = resolver.resolve(context.func) if isinstance(context, gast.Call) else None
            if callee is not markers.no_grad:
                raise UnsupportedSyntaxError("this with statement", parsed.span(sub),
                                             "only `with tg.no_grad():` is supported inside a differentiated function")


def _depth_of_parameter(op, parameter, depths):
    """The container depth of the argument a rule's result is structured like (rule helpers such as
    rt.extreme_grad return a list for a list and a number for a number)."""
    try:
        argument = bind(op.rule.parsed[2], op.args, op.keywords).get(parameter)
    except TemplateError:
        return None
    if isinstance(argument, gast.Name):
        return depths.get(argument.id, "unset")
    return 0 if isinstance(argument, gast.Constant) else None


def _element_of_display(site, displays):
    """For t = items[k] with a constant k and items a tuple/list display: that element's node."""
    value = site.stmt.value
    if not isinstance(value, gast.Subscript) or not isinstance(value.value, gast.Name):
        return None
    elements = displays.get(value.value.id)
    index = value.slice
    if elements is None or not (isinstance(index, gast.Constant) and type(index.value) is int):
        return None
    return elements[index.value] if -len(elements) <= index.value < len(elements) else None


# runtime helpers (in generated code that is differentiated again) whose result is structured like
# their first argument: a gradient buffer of a list is a list
_STRUCTURE_PRESERVING = {"zeros_like", "maybe_copy", "buffer", "owned", "added_to", "cleared", "replaced", "add",
                         "copy_input"}


def _same_structure_operand(site):
    value = site.stmt.value
    if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
            and isinstance(value.func.value, gast.Name) and value.func.value.id in ("rt", build.RUNTIME)
            and value.func.attr in _STRUCTURE_PRESERVING and value.args):
        like = value.args[1] if value.func.attr in ("maybe_copy", "buffer") and len(value.args) > 1 else value.args[0]
        return like.id if isinstance(like, gast.Name) else None
    return None


def _depths(sites, param_depths):
    """Container nesting depth of each variable (0: an array or number), None when unknown."""
    depths = dict(param_depths)
    assigned = {}
    for site in sites:
        assigned.setdefault(site.target, []).append(site)
    displays = {name: found[0].stmt.value.elts for name, found in assigned.items()
                if len(found) == 1 and isinstance(found[0].stmt.value, (gast.Tuple, gast.List))
                and found[0].operation.kind == "display"}
    for _ in range(len(sites) + 1):
        changed = False
        for site in sites:
            op = site.operation
            if op.kind in ("setitem", "append", "extend", "mutation"):
                continue
            if op.kind == "copy":
                new = depths.get(op.operands[0], "unset")
            elif op.kind == "subscript" and _element_of_display(site, displays) is not None:
                element = _element_of_display(site, displays)
                new = depths.get(element.id, "unset") if isinstance(element, gast.Name) else 0
            elif op.kind in ("subscript", "getattr"):
                source = depths.get(op.operands[0], "unset") if op.operands else 0
                sliced = op.kind == "subscript" and isinstance(site.stmt.value.slice, gast.Slice)
                new = source if source in (None, "unset") or sliced else max(source - 1, 0)
            elif op.kind == "display":
                inner = [depths.get(n, "unset") for n in op.operands]
                new = ("unset" if "unset" in inner else None if None in inner else 1 + max(inner, default=0))
            elif op.kind == "rule" and op.label == "+" and any(
                    isinstance(depths.get(getattr(a, "id", None)), int) and depths[a.id] > 0 for a in op.args):
                new = None   # list or tuple concatenation
            elif _same_structure_operand(site) is not None:
                new = depths.get(_same_structure_operand(site), "unset")   # generated code's buffers
            elif op.kind == "rule" and isinstance(op.rule.tuple_result, str):
                new = _depth_of_parameter(op, op.rule.tuple_result, depths)   # shaped like that argument
            elif op.kind == "rule" and op.rule.tuple_result:
                new = 1      # a tuple or list of arrays (np.linalg.svd, np.split, divmod)
            elif op.kind in ("rule", "constant"):
                new = 0
            else:
                new = None
            if new == "unset":
                continue
            old = depths.get(site.target, "unset")
            merged = new if old == "unset" or old == new else None
            if merged != old:
                depths[site.target] = merged
                changed = True
        if not changed:
            break
    return depths
