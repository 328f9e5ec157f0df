"""The rule table checked end to end: each row becomes a user function in a
generated module, differentiated by transgrad and compared with finite
differences by tg.gradcheck; float32 inputs must give float32 gradients."""
import builtins
import importlib.util
import math
import sys
import warnings

import numpy as np
import pytest

import transgrad as tg
from rule_table import ROWS, row_id
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
    if module == "builtins":
        return name
    if module == "transgrad.runtime":
        return f"rt.{name}"
    if module == "math":
        return f"math.{name}"
    if module is not None and module.startswith("numpy.linalg"):
        return f"np.linalg.{name}"
    return f"np.{name}"


def _function_source(index, row):
    """def row_<index>(p0, p1, ...): return <call>  -- and the specs of p0, p1, ..."""
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
    source = f"def row_{index}({', '.join(params)}):\n    return {call}\n"
    return source, param_specs


_sources, _param_specs = [], []
for _index, _row in enumerate(ROWS):
    _source, _specs = _function_source(_index, _row)
    _sources.append(_source)
    _param_specs.append(_specs)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("rule_table") / "rule_table_functions.py"
    path.write_text("import builtins\nimport math\n\nimport numpy as np\n\nfrom transgrad import runtime as rt\n\n\n" + "\n\n".join(_sources))
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


def _float32_rows():
    rows = []
    for index, specs in enumerate(_param_specs):
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
