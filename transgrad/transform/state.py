"""What the compiler knows about a gradient variable at a point of the adjoint code.

Three facts, each "may be": the gradient may be zero (None at run time, or
not yet assigned), may hold a value, and a held value may be shared with
another variable (so it must not be updated in place). Joining two paths ORs
the facts. Knowing them lets the adjoint assign on a first write, skip
statements whose incoming gradient is zero, and test `is not None` only where
branches or loops join.
"""


class Fact(tuple):
    __slots__ = ()

    def __new__(cls, none, value, shared):
        return super().__new__(cls, (none, value, shared))

    none = property(lambda self: self[0])
    value = property(lambda self: self[1])
    shared = property(lambda self: self[2])

    @property
    def zero(self):
        return not self.value

    @property
    def maybe(self):
        return self.none and self.value

    def join(self, other):
        return Fact(self.none or other.none, self.value or other.value, self.shared or other.shared)


ZERO = Fact(True, False, False)
OWNED = Fact(False, True, False)
SHARED = Fact(False, True, True)


class State(dict):
    """{gradient name: Fact}; missing names are ZERO."""

    def fact(self, name):
        return self.get(name, ZERO)

    def copy(self):
        return State(self)

    def join(self, other):
        joined = State()
        for name in self.keys() | other.keys():
            joined[name] = self.fact(name).join(other.fact(name))
        return joined

    def same(self, other):
        return all(self.fact(n) == other.fact(n) for n in self.keys() | other.keys())
