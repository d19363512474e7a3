"""The graph drawer, for torch and autograd_mini tensors alike.

Tests taking the ``engine`` fixture run once per engine; the autograd_mini run
is skipped only while ``import autograd_mini`` fails or the package has no
``Tensor``. Tests taking ``mini`` compare the two engines and are skipped the
same way. Expected graphs are what torch records (field notes: the seed's
``next_functions``), written out by hand where a test says so.
"""

import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from autograd_course.graph import DotMissingError, draw_graph, graph_structure, graph_text, side_by_side

REPO = Path(__file__).resolve().parents[2]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="the Graphviz `dot` program is not on PATH (apt-get install graphviz)")


def _import_mini():
    try:
        import autograd_mini
    except ImportError as error:
        pytest.skip(f"autograd_mini does not import yet: {error}")
    if not hasattr(autograd_mini, "Tensor"):
        pytest.skip("autograd_mini has no Tensor yet")
    return autograd_mini


@pytest.fixture(params=["torch", "autograd_mini"])
def engine(request):
    return torch if request.param == "torch" else _import_mini()


@pytest.fixture
def mini():
    return _import_mini()


# --- the programs: each takes an engine module and returns (outputs, names) ---

def _leaf(T, rng, *shape):
    """A leaf from seeded NumPy float32 values, identical in both engines."""
    return T.tensor(rng.standard_normal(shape).astype(np.float32).tolist(), requires_grad=True)


def seed_program(T, rng):
    x = _leaf(T, rng, 4)
    y = x + 2
    z = y * y * 3
    t = z.sum()
    return (t,), locals()


def exp_exercise(T, rng):
    x = T.linspace(-2, 2, steps=25, requires_grad=True)
    a = x ** 2
    b = 2 * a
    c = T.sin(x)
    d = b * c
    f = T.exp(d)
    return (f,), locals()


def doubling_loop(T, rng):
    x = _leaf(T, rng, 3)
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    return (y,), locals()


def broadcasting(T, rng):
    a = _leaf(T, rng, 2, 3)
    b = _leaf(T, rng, 3)
    c = a * b + b
    loss = c.mean()
    return (loss,), locals()


def matmul_relu(T, rng):
    inputs = T.tensor(rng.standard_normal((4, 3)).astype(np.float32).tolist())
    w1 = _leaf(T, rng, 3, 5)
    b1 = _leaf(T, rng, 5)
    w2 = _leaf(T, rng, 5, 1)
    hidden = (inputs @ w1 + b1).relu()
    loss = (hidden @ w2).mean()
    return (loss,), locals()


def retained(T, rng):
    x = _leaf(T, rng, 3)
    y = x * 3
    y.retain_grad()
    z = y ** 2
    t = z.sum()
    t.backward()
    return (t,), locals()


def shared_node(T, rng):
    x = _leaf(T, rng, 5)
    h = x.sin()
    out = (h * 2 + h.cos()).sum()
    return (out,), locals()


def partly_no_grad(T, rng):
    a = T.ones(2, 3, requires_grad=True) * 2
    b = T.ones(2, 3, requires_grad=True) * 3
    with T.no_grad():
        c2 = a + b
    c3 = a * b + c2
    return (c3,), locals()


PROGRAMS = [seed_program, exp_exercise, doubling_loop, broadcasting, matmul_relu, retained, shared_node,
            partly_no_grad]


def run(program, T):
    return program(T, np.random.default_rng(0))


# --- the seed's graph, by hand from torch's next_functions (field notes) ---

SEED_STRUCTURE = {
    # t.grad_fn = SumBackward0 -> ((MulBackward0, 0),) -> ((MulBackward0, 0), (None, 0))
    # -> ((AddBackward0, 0), (AddBackward0, 0)), the same node twice -> ((AccumulateGrad, 0), (None, 0))
    "nodes": [(0, "SumBackward0"), (1, "MulBackward0"), (2, "MulBackward0"), (3, "AddBackward0"),
              (4, "AccumulateGrad"), (5, None), (6, None)],  # the (None, 0) entries come last
    "edges": [(0, 1, 0), (1, 2, 0), (1, 5, 0), (2, 3, 0), (2, 3, 0), (3, 4, 0), (3, 6, 0)],
    "outputs": [0],
}
# the DOT ids of those nodes: t's, z's, y * y's, y's, x's, the constant 3's and the constant 2's
SUM, MUL_Z, MUL_YY, ADD, ACC, NONE_3, NONE_2 = (f"n{node_id}" for node_id, _ in SEED_STRUCTURE["nodes"])


