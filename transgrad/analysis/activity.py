"""Activity: which variables carry a gradient.

A variable is *varied* when some assignment to it reads a varied operand
through a differentiable operation (starting from the `wrt` parameters), and
*useful* when the returned value depends on it through such operations. Active
= varied and useful. Integer, boolean and comparison results, `tg.detach(...)`
and everything assigned inside `with tg.no_grad():` are constants.

Both are dataflow problems over the control-flow graph (cfg.py), solved to a
fixed point by dataflow.py, so loop-carried dependences are found.
"""
import gast

from transgrad.analysis.cfg import CFG
from transgrad.analysis.dataflow import solve
from transgrad.analysis.operations import classify, classify_store, classify_update
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
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
                target = stmt.targets[0].value.id
                operation = classify_store(stmt, resolver, no_grad)
                sites.append(Site(stmt, target, operation, loops, not nested))
            elif isinstance(stmt, gast.Assign):
                target = stmt.targets[0].id
                operation = classify(stmt.value, resolver, no_grad)
                sites.append(Site(stmt, target, operation, loops, not nested))
            elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
                operation = classify_update(stmt.value, resolver, no_grad)
                if operation is not None:
                    sites.append(Site(stmt, operation.operands[0], operation, loops, not nested))
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
    """Which statements and variables carry a gradient, solved over the CFG.

    varied (forward from wrt) and useful (backward from the returned name) are
    flow-sensitive: `y = tg.detach(y)` makes y constant from that point on. A
    statement is active when its target is varied after it and useful after
    it; `active` is the set of names some active statement assigns (plus the
    active parameters), which get gradient variables.
    """

    def __init__(self, function_node, sites, wrt, output, parsed=None):
        self.sites = sites
        self.cfg = CFG(function_node)
        self._site_of_node = {self.cfg.node_of[id(site.stmt)]: site for site in sites}
        varied = solve(self.cfg, self._vary, forward=True, initial=set(wrt))
        self.varied_in = {site: varied[self.cfg.node_of[id(site.stmt)]][0] for site in sites}
        self.varied_out = {site: varied[self.cfg.node_of[id(site.stmt)]][1] for site in sites}
        useful = solve(self.cfg, self._use, forward=False, initial={output} if output else set())
        self.useful_after = {site: useful[self.cfg.node_of[id(site.stmt)]][0] for site in sites}
        self.useful_at_entry = useful[self.cfg.entry][1] | useful[self.cfg.entry][0]
        self.varied = set().union(set(wrt), *self.varied_out.values())
        self.useful = set().union(*self.useful_after.values(), {output} if output else set())
        self.active_sites = {site for site in sites
                             if site.target in self.varied_out[site] and site.target in self.useful_after[site]}
        self.active = {site.target for site in self.active_sites}
        self.active |= {name for name in wrt if self._param_useful(name)}
        self._check_unknown_calls(parsed)

    def _vary(self, node, varied):
        site = self._site_of_node.get(node)
        if site is not None:
            op = site.operation
            if op.kind != "constant" and any(name in varied for name in op.operands):
                return varied | {site.target}
            return varied - {site.target}
        if node.kind == "loop" and hasattr(node.stmt, "target"):
            return varied - {node.stmt.target.id}
        return varied

    def _use(self, node, useful):
        site = self._site_of_node.get(node)
        if site is None or site.target not in useful:
            return useful
        if site.operation.kind == "constant":
            return useful - {site.target}
        operands = {name for name in site.operation.operands if name in self.varied_in[site]}
        return (useful - {site.target}) | operands

    def _param_useful(self, name):
        return name in self.useful_at_entry or any(
            name in site.operation.operands and site in self.active_sites for site in self.sites)

    def _check_unknown_calls(self, parsed):
        for site in self.sites:
            op = site.operation
            span = parsed.span(site.stmt) if parsed is not None else None
            if op.kind == "unknown" and site in self.active_sites and any(
                    n in self.varied_in[site] for n in op.operands):
                raise NonDifferentiableError(op.label, span, "transgrad has no adjoint rule for it")
            if op.kind == "mutation" and any(n in self.varied_in[site] for n in op.operands):
                raise NonDifferentiableError(op.label, span, "it changes a value that carries a gradient in "
                                             "place, which transgrad cannot undo; work on a copy or rebuild "
                                             "the value")

    def is_active_statement(self, site):
        """An assignment whose adjoint propagates a gradient."""
        return site in self.active_sites

    def carries(self, site, name):
        """Does a gradient flow from `site` to its operand `name` (varied where it is read)?"""
        return name in self.varied_in[site] and name in self.active
