"""Tests for nnlib.fonts and nnlib.plotting."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib import font_manager, rcParams  # noqa: E402

from nnlib import fonts, plotting  # noqa: E402


def test_register_returns_noto_sans_sc_with_latin_fallback() -> None:
    family = fonts.register_chinese_font()
    assert family == "Noto Sans SC"
    assert rcParams["font.sans-serif"][:2] == [family, fonts.LATIN_FALLBACK]
    found = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert found.endswith("NotoSansSC-Regular.otf")


def test_chinese_labels_and_symbols_render_without_glyph_warning() -> None:
    plotting.use_course_style()
    fig, ax = plt.subplots()
    ax.plot([-1, 0, 1], [1, 0, 1], label="激活函数 σ′(x) ≈ 0.25, x₀")
    ax.set_title("神经网络 · 梯度消失 − 负号")
    ax.set_xlabel("输入 $x$")
    ax.legend()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning: fail on it
        fig.canvas.draw()
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def test_stale_font_cache_entries_are_dropped(tmp_path) -> None:
    ghost = font_manager.FontEntry(fname=str(tmp_path / "gone.ttf"), name="Ghost Font")
    font_manager.fontManager.ttflist.append(ghost)
    fonts._drop_stale_entries()
    assert ghost not in font_manager.fontManager.ttflist


def test_function_and_grad_matches_analytic_derivative() -> None:
    x, y, grad = plotting.function_and_grad(torch.sigmoid, (-6.0, 6.0), 121)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(y, s, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad, s * (1 - s), rtol=1e-5, atol=1e-6)
    assert x.shape == y.shape == grad.shape == (121,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x_range": (1.0, 1.0)}, "low < high"),
        ({"num": 1}, "num must be >= 2"),
        ({"fn": lambda x: x.sum()}, "element-wise"),
    ],
)
def test_function_and_grad_rejects_bad_input(kwargs, message) -> None:
    args = {"fn": torch.tanh, **kwargs}
    with pytest.raises(ValueError, match=message):
        plotting.function_and_grad(**args)


def test_plot_function_and_grad_titles() -> None:
    fig = plotting.plot_function_and_grad(torch.tanh, "Tanh")
    assert [ax.get_title() for ax in fig.axes] == ["Tanh 函数图像", "Tanh 导数图像"]
    assert rcParams["figure.facecolor"] == "white"
    plt.close(fig)


def test_plot_function_and_grad_labels_y_axes_and_takes_one_colour() -> None:
    from matplotlib.colors import to_hex

    fig = plotting.plot_function_and_grad(torch.relu, "ReLU", num=101)
    assert [ax.get_ylabel() for ax in fig.axes] == ["$f(x)$", "$f\\,'(x)$"]
    assert [to_hex(line.get_color()) for line in fig.axes[1].get_lines()] == [to_hex("C1")] * 2
    plt.close(fig)
    color = plotting.ACTIVATION_COLORS["relu"]
    fig = plotting.plot_function_and_grad(torch.relu, "ReLU", num=101, color=color)
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    assert len(lines) == 3 and {to_hex(line.get_color()) for line in lines} == {color}
    plt.close(fig)


def test_plot_curves_draws_one_line_per_curve_and_log_axis() -> None:
    fig = plotting.plot_curves([1, 2, 3], {"a": [1, 10, 100], "b": [2, 3, 4]}, logy=True)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert ax.get_yscale() == "log"
    plt.close(fig)


@pytest.mark.parametrize(
    ("curves", "styles", "message"),
    [
        ({}, None, "at least one"),
        ({"a": [1, 2]}, None, "must match"),
        ({"a": [1, 2, 3]}, ["-", "--"], "one entry per curve"),
    ],
)
def test_plot_curves_rejects_bad_input(curves, styles, message) -> None:
    with pytest.raises(ValueError, match=message):
        plotting.plot_curves([1, 2, 3], curves, styles=styles)


def test_subplots_rejects_zero_panels() -> None:
    with pytest.raises(ValueError, match="ncols and nrows"):
        plotting.subplots(0)


def test_derivative_panel_includes_zero_and_breaks_at_kinks() -> None:
    import numpy as np

    fig = plotting.plot_function_and_grad(torch.sigmoid, "sigmoid")
    low, high = fig.axes[1].get_ylim()
    assert low < 0 < high  # sigmoid' is positive, yet 0 is on the axis
    fig = plotting.plot_function_and_grad(torch.relu, "ReLU", num=101)
    curve, dot = fig.axes[1].get_lines()
    assert np.isnan(curve.get_ydata()).sum() == 1  # broken once, no vertical segment
    assert dot.get_xdata()[0] == 0 and dot.get_ydata()[0] == 0  # autograd's value at the kink


def test_plot_function_and_grad_draws_into_given_axes() -> None:
    fig, axes = plotting.subplots(ncols=2, nrows=2)
    for row, (fn, name) in zip(axes, [(torch.relu, "ReLU"), (torch.tanh, "tanh")], strict=True):
        assert plotting.plot_function_and_grad(fn, name, axes=row) is fig
    assert len(fig.axes) == 4  # no new panels
    assert [ax.get_title() for ax in fig.axes] == [
        "ReLU 函数图像",
        "ReLU 导数图像",
        "tanh 函数图像",
        "tanh 导数图像",
    ]
    with pytest.raises(ValueError, match="pair"):
        plotting.plot_function_and_grad(torch.relu, "ReLU", axes=[axes[0][0]])


def test_plot_curves_colors() -> None:
    fig = plotting.plot_curves(
        [0, 1], {"a": [0, 1], "b": [1, 0]}, colors=[plotting.ACTIVATION_COLORS["relu"], None]
    )
    assert fig.axes[0].get_lines()[0].get_color() == plotting.ACTIVATION_COLORS["relu"]
    with pytest.raises(ValueError, match="colors"):
        plotting.plot_curves([0, 1], {"a": [0, 1]}, colors=["r", "g"])


def test_init_colours_one_per_method_and_distinct_families() -> None:
    from nnlib.init import init_names

    assert set(plotting.INIT_COLORS) == set(init_names())
    assert plotting.init_color("kaiming_uniform") == plotting.init_color("kaiming_normal")
    assert plotting.init_color("xavier_uniform") == plotting.init_color("xavier_normal")
    families = ["kaiming_normal", "xavier_normal", "default", "normal", "uniform", "zeros"]
    assert len({plotting.init_color(name) for name in families}) == len(families)
    with pytest.raises(ValueError, match="valid names: kaiming_normal"):
        plotting.init_color("he")


def test_setting_colours_one_per_configuration() -> None:
    from nnlib.experiments.initialization import DEPTH_SETTINGS

    assert set(plotting.SETTING_COLORS) == set(DEPTH_SETTINGS)
    # four configurations, four colours: tanh + Xavier no longer shares Xavier's orange
    assert len(set(plotting.SETTING_COLORS.values())) == len(DEPTH_SETTINGS)
    # the ReLU configurations keep their init's colour (the training figure uses init colours)
    for label, (activation, init) in DEPTH_SETTINGS.items():
        if activation == "relu":
            assert plotting.SETTING_COLORS[label] == plotting.init_color(init)


def test_figure_for_reuses_given_axes_or_makes_one() -> None:
    fig, ax = plotting.figure_for(None, (3.0, 2.0))
    assert tuple(fig.get_size_inches()) == (3.0, 2.0) and ax.figure is fig
    assert plotting.figure_for(ax, (9.0, 9.0)) == (fig, ax)


def test_figure_png_is_print_resolution_with_page_size_in_metadata() -> None:
    import base64

    from PIL import Image

    fig, _ = plotting.subplots(2)
    data, metadata = plotting.figure_png(fig)
    width_in, height_in = fig.get_size_inches()
    dpi = plotting.stored_dpi(width_in)
    with Image.open(io.BytesIO(base64.b64decode(data))) as image:
        expected = (width_in * dpi, height_in * dpi)
        assert all(abs(got - want) < 1 for got, want in zip(image.size, expected, strict=True))
        assert image.info["dpi"][0] == pytest.approx(dpi, abs=0.01)
        assert image.mode == "RGB"  # opaque: no alpha channel to print as a second image
    # Shown on the site at 110 CSS pixels per inch.
    assert metadata == {"width": round(width_in * 110), "height": round(height_in * 110)}
    plt.close(fig)


@pytest.mark.parametrize("width_in", [1.0, 3.2, 5.5, 5.6, 6.4, 7.7, 9.6, 20.0])
def test_stored_dpi_is_print_resolution_on_paper_and_2x_on_screen(width_in) -> None:
    dpi = plotting.stored_dpi(width_in)
    printed_in = min(width_in, plotting.PRINT_MAX_WIDTH_CM / 2.54)
    assert dpi * width_in / printed_in >= 300 - 1e-9  # PDF: true size, at most 14 cm wide
    assert dpi >= 2 * 110  # site: two pixels per CSS pixel
    assert dpi == pytest.approx(max(300 * printed_in / width_in, 220))  # and no more


def test_stored_dpi_rejects_a_bad_width() -> None:
    with pytest.raises(ValueError, match="width_in must be > 0"):
        plotting.stored_dpi(0)


def test_figure_png_skips_a_figure_without_axes() -> None:
    fig = plt.figure()
    assert plotting.figure_png(fig) is None
    plt.close(fig)


def test_course_style_makes_ipython_display_figures_through_figure_png(monkeypatch) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    # IPython warns when VIRTUAL_ENV names another environment than the running Python's (CI
    # runs the tests with the project's interpreter without activating it).
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    shell = InteractiveShell.instance()
    try:
        plotting.use_course_style()
        fig, _ = plotting.subplots(1)
        data, metadata = shell.display_formatter.format(fig)
        assert metadata["image/png"] == {"width": 352, "height": 286}
        assert data["image/png"] == plotting.figure_png(fig)[0]
        plt.close(fig)
    finally:
        InteractiveShell.clear_instance()


FRESH_PLOT = """
import sys, warnings
{before}
import nnlib
assert "matplotlib" not in sys.modules or {matplotlib_first}, "import nnlib imported matplotlib"
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import rcParams
assert rcParams["font.family"][0] == "Noto Sans SC", rcParams["font.family"]
assert plt.__loader__.__class__.__name__ != "_Loader", "pyplot keeps its real loader"
fig, ax = plt.subplots()
ax.set_title("损失曲线")
ax.set_xlabel("训练步数")
with warnings.catch_warnings():
    warnings.simplefilter("error")
    fig.canvas.draw()
print("ok")
"""


@pytest.mark.parametrize(
    "before",
    ["", "import matplotlib.pyplot", "import nnlib.plotting"],
    ids=["nnlib-then-pyplot", "pyplot-then-nnlib", "nnlib.plotting"],
)
def test_plain_matplotlib_plot_gets_chinese_after_import_nnlib(before: str) -> None:
    """Issue 22: a learner's own plot after ``import nnlib`` (no start_chapter) draws Chinese
    without glyph warnings, while ``import nnlib`` alone still does not import matplotlib."""
    import subprocess
    import sys

    code = FRESH_PLOT.format(before=before, matplotlib_first=bool(before))
    env = {k: v for k, v in __import__("os").environ.items() if k != "MPLBACKEND"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok" and run.stderr == "", run.stderr
