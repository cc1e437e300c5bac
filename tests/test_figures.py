"""Figures: `crescape plot` on small example runs writes non-empty, non-blank PNGs; sweep
plots; a movie of one run (GIF via Pillow when ffmpeg is absent)."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import crescape
from crescape.engines.registry import get_engine
from crescape.plotting import plot_path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ENV = dict(os.environ, NUMBA_NUM_THREADS="1", MPLBACKEND="Agg")

# example deck -> overrides that make it small (a few seconds at most)
SMALL = {
    "sod": ["grid.n_cells=100"],
    "sedov": ["grid.n_cells=100"],
    "cloud_wnm": ["grid.n_cells=200", 'run.t_end="50 kyr"', "output.n_snapshots=8"],
}


def assert_figure_has_content(path: Path):
    """A real figure: a decodable PNG/PDF of sensible size whose pixels are not all one colour."""
    assert path.exists() and path.stat().st_size > 8_000, path
    if path.suffix == ".pdf":
        assert path.read_bytes()[:5] == b"%PDF-"
        return
    im = Image.open(path)
    im.verify()
    im = Image.open(path).convert("L")
    assert im.size[0] >= 400 and im.size[1] >= 300, im.size
    a = np.asarray(im, dtype=float)
    assert a.std() > 8.0, f"{path.name}: nearly uniform image (std {a.std():.2f})"
    assert (a < 200).mean() > 0.005, f"{path.name}: almost nothing drawn"


def _has_plotter(engine):
    return get_engine(engine).figures is not None


@pytest.fixture(scope="module")
def example_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("examples")
    runs = {}
    for name, over in SMALL.items():
        deck = crescape.load_config(EXAMPLES / f"{name}.toml", over)
        if not _has_plotter(deck.engine):
            continue
        runs[name] = crescape.run(deck, tmp / name, progress=False)
    return runs


@pytest.mark.parametrize("name", sorted(SMALL))
def test_plot_writes_nonblank_pngs_for_each_example(example_runs, name):
    if name not in example_runs:
        pytest.skip(f"engine or plotting module for {name} not available yet")
    files = plot_path(example_runs[name])
    assert files, f"no figures for {name}"
    for f in files:
        assert_figure_has_content(Path(f))


def test_crescape_plot_command_on_a_run(example_runs, tmp_path):
    run = example_runs["sod"]
    r = subprocess.run([sys.executable, "-m", "crescape.cli", "plot", str(run), "--outdir", str(tmp_path),
                        "--format", "png"], capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 0, r.stderr
    files = [Path(line.split(" ", 1)[1]) for line in r.stdout.splitlines() if line.startswith("figure ")]
    assert files and all(f.parent == tmp_path for f in files)
    for f in files:
        assert_figure_has_content(f)


def test_pdf_format(example_runs, tmp_path):
    files = plot_path(example_runs["sedov"], fmt="pdf", outdir=tmp_path)
    assert files and all(Path(f).suffix == ".pdf" for f in files)
    for f in files:
        assert_figure_has_content(Path(f))


def test_movie_of_a_run_is_a_gif_with_changing_frames_without_ffmpeg(example_runs, tmp_path, monkeypatch):
    from crescape.plotting import movie

    monkeypatch.setattr(movie.shutil, "which", lambda name: None)  # as on this machine: no ffmpeg
    out = movie.make_movie(example_runs["sod"], out=tmp_path / "sod.mp4")
    assert out.suffix == ".gif" and out.stat().st_size > 10_000
    im = Image.open(out)
    assert im.n_frames >= 3
    frames = []
    for k in (0, im.n_frames - 1):
        im.seek(k)
        frames.append(np.asarray(im.convert("L"), dtype=float))
    assert frames[0].std() > 8.0
    assert np.abs(frames[0] - frames[1]).mean() > 0.1  # the profiles move


def test_sweep_plot_shows_summary_vs_parameters(tmp_path):
    """plot_sweep on an index built without a cluster: y = P² (log-log) in two gamma groups."""
    from crescape.plotting.sweep import plot_sweep
    from crescape.sweep import build_index, expand_points, load_sweep, write_index

    s = tmp_path / "s.toml"
    s.write_text('summaries = ["E_kin_max"]\n[base]\nengine = "crhydro"\ngrid = { geometry = "planar", n_cells = 16 }\n'
                 'problem = { kind = "riemann", x0 = 0.5 }\n[axes]\n"problem.right.P" = { log = [0.001, 0.1], num = 5 }\n'
                 '"gas.gamma" = [1.4, 1.6]\n')
    pts = expand_points(*load_sweep(s))
    results = {p.name: {"status": "done", "summaries": {"E_kin_max": p.values["problem.right.P"] ** 2}}
               for p in pts[:-1]}
    results[pts[-1].name] = {"status": "failed", "error": "SimulationError: boom"}
    out = tmp_path / "sw"
    out.mkdir()
    (out / "sweep.toml").write_text(s.read_text())
    write_index(out, build_index(pts, results, "crhydro", ["E_kin_max"], "product"))
    files = plot_path(out)
    assert [f.name for f in files] == ["sweep_E_kin_max.png"]
    assert_figure_has_content(files[0])
    with pytest.raises(FileNotFoundError, match="no summary"):
        plot_sweep(out, figure="nope")
