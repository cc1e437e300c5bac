"""Figures fit to publish: every figure of every engine (tiny runs, drawn through ``crescape plot``)
is checked as it is saved — each axes with data has x and y labels with units, no two tick
labels of an axis overlap (text extents after a canvas draw), log axes span the data's
meaningful range (not 280 decades), a legend never repeats an entry, and times are printed in
yr/kyr/Myr with a mantissa (never "2e+03 kyr")."""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.figure  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from crescape import cli  # noqa: E402
from crescape.config import load_config  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RUNS = {
    "crhydro_cr": ("examples/shimoda2025_D27.toml", ["grid.n_cells=48", 'run.t_end="2 Myr"',
                                                     'output.times=["0.5 kyr", "10 kyr", "100 kyr", "1 Myr", "1.002 Myr", "2 Myr"]',
                                                     "output.n_snapshots=4"]),
    "crhydro_snr": ("examples/snr_radiative.toml", ["grid.n_cells=100", 'run.t_end="100 kyr"', "output.n_snapshots=4"]),
    "sde": ("examples/sde_planar_shock.toml", ["injection.n_particles=200", "run.t_end=10.0", "run.dt=0.01"]),
    "sde3d": ("examples/sde3d_oblique_shock.toml", ["injection.n_particles=64", "run.t_end=2.0", "output.times=[2.0]"]),
    "cloud": ("examples/cloud_cnm.toml", ["grid.n_cells=200", 'run.t_end="20 kyr"', "cr.bins=3", "output.n_snapshots=6"]),
}
UNIT_OK = re.compile(r"\[.+\]|/|relative|fraction|ratio|index|arbitrary|normali[sz]ed|weights|χ|chi|\$\\chi")
MAX_DECADES = 25


def _axes_with_data(fig):
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":  # colorbars carry their label on one axis only
            continue
        if ax.get_visible() and (ax.lines or ax.collections or ax.images or ax.patches):
            yield ax


def _label_shared(fig, ax, which) -> bool:
    """A row of panels shares its y label (on the first one), a column its x label (bottom)."""
    for o in fig.axes:
        if o is ax or o.get_label() == "<colorbar>":
            continue
        same_box = o.bbox.bounds == ax.bbox.bounds  # twin axes
        if which == "x" and (same_box or abs(o.bbox.x0 - ax.bbox.x0) < 2) and o.get_xlabel():
            return True
        if which == "y" and not same_box and abs(o.bbox.y0 - ax.bbox.y0) < 2 and o.get_ylabel() \
                and o.get_yscale() == ax.get_yscale() and o.bbox.x0 < ax.bbox.x0:
            return True
    return False


def _overlaps(labels) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent()) for t in labels if t.get_visible() and t.get_text().strip()]
    bad = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i][1], boxes[j][1]
            if a.overlaps(b) and a.intersection(a, b) is not None:
                inter = a.intersection(a, b)
                if inter.width > 1 and inter.height > 1:
                    bad.append((boxes[i][0], boxes[j][0]))
    return bad


TIME_BAD = re.compile(r"\d(?:\.\d+)?e[+-]?\d+\s*(?:yr|kyr|Myr)\b")
KYR_BIG = re.compile(r"(?<![\d.])(\d{4,}(?:\.\d+)?)\s*kyr\b")


def check_figure(fig) -> list[str]:
    """All defects of one figure (empty list: fit to publish)."""
    problems = []
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_visible()]
    for s in texts:
        if TIME_BAD.search(s) or KYR_BIG.search(s):
            problems.append(f"time printed as {s!r}")
    fb = fig.bbox
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_visible() and t.get_text().strip() and t.axes is not None or t in fig.texts:
            e = t.get_window_extent()
            if t.get_visible() and t.get_text().strip() and (e.x0 < fb.x0 - 2 or e.x1 > fb.x1 + 2 or e.y1 > fb.y1 + 2):
                problems.append(f"text {t.get_text()!r} cut off at the figure edge")
    for ax in _axes_with_data(fig):
        name = ax.get_title() or ax.get_ylabel() or "axes"
        for which, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
            if not label and not _label_shared(fig, ax, which):
                problems.append(f"{name}: no {which} label")
            elif label and not UNIT_OK.search(label):
                problems.append(f"{name}: {which} label {label!r} has no unit")
        for axis in (ax.xaxis, ax.yaxis):
            for a, b in _overlaps(axis.get_ticklabels()):
                problems.append(f"{name}: tick labels {a!r} and {b!r} overlap")
        for which, scale, lim in (("x", ax.get_xscale(), ax.get_xlim()), ("y", ax.get_yscale(), ax.get_ylim())):
            lo, hi = sorted(lim)
            if scale == "log" and lo > 0 and np.log10(hi / lo) > MAX_DECADES:
                problems.append(f"{name}: {which} axis spans {np.log10(hi / lo):.0f} decades ({lo:.3g} … {hi:.3g})")
        leg = ax.get_legend()
        if leg is not None:
            entries = [t.get_text() for t in leg.get_texts()]
            dup = sorted({e for e in entries if entries.count(e) > 1})
            if dup:
                problems.append(f"{name}: legend repeats {dup}")
    for leg in fig.legends:
        entries = [t.get_text() for t in leg.get_texts()]
        dup = sorted({e for e in entries if entries.count(e) > 1})
        if dup:
            problems.append(f"figure legend repeats {dup}")
    return problems


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """Run each tiny deck, draw all its figures; return {run: {figure file: [problems]}}."""
    import crescape

    results = {}
    orig = matplotlib.figure.Figure.savefig

    def spy(self, fname, *a, **k):
        results.setdefault(current[0], {})[Path(str(fname)).name] = check_figure(self)
        return orig(self, fname, *a, **k)

    current = [None]
    matplotlib.figure.Figure.savefig = spy
    try:
        for name, (deck, sets) in RUNS.items():
            current[0] = name
            out = crescape.run(load_config(ROOT / deck, sets), tmp_path_factory.mktemp(name) / "run", progress=False)
            assert cli.main(["plot", str(out)]) == 0
            results[name]["_dir"] = out
    finally:
        matplotlib.figure.Figure.savefig = orig
    return results


