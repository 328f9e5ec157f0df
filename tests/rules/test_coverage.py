"""The registry against the team's target list: a listed item that silently loses its rule fails here.

Every item of docs/numpy_targets.txt must be covered (a rule, a registered constant, or a compiler
feature with an end-to-end test) or be listed in NOT_COVERED with a reason; an item may not be both.
"""
import math
import pathlib
import runpy

import pytest

from rule_table import ROWS, TUPLE_ROWS
from test_language_targets import LANGUAGE
from transgrad.rules import registry

ROOT = pathlib.Path(__file__).resolve().parents[2]
coverage = runpy.run_path(str(ROOT / "docs" / "generate_coverage.py"), run_name="coverage_check")
TARGETS = coverage["targets"]()


def test_target_list_matches_the_shared_copy():
    shared = ROOT.parent / "shared" / "numpy_targets.txt"
    if shared.exists():
        assert shared.read_text() == (ROOT / "docs" / "numpy_targets.txt").read_text(), (
            "docs/numpy_targets.txt differs from ../shared/numpy_targets.txt: copy it over")
    assert len(TARGETS) == 461


@pytest.mark.parametrize("tier,item", TARGETS, ids=[item for _, item in TARGETS])
def test_every_target_is_covered_or_explained(tier, item):
    if item in ("math.cbrt", "math.exp2") and not hasattr(math, "cbrt"):
        pytest.skip(f"{item} is new in Python 3.11")
    state, note = coverage["status"](item)
    listed = item in coverage["NOT_COVERED"]
    if state in coverage["COVERED"]:
        assert not listed, f"{item} is covered now: remove it from NOT_COVERED in docs/generate_coverage.py"
    else:
        assert listed and coverage["NOT_COVERED"][item], (
            f"{item} (tier {tier}) has no rule: it lost its rule, or it must be listed with a reason in "
            "NOT_COVERED in docs/generate_coverage.py")


def test_compiler_targets_have_end_to_end_tests():
    compiler = set(coverage["COMPILER"])
    operators = {item for _, item in TARGETS if item.startswith("operator ") and item not in compiler}
    assert compiler <= set(LANGUAGE), compiler - set(LANGUAGE)
    covered_operators = {i for i in operators if coverage["status"](i)[0] in coverage["COVERED"]}
    missing = {i for i in covered_operators if i not in LANGUAGE} - {"operator //"}
    assert not missing, f"operators without an end-to-end test: {missing}"


def _row_targets():
    found = set()
    for target, _, _ in ROWS + TUPLE_ROWS:
        if isinstance(target, tuple) and target[0] == "method":
            found.add(id(registry.lookup_method(target[1])))
        elif isinstance(target, tuple) and target[0] == "attr":
            found.add(id(registry.lookup_attribute(target[1])))
        else:
            found.add(id(registry.lookup(target)))
    return found


TEMPLATES = ([r for c, r in registry.registered_callees() if r.kind == "template"
              and not (getattr(c, "__module__", "") or "").startswith("test")]   # rules tests register
             + [r for r in registry.registered_methods().values() if r.kind == "template"]
             + [r for r in registry.registered_attributes().values() if r.kind == "template"])
# Registered templates exercised elsewhere (end-to-end tests of their own) rather than by a table row.
ROWLESS = {"operator.add", "operator.sub", "operator.mul", "operator.truediv", "operator.pow", "operator.matmul",
           "operator.mod", "operator.neg", "operator.pos", "ndarray.values"}


def test_every_registered_rule_has_a_spec_row():
    rows = _row_targets()
    lacking = sorted({r.name for r in TEMPLATES if id(r) not in rows} - ROWLESS)
    assert not lacking, f"templates without a row in tests/rules/rule_table.py: {lacking}"
