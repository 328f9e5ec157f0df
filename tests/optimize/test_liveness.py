"""optimize/liveness.py: what a statement stores and loads, found in one walk."""
import gast

from transgrad.optimize.liveness import effect_of, loads, stores


def test_effect_of_a_statement_is_its_stores_and_loads():
    stmt = gast.parse("a, b[i] = f(x), y").body[0]
    assert effect_of(stmt) == ({"a"}, {"b", "i", "f", "x", "y"})
    assert effect_of(stmt) == (stores(stmt), loads([stmt]))


def test_an_augmented_target_is_stored_and_loaded():
    stmt = gast.parse("total += x * x").body[0]
    assert effect_of(stmt) == ({"total"}, {"total", "x"})
