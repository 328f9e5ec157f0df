"""To-be-recorded: which assignments overwrite a value the adjoint may still need.

The reverse transform pushes a variable's old value at an assignment only when
the adjoint reads that variable and an earlier value may be live there: some
definition may reach the assignment (a second assignment, or the same one
around a loop). Two assignments in exclusive branches overwrite nothing.
Both questions are dataflow problems over the CFG:

- may-be-defined (forward, union): parameters, then every assigned name;
- may-be-undefined (forward, union): every local but the parameters, minus
  whatever is assigned. A recorded variable that may be undefined where it
  is pushed, or at the end (where a forward function saves it), starts as None.
"""
import gast

from transgrad.analysis.dataflow import solve


class Overwrites:
    def __init__(self, cfg, sites, params, local_names):
        self.cfg = cfg
        self._target = {cfg.node_of[id(site.stmt)]: site.target for site in sites}
        defined = solve(cfg, self._define, forward=True, initial=set(params))
        undefined = solve(cfg, self._undefine, forward=True, initial=set(local_names) - set(params))
        self.defined_before = {site: defined[cfg.node_of[id(site.stmt)]][0] for site in sites}
        self.undefined_before = {site: undefined[cfg.node_of[id(site.stmt)]][0] for site in sites}
        self.undefined_at_exit = undefined[cfg.exit][0]

    def _assigned(self, node):
        if node in self._target:
            return {self._target[node]}
        if node.kind == "loop" and isinstance(node.stmt, gast.For):
            return {node.stmt.target.id}
        return set()

    def _define(self, node, names):
        return names | self._assigned(node)

    def _undefine(self, node, names):
        return names - self._assigned(node)

    def overwrites(self, site):
        """May the target already hold a value when this assignment runs?"""
        return site.target in self.defined_before[site]

    def may_be_undefined(self, name, push_sites):
        return name in self.undefined_at_exit or any(name in self.undefined_before[s] for s in push_sites)
