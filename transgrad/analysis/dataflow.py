"""A generic worklist solver for dataflow problems over a CFG (set-valued, union at joins).

    solve(cfg, transfer, forward=True, initial=frozenset())

`transfer(node, value_in) -> value_out` where "in" is before the node in the
direction of the analysis. Returns {node: (value_in, value_out)}. Values
only grow, so the iteration reaches a fixed point.
"""


def solve(cfg, transfer, forward=True, initial=frozenset()):
    before = {node: frozenset() for node in cfg.nodes}
    after = {node: frozenset() for node in cfg.nodes}
    start = cfg.entry if forward else cfg.exit
    before[start] = frozenset(initial)
    worklist = list(cfg.nodes if forward else reversed(cfg.nodes))
    queued = set(worklist)
    while worklist:
        node = worklist.pop(0)
        queued.discard(node)
        predecessors = node.prev if forward else node.next
        incoming = frozenset().union(*(after[p] for p in predecessors)) if predecessors else frozenset()
        if node is start:
            incoming = incoming | frozenset(initial)
        outgoing = frozenset(transfer(node, incoming))
        before[node] = incoming
        if outgoing != after[node] or node is start:
            after[node] = outgoing
            for successor in (node.next if forward else node.prev):
                if successor not in queued:
                    worklist.append(successor)
                    queued.add(successor)
    return {node: (before[node], after[node]) for node in cfg.nodes}
