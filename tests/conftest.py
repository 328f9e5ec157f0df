"""Shared test setup: seeded numpy, a stage-capturing helper, and a fresh cache per test."""
import gast
import numpy as np
import pytest

from transgrad import cache
from transgrad.driver import normalize


@pytest.fixture(autouse=True)
def _seed_and_clear():
    np.random.seed(0)
    cache.clear()
    yield


def stage_text(function, stage):
    """The function's source after one compiler stage ("parse", "desugar", "control", "anf")."""
    captured = {}
    normalize(function, lambda name, node: captured.setdefault(name, gast.unparse(node).strip()))
    return captured[stage]


@pytest.fixture
def after():
    return stage_text
