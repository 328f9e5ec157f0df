"""Local functions, lambdas and higher-order helpers are inlined at their call sites.

    square = lambda v: v * v          ->    v_1 = x
    y = square(x)                           y = v_1 * v_1

A `def` or a lambda inside the differentiated function is removed from where
it is defined (default values are evaluated there, as Python does) and its
normalized body is spliced into every call, with its own variables renamed,
so closures read the enclosing variables' current values, as Python's do. A
module-level helper of the same module that receives a function (`apply(f, x)`)
is inlined the same way, with the function substituted for its parameter, so
the call inside it is known when compiling; so is a helper taking *args or
**kwargs, which become a tuple and a dict of the call's extra arguments. Recursion among local functions is
rejected.
"""
import inspect

import gast

from transgrad.errors import UnsupportedSyntaxError
from transgrad.frontend.fence import fence
from transgrad.frontend.parse import parse_function
from transgrad.rules import registry
from transgrad.syntax import build
from transgrad.syntax.walk import Transformer, walk

_MAX_DEPTH = 12
_VARIADIC = inspect.CO_VARARGS | inspect.CO_VARKEYWORDS
_API_MODULES = ("transgrad.api", "transgrad.higher")   # tg.grad, tg.jacobian, tg.hessian, ...


class LocalFunctions:
    def __init__(self, namer, parsed, resolver, normalize_node):
        self.namer = namer
        self.parsed = parsed
        self.resolver = resolver
        self.normalize_node = normalize_node   # (FunctionDef, enclosing locals) -> normalized FunctionDef
        self.functions = {}                     # name -> FunctionDef with defaults replaced by names

    # ----- taking definitions out -----

    def extract(self, stmts):
        """The statements without local defs and `f = lambda ...`; those are remembered."""
        out = []
        for stmt in stmts:
            definition = self._definition(stmt)
            if definition is not None:
                out.extend(self._remember(definition, stmt))
                continue
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    setattr(stmt, field, self.extract(getattr(stmt, field)))
            out.extend(self._lambda_arguments(stmt))
            out.append(stmt)
        return out

    def _lambda_arguments(self, stmt):
        """Lambdas passed to local functions or to helpers of this module become named local functions."""
        out = []
        for call in [n for n in walk(stmt) if isinstance(n, gast.Call)]:
            callee = self.resolver.resolve(call.func)
            callee_is_ours = (isinstance(call.func, gast.Name) and call.func.id in self.functions) or \
                (inspect.isfunction(callee) and registry.lookup(callee) is None)   # a rule's callee is a primitive
            if not callee_is_ours:
                continue
            for position, argument in enumerate(call.args):
                if isinstance(argument, gast.Lambda):
                    name = self.namer.fresh("function")
                    definition = self._definition(build.assign(name, argument, like=stmt))
                    out.extend(self._remember(definition, stmt))
                    call.args[position] = build.name(name)
            for keyword in call.keywords:
                if isinstance(keyword.value, gast.Lambda):
                    name = self.namer.fresh("function")
                    out.extend(self._remember(self._definition(build.assign(name, keyword.value, like=stmt)), stmt))
                    keyword.value = build.name(name)
        return out

    def _definition(self, stmt):
        if isinstance(stmt, gast.FunctionDef):
            return stmt
        if (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Lambda)):
            lam = stmt.value
            body = [build.located(gast.Return(value=lam.body), stmt)]
            node = gast.FunctionDef(name=stmt.targets[0].id, args=lam.args, body=body,
                                    decorator_list=[], returns=None, type_comment=None, type_params=[])
            return build.located(node, stmt)
        return None

    def _remember(self, node, like):
        """Evaluate the defaults where the function is defined; remember the function."""
        if node.decorator_list:
            raise UnsupportedSyntaxError("decorators on a local function", self.parsed.span(node),
                                         "apply the decorator's effect by hand, or define the function at module level")
        if node.name in self.functions:
            raise UnsupportedSyntaxError(f"a second local function named `{node.name}`", self.parsed.span(node),
                                         "give each local function its own name")
        defaults, out = [], []
        for default in node.args.defaults:
            holder = self.namer.fresh(f"{node.name}_default")
            out.append(build.assign(holder, default, like=like))
            defaults.append(build.name(holder))
        node.args.defaults = defaults
        kw_defaults = []
        for default in node.args.kw_defaults:
            if default is None:
                kw_defaults.append(None)
                continue
            holder = self.namer.fresh(f"{node.name}_default")
            out.append(build.assign(holder, default, like=like))
            kw_defaults.append(build.name(holder))
        node.args.kw_defaults = kw_defaults
        self.functions[node.name] = node
        return out

    def check_no_values(self, node):
        """After inlining, a local function's name may only have been called or passed to a helper."""
        for sub in walk(node):
            if isinstance(sub, gast.Name) and sub.id in self.functions and isinstance(sub.ctx, gast.Load):
                definition = self.functions[sub.id]
                raise UnsupportedSyntaxError(
                    f"using the local function `{sub.id}` as a value", self.parsed.span(definition),
                    "call it, pass it to a helper of this module, or write the lambda inline where a library "
                    "function takes it (e.g. sorted(xs, key=lambda v: -v))")

    # ----- splicing calls -----

    def inline(self, stmts, enclosing, depth=0):
        """The statements with every call to a local function (or a helper given a function) expanded."""
        out = []
        for stmt in stmts:
            expanded = self._expand_statement(stmt, enclosing, depth)
            if expanded is not None:
                out.extend(expanded)
                continue
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    setattr(stmt, field, self.inline(getattr(stmt, field), enclosing, depth))
            out.append(stmt)
        return out

    def _expand_statement(self, stmt, enclosing, depth):
        call = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
        if not isinstance(call, gast.Call):
            return None
        target = stmt.targets[0].id if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
            else None
        if isinstance(call.func, gast.Name) and call.func.id in self.functions:
            return self._expand(self.functions[call.func.id], call, target, stmt, enclosing, depth)
        helper = self.resolver.resolve(call.func)
        if not inspect.isfunction(helper) or registry.lookup(helper) is not None:
            return None   # not a Python function, or one with a rule (tg.adjoint): a primitive
        if helper.__module__ in _API_MODULES and any(self._function_valued(a) for a in _arguments(call)):
            self._module_helper(helper, call, enclosing)   # raises: tg.grad(f) made inside
        if helper.__globals__ is not self.parsed.globals and not any(
                isinstance(a, gast.Name) and a.id in self.functions for a in _arguments(call)):
            return None   # another module's function (a library's, say) is called, not inlined
        if any(self._function_valued(a) for a in _arguments(call)) or helper.__code__.co_flags & _VARIADIC:
            return self._expand(self._module_helper(helper, call, enclosing), call, target, stmt, enclosing, depth)
        return None

    def _function_valued(self, argument):
        if isinstance(argument, gast.Name) and argument.id in self.functions:
            return True
        value = self.resolver.resolve(argument) if isinstance(argument, (gast.Name, gast.Attribute)) else None
        return value is not None and callable(value) and not isinstance(value, type)

    def _module_helper(self, helper, call, enclosing):
        if helper.__module__ in _API_MODULES:   # tg.grad(f)(x) inside the function
            raise UnsupportedSyntaxError(
                f"making a tg.{helper.__name__}(...) object inside a differentiated function",
                self.parsed.span(call), f"make it once outside (grad_f = tg.{helper.__name__}(f) at module level) "
                "and call it inside: a tg.grad object called inside is differentiated through its generated code")
        if helper.__globals__ is not self.parsed.globals:
            raise UnsupportedSyntaxError(
                f"passing a function, *args or **kwargs to {helper.__name__}, which is defined in another module",
                self.parsed.span(call), "define the helper in this module, or pass plain values by name")
        parsed = parse_function(helper)
        fence(parsed, inlined=True)
        node = build.clone(parsed.node)
        assigned = _assigned_names(node)
        clash = {n.id for n in walk(node) if isinstance(n, gast.Name) and n.id not in assigned} & set(enclosing)
        if clash:
            raise UnsupportedSyntaxError(
                f"{helper.__name__} reads the global `{sorted(clash)[0]}`, which is also a local variable here",
                self.parsed.span(call), "rename the local variable")
        return node

    def _expand(self, definition, call, target, like, enclosing, depth):
        if depth > _MAX_DEPTH:
            raise UnsupportedSyntaxError(f"recursion through the local function `{definition.name}`",
                                         self.parsed.span(like), "define it at module level (recursion works there)")
        node = build.clone(definition)
        bound = self._bind(node, call, like)
        substitutions = {p: a for p, a in bound.items() if self._function_valued(a)}
        renames = {n: self.namer.fresh(n) for n in _assigned_names(node) if n not in substitutions}
        node = _Rename(renames, substitutions).visit(node)
        # the arguments, bound to the (renamed) parameters at the top of the body
        node.body[:0] = [build.assign(renames[p], a, like=like) for p, a in bound.items() if p not in substitutions]
        normalized = self.normalize_node(node, enclosing)
        body = normalized.body
        result = body.pop() if body and isinstance(body[-1], gast.Return) else None
        body = self.inline(body, enclosing, depth + 1)
        if target is not None:
            value = result.value if result is not None else build.const(None)
            body.append(build.assign(target, value, like=like))
        return body

    def _bind(self, node, call, like):
        args = node.args
        positional = [a.id for a in args.args]
        defaults = dict(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        defaults.update({a.id: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
        parameters = [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in positional]
        if args.vararg is not None:
            parameters.append(inspect.Parameter(args.vararg.id, inspect.Parameter.VAR_POSITIONAL))
        parameters += [inspect.Parameter(a.id, inspect.Parameter.KEYWORD_ONLY) for a in args.kwonlyargs]
        if args.kwarg is not None:
            parameters.append(inspect.Parameter(args.kwarg.id, inspect.Parameter.VAR_KEYWORD))
        try:
            bound = inspect.Signature(parameters).bind_partial(*call.args, **{k.arg: k.value for k in call.keywords})
        except TypeError as error:
            raise UnsupportedSyntaxError(f"this call to {node.name} ({error})", self.parsed.span(like)) from None
        mapping = {}
        for name in positional + [a.id for a in args.kwonlyargs]:
            if name in bound.arguments:
                mapping[name] = bound.arguments[name]
            elif name in defaults:
                mapping[name] = build.clone(defaults[name])
            else:
                raise UnsupportedSyntaxError(f"a call to {node.name} without its argument `{name}`",
                                             self.parsed.span(like))
        if args.vararg is not None:   # *args: a tuple of the extra positional arguments
            mapping[args.vararg.id] = gast.Tuple(elts=list(bound.arguments.get(args.vararg.id, ())), ctx=gast.Load())
        if args.kwarg is not None:    # **kwargs: a dict of the extra keyword arguments
            extra = bound.arguments.get(args.kwarg.id, {})
            mapping[args.kwarg.id] = gast.Dict(keys=[build.const(k) for k in extra], values=list(extra.values()))
        return mapping


def _arguments(call):
    return list(call.args) + [k.value for k in call.keywords]


def _assigned_names(node):
    names = {a.id for a in node.args.args + node.args.kwonlyargs}
    names |= {a.id for a in (node.args.vararg, node.args.kwarg) if a is not None}
    for sub in walk(node):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, (gast.Store, gast.Param)):
            names.add(sub.id)
    return names


class _Rename(Transformer):
    def __init__(self, renames, substitutions):
        self.renames = renames
        self.substitutions = substitutions

    def visit_Name(self, node):
        if node.id in self.substitutions and isinstance(node.ctx, gast.Load):
            return build.clone(self.substitutions[node.id])
        if node.id in self.renames:
            return gast.Name(id=self.renames[node.id], ctx=node.ctx, annotation=None, type_comment=None)
        return node
