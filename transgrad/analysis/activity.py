"""Activity: which variables carry a gradient.

A variable is *varied* when some assignment to it reads a varied operand
through a differentiable operation (starting from the `wrt` parameters), and
*useful* when the returned value depends on it through such operations. Active
= varied and useful. Integer, boolean and comparison results, `tg.detach(...)`
and everything assigned inside `with tg.no_grad():` are constants.

The analysis is per variable name (flow-insensitive), iterated to a fixed point
so loop-carried dependences are found; over-approximating is safe because the
reverse transform resets a variable's gradient at each assignment.
"""
import gast

from transgrad.analysis.operations import classify
from transgrad.errors import NonDifferentiableError


class Site:
    """One assignment `target = value` of the normalized function."""

    def __init__(self, stmt, target, operation, depth_in_loops, top_level):
        self.stmt = stmt
        self.target = target
        self.operation = operation
        self.loop_depth = depth_in_loops
        self.top_level = top_level


def collect_sites(function_node, resolver, is_no_grad):
    """Every assignment, with its Operation; `is_no_grad(with_node)` says which blocks are no_grad."""
    sites = []

    def visit(stmts, loops, nested, no_grad):
        for stmt in stmts:
            if isinstance(stmt, gast.Assign):
                target = stmt.targets[0].id
                operation = classify(stmt.value, resolver, no_grad)
                sites.append(Site(stmt, target, operation, loops, not nested))
            elif isinstance(stmt, gast.If):
                visit(stmt.body, loops, True, no_grad)
                visit(stmt.orelse, loops, True, no_grad)
            elif isinstance(stmt, (gast.For, gast.While)):
                visit(stmt.body, loops + 1, True, no_grad)
            elif isinstance(stmt, gast.With):
                visit(stmt.body, loops, nested, no_grad or is_no_grad(stmt))
    visit(function_node.body, 0, False, False)
    return sites


class Activity:
    """varied, useful and active name sets for one function."""

    def __init__(self, sites, wrt, output, parsed=None):
        self.sites = sites
        self.varied = self._varied(set(wrt))
        self.useful = self._useful(output)
        self.active = self.varied & self.useful
        self._check_unknown_calls(parsed)

    def _varied(self, varied):
        changed = True
        while changed:
            changed = False
            for site in self.sites:
                op = site.operation
                if site.target in varied or op.kind == "constant":
                    continue
                if any(name in varied for name in op.operands):
                    varied.add(site.target)
                    changed = True
        return varied

    def _useful(self, output):
        useful = {output} if output else set()
        changed = True
        while changed:
            changed = False
            for site in self.sites:
                if site.target not in useful or site.operation.kind == "constant":
                    continue
                for name in site.operation.operands:
                    if name in self.varied and name not in useful:
                        useful.add(name)
                        changed = True
        return useful

    def _check_unknown_calls(self, parsed):
        for site in self.sites:
            op = site.operation
            if op.kind == "unknown" and site.target in self.active and any(n in self.active for n in op.operands):
                span = parsed.span(site.stmt) if parsed is not None else None
                raise NonDifferentiableError(op.label, span, "transgrad has no adjoint rule for it")

    def is_active_statement(self, site):
        """An assignment that needs adjoint code: it propagates or resets an active gradient."""
        return site.target in self.active