def node_statements(source):
    """DOT node statements by id (lines like ``n4 [label=...]``)."""
    return {match[1]: match[0] for match in re.finditer(r"^\t(\w+) \[.*$", source, re.MULTILINE)}


def edge_lines(source):
    return re.findall(r"^\t(\w+) -> (\w+)", source, re.MULTILINE)


def test_seed_structure_is_the_one_torch_prints(engine):
    (t,), _ = run(seed_program, engine)
    assert graph_structure(t) == SEED_STRUCTURE


def test_shared_node_is_drawn_once_with_both_edges(engine):
    (t,), _ = run(seed_program, engine)
    source = draw_graph(t).source
    add_nodes = [node for node, line in node_statements(source).items() if "AddBackward0" in line]
    assert add_nodes == [ADD]
    assert edge_lines(source).count((ADD, MUL_YY)) == 2


def test_none_inputs_are_faded_stubs(engine):
    (t,), _ = run(seed_program, engine)
    statements = node_statements(draw_graph(t).source)
    stubs = [node for node, line in statements.items() if "label=None" in line]
    assert stubs == [NONE_3, NONE_2]
    assert all("dashed" in statements[node] for node in stubs)


def test_names_label_leaves_and_intermediates(engine):
    (t,), names = run(seed_program, engine)
    names["_hidden"] = names["x"]  # IPython's _, _1, ... are ignored
    statements = node_statements(draw_graph(t, names=names).source)
    assert "<B>x</B>" in statements[ACC] and "_hidden" not in statements[ACC]
    assert "<B>y</B>" in statements[ADD]  # y.grad_fn is the AddBackward0 node
    assert "<B>z</B>" in statements[MUL_Z]
    assert "<B>t</B>" in statements[SUM]


def test_small_leaves_show_values_and_outputs_are_green(engine):
    (t,), names = run(seed_program, engine)
    x = names["x"]
    statements = node_statements(draw_graph(t, names=names).source)
    values = ", ".join(format(value, ".4g") for value in x.detach().tolist())
    assert f"(4,) [{values}]" in statements[ACC]
    assert "AccumulateGrad" in statements[ACC]
    green = re.compile(r'fillcolor="#d9ead3"')
    assert [node for node, line in statements.items() if green.search(line)] == [SUM]


def test_several_outputs_and_a_leaf_output(engine):
    (t,), names = run(seed_program, engine)
    z, x = names["z"], names["x"]
    assert graph_structure(t, z)["outputs"] == [0, 1]  # z's node is t's first input
    source = draw_graph(x, t).source
    assert "a leaf: no grad_fn" in node_statements(source)["out0"]


def test_output_nr_labels_edges():
    # torch only: unbind's outputs are the same node's outputs 1 and 3
    x = torch.randn(4, requires_grad=True)
    _, b, _, d = x.unbind()
    out = (b * d).sum()
    structure = graph_structure(out)
    assert (1, 2, 1) in structure["edges"] and (1, 2, 3) in structure["edges"]
    edges = re.findall(r"^\tn2 -> n1 \[(.*)\]$", draw_graph(out).source, re.MULTILINE)
    assert sorted(edges) == ["label=1", "label=3"]


def test_show_attrs_puts_saved_values_in_labels(engine):
    (t,), _ = run(seed_program, engine)
    statements = node_statements(draw_graph(t, show_attrs=True).source)
    assert "alpha</B>&#160;= 1" in statements[ADD]  # x + 2 saves alpha=1
    assert "self_sym_sizes</B>&#160;= (4,)" in statements[SUM]  # sum saves its input's size


