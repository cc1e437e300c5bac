"""``crescape run --resume DIR`` takes no deck changes, except extending ``run.t_end`` (recorded)."""
import json
import tomllib
from pathlib import Path

import pytest

from crescape.cli import main
from crescape.io import open_run

EX = Path(__file__).resolve().parents[1] / "examples"
SMALL = ["--set", "grid.n_cells=48", "--set", "run.t_end=0.1", "--set", "output.n_snapshots=2"]


@pytest.fixture(scope="module")
def sod_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("resume") / "sod"
    assert main(["run", str(EX / "sod.toml"), "--out", str(out), "-q", *SMALL]) == 0
    return out


@pytest.mark.parametrize("change", ["cr.D0=1e28", "grid.n_cells=64", "gas.gamma=1.6", "run.t_end.x=1"])
def test_resume_refuses_deck_changes(sod_run, change, capsys):
    before = (sod_run / "config.toml").read_text()
    rc = main(["run", "--resume", str(sod_run), "--set", change, "-q"])
    err = capsys.readouterr().err
    assert rc == 2 and "--resume takes no deck changes" in err and err.count("\n") == 1
    assert (sod_run / "config.toml").read_text() == before


def test_resume_may_extend_t_end_and_records_it(sod_run, tmp_path, capsys):
    import shutil

    run = tmp_path / "ext"
    shutil.copytree(sod_run, run)
    assert main(["run", "--resume", str(run), "--set", "run.t_end=0.15", "-q"]) == 0
    text = (run / "config.toml").read_text()
    assert tomllib.loads(text)["run"]["t_end"] == 0.15 and text.startswith("# restarted ")
    r = open_run(run)
    assert r.config.run.t_end == 0.15
    assert abs(float(r.snapshots["t"].values[-1]) - 0.15) < 1e-12
    restarts = json.loads(r.attrs["restarts"])
    assert restarts[0]["changes"] == {"run.t_end": [0.1, 0.15]}
    capsys.readouterr()
    assert main(["run", "--resume", str(run), "--set", "run.t_end=0.05", "-q"]) == 2  # never shortened
    assert "extend a run, not shorten it" in capsys.readouterr().err


def test_plot_of_a_run_shorter_than_one_myr(tmp_path, capsys):
    """Seed-000 figures pick snapshots at 1 and 10 Myr: a 20 kyr run must still plot (was plt.subplots(0))."""
    out = tmp_path / "short"
    rc = main(["run", str(EX / "crhydro_small.toml"), "--out", str(out), "-q", "--plot",
               "--set", "grid.n_cells=24", "--set", "cr.p_min=1.0", "--set", "cr.p_max=10.0",
               "--set", 'run.t_end="20 kyr"', "--set", "output.times=[]", "--set", "output.n_snapshots=2"])
    assert rc == 0, capsys.readouterr().err
    figs = sorted(p.name for p in (out / "figures").iterdir())
    assert any(f.startswith("fig4") for f in figs), figs
