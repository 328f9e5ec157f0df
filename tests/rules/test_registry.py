"""Lookups in the rule registry, and coverage of every name the contract requires."""
import builtins
import math
import operator

import numpy as np
import pytest

import transgrad.rules  # noqa: F401  (registers every rule module)
from transgrad.rules import registry

REQUIRED_OPERATORS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "**": operator.pow, "@": operator.matmul, "unary -": operator.neg,
}
REQUIRED_NUMPY = [
    "add", "subtract", "multiply", "divide", "power", "negative", "exp", "log", "sin", "cos", "tanh",
    "sqrt", "abs", "maximum", "minimum", "where", "sum", "mean", "max", "min", "dot", "matmul",
    "reshape", "transpose",
    # beyond the list
    "true_divide", "tan", "absolute", "square", "amax", "amin", "log1p", "expm1", "log2", "log10",
    "sinh", "cosh", "arcsin", "arccos", "arctan", "arctan2", "logaddexp", "clip", "outer", "inner",
    "trace", "concatenate", "stack", "prod", "var", "std", "cumsum", "squeeze", "expand_dims",
]
REQUIRED_LINALG = ["norm", "inv", "det", "solve"]
REQUIRED_MATH = ["exp", "log", "sin", "cos", "sqrt", "tan", "tanh", "log1p", "expm1", "pow", "fabs",
                 "atan", "asin", "acos", "sinh", "cosh", "hypot", "atan2"]
REQUIRED_BUILTINS = ["abs", "float", "sum", "max", "min"]
REQUIRED_METHODS = ["sum", "mean", "max", "min", "dot", "reshape", "transpose", "ravel", "flatten", "copy"]

NONDIFF_NUMPY = [
    "shape", "ndim", "size", "argmax", "argmin", "argsort", "floor", "ceil", "round", "rint", "sign",
    "zeros", "ones", "zeros_like", "ones_like", "empty", "empty_like", "arange", "eye", "isnan", "isfinite", "isinf", "equal", "less", "greater", "less_equal",
    "greater_equal", "not_equal", "logical_and", "logical_or", "logical_not", "all", "any", "nonzero",
    "count_nonzero",
]
NONDIFF_MATH = ["floor", "ceil", "trunc"]
NONDIFF_BUILTINS = ["len", "range", "int", "bool", "round", "isinstance", "print", "type", "str", "repr"]
NONDIFF_METHODS = ["argmax", "argmin", "argsort", "nonzero", "all", "any"]
NONDIFF_ATTRIBUTES = ["shape", "ndim", "size", "dtype"]


@pytest.mark.parametrize("label,op", REQUIRED_OPERATORS.items())
def test_operators_have_templates(label, op):
    rule = registry.lookup(op)
    assert rule is not None and rule.kind == "template", label


@pytest.mark.parametrize("name", REQUIRED_NUMPY)
def test_numpy_functions_have_templates(name):
    rule = registry.lookup(getattr(np, name))
    assert rule is not None and rule.kind == "template", f"np.{name}"
    assert rule.name.startswith("np.")


@pytest.mark.parametrize("name", REQUIRED_LINALG)
def test_linalg_functions_have_templates(name):
    rule = registry.lookup(getattr(np.linalg, name))
    assert rule is not None and rule.kind == "template"
    assert rule.name == f"np.linalg.{name}"


@pytest.mark.parametrize("name", REQUIRED_MATH)
def test_math_functions_have_templates(name):
    rule = registry.lookup(getattr(math, name))
    assert rule is not None and rule.kind == "template", f"math.{name}"
    assert rule.name == f"math.{name}"


@pytest.mark.parametrize("name", REQUIRED_BUILTINS)
def test_builtins_have_templates(name):
    rule = registry.lookup(getattr(builtins, name))
    assert rule is not None and rule.kind == "template", name
    assert rule.name == name


@pytest.mark.parametrize("name", REQUIRED_METHODS)
def test_methods_have_templates(name):
    rule = registry.lookup_method(name)
    assert rule is not None and rule.kind == "template"
    assert rule.name == f"ndarray.{name}"


def test_transpose_attribute():
    rule = registry.lookup_attribute("T")
    assert rule is not None and rule.kind == "template" and rule.differentiable_params


@pytest.mark.parametrize("module,name", [(np, n) for n in NONDIFF_NUMPY] + [(math, n) for n in NONDIFF_MATH]
                         + [(builtins, n) for n in NONDIFF_BUILTINS])
