"""Tests for nnlib.diagrams: what is drawn (counts, labels), validation, clean rendering."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from nnlib import diagrams  # noqa: E402


def _with_gid(fig: Figure, gid: str) -> list:
    """Every artist of the figure's single axes carrying ``gid``."""
    (ax,) = fig.axes
    return [a for a in (*ax.patches, *ax.lines, *ax.texts) if a.get_gid() == gid]


def _texts(fig: Figure) -> str:
    (ax,) = fig.axes
    return "\n".join([t.get_text() for t in ax.texts] + [ax.get_title()])


def _render_strictly(fig: Figure) -> None:
    """Draw and save the figure with every warning (e.g. a missing glyph) turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
        fig.savefig(io.BytesIO(), format="png")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("sizes", [[3, 4, 2], [1, 1], [4, 8, 8, 3], (12, 5, 1)])
def test_network_draws_one_node_per_neuron_and_one_edge_per_weight(sizes) -> None:
    fig = diagrams.draw_network(sizes)
    assert isinstance(fig, Figure)
    assert len(_with_gid(fig, diagrams.NODE_GID)) == sum(sizes)
    expected_edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    assert len(_with_gid(fig, diagrams.EDGE_GID)) == expected_edges


def test_network_edges_match_the_weights_of_linear_layers() -> None:
    sizes = [3, 4, 2]
    edges = diagrams.network_edges(sizes)
    layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    assert len(edges) == sum(layer.weight.numel() for layer in layers) == 20
    # Only neighbouring layers are joined, each pair exactly once, nothing inside a layer.
    assert len(set(edges)) == len(edges)
    assert {k for k, _, _ in edges} == {0, 1}
    for k, i, j in edges:
        assert 0 <= i < sizes[k] and 0 <= j < sizes[k + 1]


def test_network_edges_are_drawn_between_neighbouring_columns_only() -> None:
    fig = diagrams.draw_network([2, 3, 2])
    xs = sorted({round(float(c.center[0]), 6) for c in _with_gid(fig, diagrams.NODE_GID)})
    assert len(xs) == 3
    for line in _with_gid(fig, diagrams.EDGE_GID):
        x0, x1 = (round(float(v), 6) for v in line.get_xdata())
        assert xs.index(x1) - xs.index(x0) == 1


def test_network_layer_labels() -> None:
    fig = diagrams.draw_network([3, 4, 2])
    labels = [t.get_text() for t in _with_gid(fig, diagrams.LAYER_LABEL_GID)]
    assert [label.split("\n")[0] for label in labels] == ["输入层", "隐藏层", "输出层"]
    assert "4 个神经元" in labels[1]
    assert "3 个输入" in labels[0] and "神经元" not in labels[0]  # the input layer computes nothing
    text = _texts(fig)
    assert "$x_{1}$" in text and "$h_{4}$" in text and "$y_{2}$" in text
    assert "$x_{1}$" not in _texts(diagrams.draw_network([3, 4, 2], node_labels=False))


def test_layer_names_number_several_hidden_layers() -> None:
    assert diagrams.layer_names(2) == ["输入层", "输出层"]
    assert diagrams.layer_names(4) == ["输入层", "隐藏层 1", "隐藏层 2", "输出层"]
    with pytest.raises(ValueError, match=">= 2"):
        diagrams.layer_names(1)


@pytest.mark.parametrize(
    ("sizes", "error", "message"),
    [
        ([3], ValueError, "at least 2 layers"),
        ([], ValueError, "at least 2 layers"),
        ([3, 0, 2], ValueError, r"1\.\.12"),
        ([3, 13], ValueError, r"1\.\.12"),
        ([3, -1], ValueError, r"1\.\.12"),
        ([3, 2.5], TypeError, "must be ints"),
        ([3, True], TypeError, "must be ints"),
        ("342", TypeError, "sequence of ints"),
        (5, TypeError, "sequence of ints"),
    ],
)
def test_bad_layer_sizes_raise(sizes, error, message) -> None:
    with pytest.raises(error, match=message):
        diagrams.draw_network(sizes)
    with pytest.raises(error, match=message):
        diagrams.network_edges(sizes)


def test_numpy_ints_are_accepted() -> None:
    assert diagrams.validate_layer_sizes(np.array([3, 4, 2]).tolist()) == (3, 4, 2)
    assert diagrams.validate_layer_sizes([np.int64(3), np.int32(2)]) == (3, 2)


@pytest.mark.parametrize("n_inputs", [1, 3, 6])
def test_neuron_counts(n_inputs) -> None:
    fig = diagrams.draw_neuron(n_inputs)
    # inputs + bias + sum node; arrows: one per input, bias, sum -> f, output
    assert len(_with_gid(fig, diagrams.NODE_GID)) == n_inputs + 2
    assert len(_with_gid(fig, diagrams.EDGE_GID)) == n_inputs + 3


def test_neuron_labels_symbolic_and_numbered() -> None:
    text = _texts(diagrams.draw_neuron(3))
    for part in ("$x_{1}$", "$x_{n}$", "$w_{1}$", "$w_{n}$", "$b$", r"$\Sigma$", "$f$", "$y$"):
        assert part in text, part
    for part in ("输入", "偏置", "加权求和", "激活函数", "输出", "人工神经元"):
        assert part in text, part
    assert r"\vdots" in text
    numbered = _texts(diagrams.draw_neuron(3, symbolic=False))
    assert "$x_{3}$" in numbered and "$w_{3}$" in numbered and "$x_{n}$" not in numbered


@pytest.mark.parametrize(
    ("n_inputs", "error"), [(0, ValueError), (13, ValueError), (2.0, TypeError)]
)
def test_neuron_rejects_bad_input_count(n_inputs, error) -> None:
    with pytest.raises(error, match=r"n_inputs must be an int in 1\.\.12"):
        diagrams.draw_neuron(n_inputs)


def test_biological_neuron_labels() -> None:
    text = _texts(diagrams.draw_biological_neuron())
    for part in ("树突", "细胞体", "细胞核", "轴丘", "轴突", "髓鞘", "轴突末梢", "信号传递方向"):
        assert part in text, part


@pytest.mark.parametrize(
    "draw",
    [
        diagrams.draw_neuron,
        diagrams.draw_network,
        diagrams.draw_biological_neuron,
        lambda: diagrams.draw_network([4, 8, 8, 3]),
    ],
)
def test_diagrams_render_without_any_warning(draw) -> None:
    fig = draw()
    _render_strictly(fig)
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert not fig.axes[0].axison


def test_biological_neuron_labels_the_synapse() -> None:
    text = _texts(diagrams.draw_biological_neuron())
    assert "突触" in text and "树突" in text and "细胞核" in text
