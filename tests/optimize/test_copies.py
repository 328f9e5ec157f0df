"""optimize/copies.py: copy propagation in the adjoint, before/after, and its effect on real gradients."""
import math

import gast
import numpy as np

import transgrad as tg
from transgrad.optimize.copies import propagate_copies


def statements(text):
    return gast.parse(text).body


def text(stmts):
    return gast.unparse(gast.Module(body=stmts, type_ignores=[])).strip()


def test_a_chain_of_copies_collapses_into_the_reads():
    before = statements("dz_part = dz\nda_part = dz\ndz = dz_part\nda = da_part\ndb = da * 2\ndc = db + dz")
    after = propagate_copies(before, statements("return (db, dc)"))
    assert text(after) == "db = dz * 2\ndc = db + dz"


def test_a_copy_stops_at_a_reassignment_of_either_name():
    before = statements("a = b\nb = b + 1\nc = a * 2\nd = a")
    assert text(propagate_copies(before, statements("return (c, d)"))) == "a = b\nb = b + 1\nc = a * 2\nd = a"


def test_an_in_place_update_keeps_the_copy_it_shares():
    before = statements("a = b\na += c\nd = a")
    assert text(propagate_copies(before, statements("return d"))) == "a = b\na += c\nd = a"


def test_loop_bodies_start_afresh_and_live_copies_stay():
    before = statements("a = b\nfor i in range(3):\n    c = a\n    a = c * 2\n    e = c")
    after = text(propagate_copies(before, statements("return a")))
    # reads of c become reads of a until the body reassigns a; e, then c, are never read
    assert after == "a = b\nfor i in range(3):\n    a = a * 2"


def test_the_returned_gradients_keep_their_parameter_names():
    before = statements("dx = dy")
    assert text(propagate_copies(before, statements("return dx"))) == "dx = dy"


def lorenz_like(sigma, x, y):
    for _ in range(20):
        dx = sigma * (y - x)
        x = x + 0.01 * dx
        y = y + 0.01 * x
    return math.sqrt(x * x + y * y)


def test_generated_loops_have_no_pass_through_copies_and_stay_right():
    g = tg.grad(lorenz_like)
    assert tg.gradcheck(lorenz_like, 10.0, 1.0, 2.0)
    g(10.0, 1.0, 2.0)
    body = g.source.split("reversed", 1)[1]
    assert "_part = " not in body
    np.testing.assert_allclose(g(10.0, 1.0, 2.0), tg.grad(lorenz_like)(10.0, 1.0, 2.0))