@pytest.mark.parametrize("run", sorted(RUNS))
def test_every_figure_is_fit_to_publish(checked, run):
    figs = {k: v for k, v in checked.get(run, {}).items() if k != "_dir"}
    assert figs, f"{run}: no figure drawn"
    bad = {f: p for f, p in figs.items() if p}
    assert not bad, "\n".join(f"{f}: {'; '.join(p)}" for f, p in sorted(bad.items()))


@pytest.mark.parametrize("run", sorted(RUNS))
def test_figure_names_are_file_names_and_unknown_names_list_the_choices(checked, run, capsys, tmp_path):
    """`crescape plot RUN --figure NAME` takes the file name of every figure `crescape plot RUN`
    wrote; a wrong name is exit status 2 with the list of names, not a traceback."""
    out = checked[run]["_dir"]
    stems = sorted(Path(f).stem for f in checked[run] if f != "_dir")
    one = stems[len(stems) // 2]
    assert cli.main(["plot", str(out), "--figure", one, "--outdir", str(tmp_path)]) == 0
    assert [p.stem for p in tmp_path.iterdir()] == [one]
    capsys.readouterr()
    assert cli.main(["plot", str(out), "--figure", "no_such_figure"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "no_such_figure" in err
    assert all(s in err for s in stems), (stems, err)


def test_quality_checks_catch_the_defects_they_are_for():
    """The checker itself: a figure with each defect is flagged, a clean one is not."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    x = np.logspace(0, 2, 10)
    ax.loglog(x, x, label="1e+03 kyr")
    ax.loglog(x, 2 * x, label="1e+03 kyr")
    ax.set_ylim(1e-280, 1e3)
    ax.legend()
    ax.set_title("a title far too long to fit in the width of this small figure, so it is cut off at both edges")
    text = "; ".join(check_figure(fig))
    for defect in ("no x label", "no y label", "decades", "legend repeats", "time printed", "cut off"):
        assert defect in text, defect
    plt.close(fig)
    fig, ax = plt.subplots()
    ax.set_yscale("symlog", linthresh=1e-30)
    ax.plot([0, 1], [-1e-20, 1e-20])
    ax.set_yticks([-1e-26, -1e-28, 0, 1e-28, 1e-26])
    ax.set_xlabel("r [pc]")
    ax.set_ylabel("rate [erg cm$^{-3}$ s$^{-1}$]")
    fig.set_size_inches(4, 1.2)
    assert any("overlap" in p for p in check_figure(fig))
    plt.close(fig)
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4], label="1.2 Myr")
    ax.set(xlabel="r [pc]", ylabel="n [cm$^{-3}$]", title="t = 350 kyr")
    ax.legend()
    assert check_figure(fig) == []
    plt.close(fig)


def test_propagation_title_names_the_flow_of_the_run():
    """'after the wind ceased' only for a wind (Isenberg) flow, not for a planar shock."""
    from types import SimpleNamespace

    from crescape.engines.sde.figures import _propagation_title

    def run(kind):
        return SimpleNamespace(config=SimpleNamespace(flow=SimpleNamespace(kind=kind)))

    assert "wind" not in _propagation_title(run("planar_shock"))
    assert "planar shock" in _propagation_title(run("planar_shock"))
    assert "wind" in _propagation_title(run("isenberg"))


def test_movie_shows_lengths_in_pc_and_speeds_in_km_s_like_the_figures():
    """The movie used cm (with a 1e20 offset) and cm s-1 while the figures use pc and km s-1."""
    from crescape.core.constants import pc
    from crescape.plotting.movie import _display, _tex_unit

    r, unit = _display(np.array([0.0, 150 * pc, 300 * pc]), "cm")
    assert unit == "pc" and r[-1] == pytest.approx(300.0)
    v, unit = _display(np.array([0.0, 5e7]), "cm s-1")
    assert unit == "km s$^{-1}$" and v[-1] == pytest.approx(500.0)
    assert _display(np.array([0.5, 1.0]), "cm")[1] == "cm"  # laboratory problems keep cm
    assert _tex_unit("erg cm-3 s-1") == "erg cm$^{-3}$ s$^{-1}$"