def test_constant_functions_are_non_differentiable(module, name):
    rule = registry.lookup(getattr(module, name))
    assert rule is not None and rule.kind == "nondiff", f"{module.__name__}.{name}"


@pytest.mark.parametrize("name", NONDIFF_METHODS)
def test_constant_methods(name):
    assert registry.lookup_method(name).kind == "nondiff"


@pytest.mark.parametrize("name", NONDIFF_ATTRIBUTES)
def test_constant_attributes(name):
    assert registry.lookup_attribute(name).kind == "nondiff"


def test_values_passed_through_are_not_constants():
    """astype, zip, enumerate, list ... pass active values on: never declared constant."""
    assert registry.lookup_method("astype").kind == "template"
    for callee in (np.full, np.full_like, np.linspace):   # their value arguments carry a gradient
        assert registry.lookup(callee).kind == "template"
    for callee in (builtins.zip, builtins.enumerate, builtins.list, builtins.tuple, builtins.sorted):
        rule = registry.lookup(callee)
        assert rule is None or rule.kind != "nondiff", callee


def test_lookup_is_by_identity():
    assert registry.lookup(np.sin) is not registry.lookup(np.cos)
    assert registry.lookup(lambda x: x) is None
    assert registry.lookup(math.sin) is not registry.lookup(np.sin)
    assert registry.lookup(builtins.sum) is not registry.lookup(np.sum)
    assert registry.lookup_method("no_such_method") is None
    assert registry.lookup_attribute("no_such_attribute") is None


def test_templates_name_their_inputs_after_numpy():
    """Keywords users pass must bind: the template mirrors numpy's parameter names."""
    _, _, signature = registry.lookup(np.sum).parsed
    assert list(signature.parameters)[:2] == ["a", "axis"] and "keepdims" in signature.parameters
    assert "dtype" not in signature.parameters and "out" not in signature.parameters
    _, _, signature = registry.lookup(np.linalg.norm).parsed
    assert list(signature.parameters) == ["x", "ord", "axis", "keepdims"]
    _, _, signature = registry.lookup(np.where).parsed
    assert list(signature.parameters) == ["condition", "x", "y"]
    _, result, signature = registry.lookup(math.log).parsed
    assert list(signature.parameters) == ["x", "base"] and result not in signature.parameters


def test_reads_excludes_adjoint_references():
    # exp reads only its result; sin reads only its input
    assert registry.lookup(np.exp).reads == {"y"}
    assert registry.lookup(np.sin).reads == {"x"}
    assert registry.lookup(np.sqrt).reads == {"y"}
    assert set(registry.lookup(np.add).differentiable_params) == {"x1", "x2"}


def test_bound_methods_are_looked_up_by_receiver_and_name():
    """np.add.at and scipy.stats.norm.logpdf are new objects on every attribute access."""
    pytest.importorskip("scipy")
    import scipy.stats
    assert registry.lookup(scipy.stats.norm.logpdf) is registry.lookup(scipy.stats.norm.logpdf)
    assert registry.lookup(scipy.stats.norm.logpdf).name == "scipy.stats.norm.logpdf"
    assert registry.lookup(scipy.stats.norm.pdf) is not registry.lookup(scipy.stats.norm.logpdf)
    assert registry.lookup(np.multiply.at) is None


def test_unlisted_keywords_are_rejected():
    """A keyword the template does not list (np.sum's `where=`, np.pad's `stat_length=`) is an error."""
    from transgrad.syntax.templates import TemplateError, bind
    import gast
    _, _, signature = registry.lookup(np.sum).parsed
    with pytest.raises(TemplateError):
        bind(signature, [gast.Name(id="x", ctx=gast.Load(), annotation=None, type_comment=None)],
             [gast.keyword(arg="where", value=gast.Constant(value=True, kind=None))])
    _, _, signature = registry.lookup(np.average).parsed
    assert "returned" not in signature.parameters


def sum_of_all(*arrays):
    return sum(np.sum(a) for a in arrays)


@registry.adjoint_template(sum_of_all)
def _sum_of_all_rule(y, *arrays):
    d[arrays] = rt.sequence_grad(d[y], arrays)  # noqa: F821 - d and rt are template names


def uses_variadic_rule(x, y):
    return sum_of_all(x, y * 2.0)


def test_a_gradient_through_a_rules_star_args_is_an_error_not_a_zero():
    import transgrad as tg
    with pytest.raises(tg.NonDifferentiableError, match="variable positional arguments"):
        tg.grad(uses_variadic_rule, wrt=(0, 1))(np.ones(2), np.ones(2))
