"""Adjoint rules, one module per library; importing this package registers them all."""
from transgrad.rules import operator_rules  # noqa: F401
from transgrad.rules import numpy_rules  # noqa: F401
from transgrad.rules import linalg_rules  # noqa: F401
from transgrad.rules import math_rules  # noqa: F401
from transgrad.rules import builtin_rules  # noqa: F401
