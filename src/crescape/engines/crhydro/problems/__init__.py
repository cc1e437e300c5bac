"""Problem set-up of the CR-hydro engine (deck ``[problem]``), kept apart from the solver
as in pyro2/Dedalus: gas initial conditions (:mod:`.gas`) and the initial CR distribution (:mod:`.cr`)."""
from .cr import initial_cr, initial_tophat
from .gas import PROBLEMS, equilibrium_n, initial_primitives

__all__ = ["PROBLEMS", "equilibrium_n", "initial_cr", "initial_primitives", "initial_tophat"]
