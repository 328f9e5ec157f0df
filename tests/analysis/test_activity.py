"""Activity over the CFG: varied from wrt, useful to the output, detach and no_grad stop both."""
import numpy as np

import transgrad as tg
from transgrad.analysis.activity import Activity, collect_sites
from transgrad.analysis.cfg import CFG
from transgrad.analysis.dataflow import solve
from transgrad.driver import normalize


def activity_of(function, wrt):
    parsed, node, namer, resolver = normalize(function)
    sites = collect_sites(node, resolver, lambda w: True)
    output = node.body[-1].value.id
    return Activity(node, sites, wrt, output, parsed)


def mixed(x, y, n):
    a = x * 2
    b = y * 3
    c = a + 1
    unused = np.sin(x)
    m = n + 1
    return c * m


def detached_midway(x):
    y = x * 2
    y = tg.detach(y)
    z = y * x
    return z


def in_no_grad(x):
    with tg.no_grad():
        scale = np.sum(x)
    return scale * x[0]


def loop_carried(x, n):
    h = 1.0
    for i in range(n):
        h = h * x
    return h


def comparisons_are_constant(x):
    big = x > 0
    return np.sum(np.where(big, x, 0.0))


def test_varied_and_useful_meet_in_active():
    activity = activity_of(mixed, ("x",))
    assert {"a", "c", "x"} <= activity.active
    assert "b" not in activity.varied          # depends only on y
    assert "unused" in activity.varied and "unused" not in activity.active
    assert "m" not in activity.active          # integer from n


def test_detach_makes_the_value_constant_from_that_point_on():
    activity = activity_of(detached_midway, ("x",))
    first_y = activity.sites[0]
    assert not activity.is_active_statement(first_y)
    assert tg.grad(detached_midway)(3.0) == 6.0


def test_no_grad_block_assigns_constants():
    activity = activity_of(in_no_grad, ("x",))
    assert "scale" not in activity.active
    np.testing.assert_allclose(tg.grad(in_no_grad)(np.array([2.0, 5.0])), [7.0, 0.0])


def test_loop_carried_dependence_is_found():
    activity = activity_of(loop_carried, ("x",))
    assert "h" in activity.active


def test_comparison_results_are_never_active():
    activity = activity_of(comparisons_are_constant, ("x",))
    assert "big" not in activity.varied


def test_cfg_has_back_edges_for_loops_and_the_solver_reaches_a_fixed_point():
    parsed, node, namer, resolver = normalize(loop_carried)
    cfg = CFG(node)
    loop = next(n for n in cfg.nodes if n.kind == "loop")
    assert any(loop in n.next for n in cfg.nodes if n is not loop and n.kind == "statement")
    reach = solve(cfg, lambda n, s: s | {n.kind}, forward=True)
    assert "statement" in reach[cfg.exit][0]