def test_show_saved_before_and_after_backward(engine):
    (t,), names = run(seed_program, engine)
    before = draw_graph(t, names=names, show_saved=True).source
    statements = node_statements(before)
    # by hand: y * y saves both factors, which are y; (y * y) * 3 saves the constant 3
    assert "saved self = y" in statements[f"{MUL_YY}_self"]
    assert "saved other = y" in statements[f"{MUL_YY}_other"]
    assert "() 3" in statements[f"{MUL_Z}_other"]
    assert (ADD, f"{MUL_YY}_self") in edge_lines(before)  # the saved y is linked to the node that made y
    assert "buffers freed" not in before

    t.backward()
    after = node_statements(draw_graph(t, names=names, show_saved=True).source)
    assert [node for node, line in after.items() if "buffers freed" in line] == [MUL_Z, MUL_YY]
    assert not any(node.endswith(("_self", "_other")) for node in after)


def test_show_saved_after_retain_graph_keeps_the_saved_tensors(engine):
    (t,), names = run(seed_program, engine)
    t.backward(retain_graph=True)
    source = draw_graph(t, names=names, show_saved=True).source
    assert "buffers freed" not in source and "saved self = y" in source


def test_show_grad_shows_leaf_and_retained_grads_without_warning(engine):
    (t,), names = run(retained, engine)
    x, y = names["x"], names["y"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading a non-leaf's .grad would warn
        statements = node_statements(draw_graph(t, names=names, show_grad=True).source)
    [x_node] = [node for node, line in statements.items() if "<B>x</B>" in line]
    [y_node] = [node for node, line in statements.items() if "<B>y</B>" in line]
    [z_node] = [node for node, line in statements.items() if "<B>z</B>" in line]
    for tensor, node in ((x, x_node), (y, y_node)):
        values = ", ".join(format(value, ".4g") for value in tensor.grad.tolist())
        assert f"<B>grad</B>&#160;(3,) [{values}]" in statements[node]
    assert "grad" not in statements[z_node]  # z does not retain its grad


def test_a_10000_node_chain_collapses_past_max_nodes(engine):
    y = x = engine.ones(2, requires_grad=True)
    for _ in range(10_000):
        y = y * 1.0
    # by hand: 10,000 MulBackward0 nodes, each with a (None, 0) for the constant, and x's AccumulateGrad
    structure = graph_structure(y)
    assert len(structure["nodes"]) == 20_001
    source = draw_graph(y, max_nodes=200).source
    assert "9801 more nodes not drawn" in source
    assert sum("MulBackward0" in line for line in node_statements(source).values()) == 200
    assert "9801 more nodes not listed" in graph_text(y)
    assert x.grad_fn is None


@needs_dot
def test_svg_has_every_label(engine):
    (t,), names = run(seed_program, engine)
    svg = draw_graph(t, names=names).pipe(format="svg", encoding="utf-8")
    for label in ("SumBackward0", "MulBackward0", "AddBackward0", "AccumulateGrad", "None", ">x<", ">y<",
                  ">z<", ">t<"):
        assert label in svg


def test_missing_dot_explains_how_to_install_it(engine, monkeypatch, tmp_path):
    (t,), names = run(seed_program, engine)
    graph = draw_graph(t, names=names)
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    with pytest.raises(DotMissingError, match="sudo apt-get install graphviz"):
        graph.pipe(format="svg")
    shown = graph._repr_mimebundle_()
    assert list(shown) == ["text/plain"]
    assert "conda install -c conda-forge graphviz" in shown["text/plain"]
    assert graph_text(t, names=names) in shown["text/plain"]
    html = side_by_side(t, t, names_mini=names, names_torch=names)._repr_html_()
    assert "sudo apt-get install graphviz" in html and "<svg" not in html and "SumBackward0" in html


SOURCE_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import numpy as np
import test_graph
from autograd_course.graph import draw_graph
T = test_graph.torch if {engine!r} == "torch" else __import__("autograd_mini")
for program in test_graph.PROGRAMS:
    outputs, names = test_graph.run(program, T)
    print(draw_graph(*outputs, names=names, show_saved=True, show_grad=True, show_attrs=True).source)
"""


@pytest.mark.slow
def test_dot_source_is_the_same_in_fresh_processes(engine):
    script = SOURCE_SCRIPT.format(tests=str(Path(__file__).parent), engine=engine.__name__)
    runs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO,
                             env={"PYTHONPATH": str(REPO), "PYTHONHASHSEED": seed})
            for seed in ("1", "2")]  # both at once: each spends most of its time importing torch
    sources = [process.communicate()[0] for process in runs]
    assert [process.returncode for process in runs] == [0, 0]
    assert sources[0] == sources[1]
    assert sources[0].count("digraph {") == len(PROGRAMS)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.__name__)
def test_engines_record_the_same_graph(mini, program):
    mini_outputs, mini_names = run(program, mini)
    torch_outputs, torch_names = run(program, torch)
    assert graph_structure(*mini_outputs) == graph_structure(*torch_outputs)
    assert (draw_graph(*mini_outputs, names=mini_names, show_grad=True).source
            == draw_graph(*torch_outputs, names=torch_names, show_grad=True).source)
    assert side_by_side(mini_outputs, torch_outputs).identical


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.__name__)
def test_engines_save_the_same_tensors(mini, program):
    # saved tensors only: which op saves what is lesson material; torch's saved sizes and strides are not
    mini_outputs, mini_names = run(program, mini)
    torch_outputs, torch_names = run(program, torch)
    assert (draw_graph(*mini_outputs, names=mini_names, show_saved=True).source
            == draw_graph(*torch_outputs, names=torch_names, show_saved=True).source)


# --- side_by_side; the differences are found the same way whatever the engines, so torch plays both ---

def test_side_by_side_identical_graphs(engine):
    (mini_t,), mini_names = run(seed_program, engine)
    (torch_t,), torch_names = run(seed_program, torch)
    shown = side_by_side(mini_t, torch_t, names_mini=mini_names, names_torch=torch_names)
    structure = graph_structure(torch_t)
    counts = f"{len(structure['nodes'])} nodes, {len(structure['edges'])} edges"
    summary = f"the two graphs are identical ({counts})"
    assert shown.identical and str(shown).startswith(summary)
    assert "#d62728" not in shown.graphs[0].source + shown.graphs[1].source


@needs_dot
def test_side_by_side_html_has_both_pictures():
    (t,), names = run(seed_program, torch)
    html = side_by_side(t, t, names_mini=names, names_torch=names)._repr_html_()
    assert html.count("<svg") == 2 and "<?xml" not in html
    assert "display:flex" in html
    assert html.index(">autograd_mini<") < html.index(">torch<")
    assert "the two graphs are identical" in html


def test_side_by_side_marks_a_different_node_in_both_pictures():
    x = torch.ones(3, requires_grad=True)
    shown = side_by_side((x * 2).sum(), (x / 2).sum())
    assert not shown.identical
    assert "MulBackward0 in autograd_mini, DivBackward0 in torch" in str(shown)
    for graph in shown.graphs:
        assert '#d62728' in node_statements(graph.source)["n1"]
        assert '#d62728' not in node_statements(graph.source)["n0"]


def test_side_by_side_marks_a_node_shared_in_one_graph_only():
    x = torch.ones(3, requires_grad=True)
    y = x + 2
    once = (y * y).sum()  # one AddBackward0, reached twice
    twice = (y * (x + 2)).sum()  # two AddBackward0 nodes
    shown = side_by_side(once, twice)
    text = str(shown)
    assert "autograd_mini reuses #2 AddBackward0" in text
    assert "only in torch: #3 AddBackward0" in text
    torch_nodes = node_statements(shown.graphs[1].source)
    assert "#d62728" in torch_nodes["n3"] and "#d62728" not in torch_nodes["n2"]
    marked_edges = re.findall(r"^\t(n\d+ -> n\d+) .*#d62728", shown.graphs[0].source, re.MULTILINE)
    assert marked_edges == ["n2 -> n1"]


def test_side_by_side_pretty_print_is_the_text_summary():
    x = torch.ones(3, requires_grad=True)
    shown = side_by_side(x.sum(), x.mean())
    printed = []

    class Printer:
        def text(self, value):
            printed.append(value)

    shown._repr_pretty_(Printer(), cycle=False)
    assert printed == [str(shown)]
    assert "SumBackward0 in autograd_mini, MeanBackward0 in torch" in printed[0]
