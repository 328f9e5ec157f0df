"""docs/coverage.md is generated from the registry by docs/generate_coverage.py: fail when it is stale."""
import math
import pathlib
import runpy

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


# the page and the README count are generated on Python 3.11+, where math.cbrt and math.exp2 exist
pytestmark = pytest.mark.skipif(not hasattr(math, "cbrt"), reason="the coverage page counts math.cbrt and math.exp2")


def test_coverage_page_is_not_stale():
    generator = runpy.run_path(str(ROOT / "docs" / "generate_coverage.py"), run_name="coverage_check")
    assert (ROOT / "docs" / "coverage.md").read_text() == generator["page"](), (
        "docs/coverage.md is stale: run `python docs/generate_coverage.py`")


def test_readme_states_the_current_count():
    generator = runpy.run_path(str(ROOT / "docs" / "generate_coverage.py"), run_name="coverage_check")
    covered = sum(generator["status"](item)[0] in generator["COVERED"] for _, item in generator["targets"]())
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"transgrad differentiates {covered}," in readme, (
        f"README.md should say transgrad differentiates {covered} of the 461 targets")
