"""A statement-level control-flow graph of a normalized function.

Nodes are the simple statements (assignments, expression statements,
returns) plus one node per `if` test, `for` header (which assigns the loop
target) and `while` test. `with` blocks are transparent. A `break` (only the
`if stop: break` that control lowering leaves at the end of a `for` body)
jumps to the loop's exit.
"""
import gast


class Node:
    def __init__(self, stmt, kind):
        self.stmt = stmt
        self.kind = kind          # "statement", "test" or "loop"
        self.next = []
        self.prev = []

    def __repr__(self):
        return f"Node({self.kind}, line {getattr(self.stmt, 'lineno', '?')})"


class CFG:
    """entry, exit and every node; `node_of[id(stmt)]` finds a statement's node."""

    def __init__(self, function_node):
        self.entry = Node(function_node, "entry")
        self.exit = Node(function_node, "exit")
        self.nodes = [self.entry]
        self.node_of = {}
        self._loop_exits = []
        ends = self._block(function_node.body, [self.entry])
        self.nodes.append(self.exit)
        self._link(ends, self.exit)

    def _new(self, stmt, kind):
        node = Node(stmt, kind)
        self.nodes.append(node)
        self.node_of[id(stmt)] = node
        return node

    @staticmethod
    def _link(sources, target):
        for source in sources:
            source.next.append(target)
            target.prev.append(source)

    def _block(self, stmts, incoming):
        for stmt in stmts:
            incoming = self._statement(stmt, incoming)
        return incoming

    def _statement(self, stmt, incoming):
        if isinstance(stmt, gast.If):
            test = self._new(stmt, "test")
            self._link(incoming, test)
            if len(stmt.body) == 1 and isinstance(stmt.body[0], gast.Break):
                self._loop_exits[-1].append(test)
                return [test]
            return self._block(stmt.body, [test]) + self._block(stmt.orelse, [test])
        if isinstance(stmt, (gast.For, gast.While)):
            header = self._new(stmt, "loop")
            self._link(incoming, header)
            self._loop_exits.append([header])
            ends = self._block(stmt.body, [header])
            self._link(ends, header)
            return self._loop_exits.pop()
        if isinstance(stmt, gast.With):
            return self._block(stmt.body, incoming)
        node = self._new(stmt, "statement")
        self._link(incoming, node)
        return [node]
