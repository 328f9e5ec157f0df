"""The generated docs page is not stale, and the README's quick start names the real commands."""
import pathlib
import runpy

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_pipeline_page_matches_the_compiler():
    generator = runpy.run_path(str(ROOT / "docs" / "generate_pipeline.py"), run_name="docs_check")
    assert (ROOT / "docs" / "pipeline.md").read_text() == generator["page"](), (
        "docs/pipeline.md is stale: run `python docs/generate_pipeline.py`")


def test_language_page_matches_the_compiler():
    generator = runpy.run_path(str(ROOT / "docs" / "generate_language.py"), run_name="docs_check")
    assert (ROOT / "docs" / "language.md").read_text() == generator["page"](), (
        "docs/language.md is stale: run `python docs/generate_language.py`")


def test_readme_quick_start_matches_ci():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "examples/autograd_tutorial.py" in readme
    assert "pip install -e '.[test]'" in readme and "pip install -q -e '.[test]'" in ci
    assert "python -m pytest" in readme and "python -m pytest" in ci
