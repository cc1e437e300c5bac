"""The CR number ledger closes: in box + escaped + streamed + below p_min + above p_max = injected."""
from pathlib import Path

import pytest

from crescape.config import load_config
from crescape.engines.crhydro.solver import CRHydroSolver

SMALL = Path(__file__).parents[1] / "examples" / "crhydro_small.toml"


@pytest.mark.parametrize("streaming", [True, False])
def test_number_ledger_closes_to_round_off_with_and_without_streaming(streaming):
    deck = load_config(SMALL, ["grid.n_cells=96", "grid.r_max=60 pc", "run.t_end=300 kyr", f"cr.streaming={str(streaming).lower()}"])
    s = CRHydroSolver(deck)
    while s.t < deck.run.t_end:
        s.step(deck.run.t_end - s.t)
    h = s.history()
    inj = h["N_cr_injected"][0]
    assert inj > 0 and h["N_cr_injected"][1] == "1"
    # every channel is exercised (the ledger is not closed by empty columns)
    assert h["N_cr_escaped"][0] > 1e-3 * inj
    assert h["N_cr_pmin"][0] > 1e-3 * inj  # Coulomb losses and expansion push CRs below p_min
    assert h["N_cr_pmax"][0] >= 0.0
    if streaming:
        assert h["N_cr_streaming"][0] > 1e-3 * inj
    else:
        assert h["N_cr_streaming"][0] == 0.0
    total = h["N_cr"][0] + h["N_cr_escaped"][0] + h["N_cr_streaming"][0] + h["N_cr_pmin"][0] + h["N_cr_pmax"][0]
    assert total == pytest.approx(inj, rel=1e-12)
    assert abs(h["N_cr_error"][0]) <= 1e-12
    assert h["N_cr_plost"][0] == pytest.approx(h["N_cr_pmin"][0] + h["N_cr_pmax"][0], rel=1e-14)
    assert abs(h["E_total_error"][0]) <= 1e-12  # the energy ledger is unchanged
    # ... with the CR diffusion step sub-cycled inside hydro steps (error control active)
    assert h["n_cr_substeps"][0] > 1.2 * s.nstep
