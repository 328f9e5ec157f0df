"""Adjoint rules, one module per library; importing this package registers them all.

The scipy rules are registered only when scipy is installed (it is not a
runtime dependency of transgrad).
"""
from transgrad.rules import operator_rules  # noqa: F401
from transgrad.rules import numpy_rules  # noqa: F401
from transgrad.rules import linalg_rules  # noqa: F401
from transgrad.rules import math_rules  # noqa: F401
from transgrad.rules import builtin_rules  # noqa: F401

try:
    import scipy  # noqa: F401
except ImportError:  # pragma: no cover - scipy is optional
    pass
else:
    from transgrad.rules import scipy_rules  # noqa: F401
    from transgrad.rules import scipy_tangents  # noqa: F401

# Tangent rules (forward mode), one module per library beside the adjoint modules.
from transgrad.rules import operator_tangents  # noqa: F401,E402
from transgrad.rules import numpy_tangents  # noqa: F401,E402
from transgrad.rules import linalg_tangents  # noqa: F401,E402
from transgrad.rules import math_tangents  # noqa: F401,E402
from transgrad.rules import builtin_tangents  # noqa: F401,E402

# Rules of the runtime helpers generated code calls (its adjoint and tangent), for higher derivatives.
from transgrad.rules import runtime_rules  # noqa: F401,E402
