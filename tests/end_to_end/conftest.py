"""End-to-end tests: the public API on user functions, checked against finite differences."""
import pathlib
import sys

# The numeric helper module sits beside this file; make it importable from every test here.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
