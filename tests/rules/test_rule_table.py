"""The rule table checked end to end: each row becomes a user function in a
generated module, differentiated by transgrad and compared with finite
differences by tg.gradcheck; float32 inputs must give float32 gradients."""
import importlib.util
import math
import sys
import warnings

import numpy as np
import pytest

import transgrad as tg
from rule_table import ROWS, TUPLE_ROWS, row_id
from transgrad.rules import registry
from rulecheck import A, C, F, Seq, V

_constants = {}


def _literal(value):
    """Source text for a constant argument (arrays become module globals)."""
    if isinstance(value, float) and math.isinf(value):
        return "np.inf" if value > 0 else "-np.inf"
    if value is float:
        return "float"
    if isinstance(value, (type(None), bool, int, float, str)):
        return repr(value)
    if isinstance(value, tuple) and all(isinstance(v, (int, float)) for v in value):
        return repr(value)
    name = f"CONST_{len(_constants)}"
    _constants[name] = value
    return name


def _callee_source(target):
    module = getattr(target, "__module__", None)
    name = target.__name__
    rule = registry.lookup(target)
    if rule is not None and rule.name.startswith(("scipy.", "np.fft.")):
        return rule.name
    if module == "builtins":
        return name
    if module == "transgrad.runtime":
        return f"rt.{name}"
    if module == "math":
        return f"math.{name}"
    if module is not None and module.startswith("numpy.linalg"):
        return f"np.linalg.{name}"
    return f"np.{name}"


def _function_source(index, row, tuple_result=False):
    """def row_<index>(p0, p1, ...): return <call>  -- and the specs of p0, p1, ...

    A complex result is returned as real + 0.5 imag (a real function of it); a tuple result as a
    weighted sum of its floating items."""
    target, specs, kwspecs = row
    params, param_specs, args, keywords = [], [], [], []

    def place(spec):
        if isinstance(spec, (A, V, Seq)):
            name = f"p{len(params)}"
            params.append(name)
            param_specs.append(spec)
            return name
        return _literal(spec.value if isinstance(spec, C) else spec)

    args = [place(s) for s in specs]
    keywords = [f"{k}={place(s)}" for k, s in kwspecs.items()]
    rest = ", ".join(args[1:] + keywords)
    if isinstance(target, tuple) and target[0] == "method":
        call = f"{args[0]}.{target[1]}({rest})"
    elif isinstance(target, tuple) and target[0] == "attr":
        call = f"{args[0]}.{target[1]}"
    else:
        call = f"{_callee_source(target)}({', '.join(args + keywords)})"
    probe = _probe(row)
    if tuple_result:
        items = [k for k, item in enumerate(probe) if np.issubdtype(np.asarray(item).dtype, np.inexact)]
        total = " + ".join(f"np.sum(np.real(out[{k}]) * {k + 1.5})" for k in items)
        source = f"def row_{index}({', '.join(params)}):\n    out = {call}\n    return {total}\n"
    elif np.iscomplexobj(probe):
        source = f"def row_{index}({', '.join(params)}):\n    out = {call}\n    return np.real(out) + 0.5 * np.imag(out)\n"
    else:
        source = f"def row_{index}({', '.join(params)}):\n    return {call}\n"
    return source, param_specs


def _probe(row):
    """The primal result of a row on its seed-0 inputs."""
    target, specs, kwspecs = row
    rng = np.random.default_rng(0)
    args = [s.make(rng, np.float64) if isinstance(s, (A, V, Seq, C)) else s for s in specs]
    kwargs = {k: s.make(rng, np.float64) if isinstance(s, (A, V, Seq, C)) else s for k, s in kwspecs.items()}
    if isinstance(target, tuple) and target[0] == "method":
        return getattr(args[0], target[1])(*args[1:], **kwargs)
    if isinstance(target, tuple) and target[0] == "attr":
        return getattr(args[0], target[1])
    return target(*args, **kwargs)


_sources, _param_specs = [], []
for _index, _row in enumerate(ROWS + TUPLE_ROWS):
    _source, _specs = _function_source(_index, _row, tuple_result=_index >= len(ROWS))
    _sources.append(_source)
    _param_specs.append(_specs)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("rule_table") / "rule_table_functions.py"
    path.write_text("import builtins\nimport math\n\nimport numpy as np\nimport scipy.linalg\nimport scipy.special\n"
                    "import scipy.stats\n\nfrom transgrad import runtime as rt\n\n\n" + "\n\n".join(_sources))
    spec = importlib.util.spec_from_file_location("rule_table_functions", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["rule_table_functions"] = module
    spec.loader.exec_module(module)
    module.__dict__.update(_constants)
    return module


def _wrt(specs):
    return 0 if len(specs) == 1 else tuple(range(len(specs)))


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[row_id(r) for r in ROWS])
def test_gradcheck_end_to_end(generated, index):
    fn = getattr(generated, f"row_{index}")
    specs = _param_specs[index]
    for seed in range(2):
        rng = np.random.default_rng(seed)
        values = [s.make(rng, np.float64) for s in specs]
        assert tg.gradcheck(fn, *values, wrt=_wrt(specs)), _sources[index]


@pytest.mark.parametrize("index", range(len(ROWS), len(ROWS) + len(TUPLE_ROWS)), ids=[row_id(r) for r in TUPLE_ROWS])
def test_tuple_results_end_to_end(generated, index):
    fn = getattr(generated, f"row_{index}")
    specs = _param_specs[index]
    values = [s.make(np.random.default_rng(0), np.float64) for s in specs]
    assert tg.gradcheck(fn, *values, wrt=_wrt(specs)), _sources[index]


def _float32_rows():
    rows = []
    for index, specs in enumerate(_param_specs[:len(ROWS)]):
        target = ROWS[index][0]
        if target is np.float_power or not specs:
            continue
        if all(isinstance(s, (A, V)) and not isinstance(s, F) for s in specs):
            rows.append(index)
    return rows


@pytest.mark.parametrize("index", _float32_rows(), ids=[row_id(ROWS[i]) for i in _float32_rows()])
def test_float32_in_float32_out(generated, index):
    fn = getattr(generated, f"row_{index}")
    specs = _param_specs[index]
    rng = np.random.default_rng(0)
    values = [s.make(rng, np.float32) for s in specs]
    wrt = _wrt(specs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, pullback = tg.vjp(fn, *values, wrt=wrt)
        cotangent = np.ones(np.shape(value), dtype=np.float32) if isinstance(value, (np.ndarray, np.generic)) else 1.0
        grads = pullback(cotangent)
    grads = grads if isinstance(wrt, tuple) else (grads,)
    for value, grad in zip(values, grads):
        assert np.asarray(grad).dtype == np.float32, f"{_sources[index]}: gradient dtype {np.asarray(grad).dtype}"
        assert np.shape(grad) == np.shape(value)
