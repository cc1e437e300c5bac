"""Measured local cosmic-ray proton spectra (package data) and rigidity ↔ energy conversions.

Data sets (see ``crescape/data/cr_spectra/PROVENANCE.txt`` for commits and licences):

- ``ams02_2015``   AMS-02, Aguilar et al. 2015, PRL 114, 171103 (2011/05-2013/11), given per
  rigidity bin and converted here to kinetic energy per nucleon;
- ``ams02_2021``   AMS-02, Aguilar et al. 2021, Phys. Rep. 894, 1 (2011-2018), rigidity;
- ``calet_2022``   CALET, Adriani et al. 2022, PRL 129, 101102 (kinetic energy);
- ``voyager1_2013`` Voyager 1 beyond the heliopause, Stone et al. 2013, Science 341, 150 — used
  IN PLACE OF Cummings et al. 2016, ApJ 831, 18 (seed 000, Fig. 11), which was not available.

Every data set is returned in the same units: kinetic energy per nucleon E [GeV/n] and
differential intensity J [m^-2 s^-1 sr^-1 (GeV/n)^-1], with statistical and systematic
errors kept separate (asymmetric: lower and upper).
"""
from __future__ import annotations

import dataclasses
from importlib import resources

import numpy as np

from ..core.constants import GeV, m_p_c2, m_u

M_P_GEV = m_p_c2 / GeV  # proton rest energy [GeV] (0.938272...)
M_U_GEV = m_u * 2.99792458e10**2 / GeV  # atomic mass unit [GeV]

_DATA_PACKAGE = "crescape"
_DATA_DIR = "data/cr_spectra"


# --------------------------------------------------------------------------------------------
# kinematics: rigidity R [GV] <-> kinetic energy per nucleon E [GeV/n]
# --------------------------------------------------------------------------------------------
def _nucleon_mass(A: int) -> float:
    return M_P_GEV if A == 1 else M_U_GEV


def rigidity_to_ekn(R, Z: int = 1, A: int = 1):
    """Kinetic energy per nucleon [GeV/n] of a nucleus (Z, A) with rigidity R [GV].

    R = p c / (Z e)  ⇒  momentum per nucleon p_n c = Z R / A [GeV], and
    E = sqrt(p_n² c² + m² c⁴) − m c²  (m: proton mass for A = 1, else the atomic mass unit).
    """
    m = _nucleon_mass(A)
    pn = Z * np.asarray(R, dtype=float) / A
    return np.sqrt(pn * pn + m * m) - m


def ekn_to_rigidity(E, Z: int = 1, A: int = 1):
    """Rigidity R [GV] of a nucleus (Z, A) with kinetic energy per nucleon E [GeV/n].

    p_n c = sqrt(E (E + 2 m c²)),  R = A p_n c / Z.  Inverse of :func:`rigidity_to_ekn`.
    """
    m = _nucleon_mass(A)
    E = np.asarray(E, dtype=float)
    return A * np.sqrt(E * (E + 2.0 * m)) / Z


def dR_dEkn(E, Z: int = 1, A: int = 1):
    """Jacobian dR/dE [GV per GeV/n] = (A/Z) (E + m c²)/(p_n c) = (A/Z)/β."""
    m = _nucleon_mass(A)
    E = np.asarray(E, dtype=float)
    return (A / Z) * (E + m) / np.sqrt(E * (E + 2.0 * m))


def flux_per_rigidity_to_per_ekn(flux_R, E, Z: int = 1, A: int = 1):
    """Convert dJ/dR [(m² s sr GV)^-1] at the rigidity of E to dJ/dE [(m² s sr GeV/n)^-1].

    Same particles counted in the same bin: dJ/dE = dJ/dR · dR/dE.
    """
    return np.asarray(flux_R, dtype=float) * dR_dEkn(E, Z, A)


# --------------------------------------------------------------------------------------------
# data sets
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class CRDataSet:
    """One measured spectrum in kinetic energy per nucleon.

    ``E`` [GeV/n] bin representative energy, ``E_lo``/``E_hi`` bin edges (NaN when the table
    has none), ``J`` [(m² s sr GeV/n)^-1]; ``stat_lo``/``stat_hi`` and ``syst_lo``/``syst_hi``
    are the (positive) lower/upper errors on J. ``modulated`` says whether the data were taken
    inside the heliosphere (force-field modulation applies). ``phi_crdb`` [GV] is the
    force-field potential CRDB lists for the epoch (None if not given).
    """

    name: str
    label: str
    reference: str
    epoch: str
    E: np.ndarray
    E_lo: np.ndarray
    E_hi: np.ndarray
    J: np.ndarray
    stat_lo: np.ndarray
    stat_hi: np.ndarray
    syst_lo: np.ndarray
    syst_hi: np.ndarray
    modulated: bool = True
    phi_crdb: float | None = None
    note: str = ""

    def __len__(self):
        return len(self.E)

    def error(self, which: str = "stat+syst", side: str = "lo") -> np.ndarray:
        """Error on J: ``stat``, ``syst`` or ``stat+syst`` (quadrature); lower or upper side."""
        st = self.stat_lo if side == "lo" else self.stat_hi
        sy = self.syst_lo if side == "lo" else self.syst_hi
        if which == "stat":
            return st.copy()
        if which == "syst":
            return sy.copy()
        if which == "stat+syst":
            return np.hypot(st, sy)
        raise ValueError(f"error kind must be 'stat', 'syst' or 'stat+syst', got {which!r}")

    def select(self, E_min: float = 0.0, E_max: float = np.inf) -> CRDataSet:
        """The points with E_min <= E <= E_max (energies in GeV/n)."""
        m = (E_min <= self.E) & (E_max >= self.E)
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for k, v in fields.items():
            if isinstance(v, np.ndarray):
                fields[k] = v[m]
        return CRDataSet(**fields)


def _read_table(fname: str, usecols=None) -> np.ndarray:
    path = resources.files(_DATA_PACKAGE).joinpath(_DATA_DIR, fname)
    with resources.as_file(path) as p:
        return np.loadtxt(p, comments="#", usecols=usecols, ndmin=2)


def _read_usine(fname: str) -> np.ndarray:
    """Numeric columns 4-11 (<E>, E_lo, E_hi, value, -stat, +stat, -syst, +syst) and phi [MV]."""
    return _read_table(fname, usecols=(3, 4, 5, 6, 7, 8, 9, 10, 12))


def _from_rigidity(name, label, ref, epoch, R, R_lo, R_hi, F, st_lo, st_hi, sy_lo, sy_hi, **kw):
    E = rigidity_to_ekn(R)
    jac = dR_dEkn(E)  # the bin's flux per GV times dR/dE at <R>
    return CRDataSet(
        name, label, ref, epoch, E, rigidity_to_ekn(R_lo), rigidity_to_ekn(R_hi), F * jac,
        np.abs(st_lo) * jac, np.abs(st_hi) * jac, np.abs(sy_lo) * jac, np.abs(sy_hi) * jac, **kw,
    )


def load_ams02_2015() -> CRDataSet:
    """AMS-02 protons, Aguilar et al. 2015, PRL 114, 171103 (rigidity table → E per nucleon)."""
    a = _read_table("H_AMS02_PRL2015_rigidity_crdb.txt")
    return _from_rigidity(
        "ams02_2015", "AMS-02 (Aguilar+ 2015)", "Aguilar et al. 2015, PRL 114, 171103",
        "2011/05-2013/11", a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5], a[:, 6], a[:, 7],
        modulated=True, phi_crdb=0.564,
    )


def load_ams02_2015_crdb_ekn() -> CRDataSet:
    """The same AMS-02 2015 data as converted to E per nucleon by CRDB (for cross-checks)."""
    a = _read_usine("H_AMS02_PRL2015_EKN_crdb_usine.txt")
    return CRDataSet(
        "ams02_2015_crdb_ekn", "AMS-02 (CRDB EKN)", "Aguilar et al. 2015, PRL 114, 171103",
        "2011/05-2013/11", a[:, 0], a[:, 1], a[:, 2], a[:, 3], np.abs(a[:, 4]), a[:, 5],
        np.abs(a[:, 6]), a[:, 7], modulated=True, phi_crdb=float(a[0, 8]) / 1e3,
    )


def load_ams02_2021() -> CRDataSet:
    """AMS-02 protons 2011-2018, Aguilar et al. 2021, Phys. Rep. 894, 1 (rigidity, no bin edges)."""
    a = _read_table("H_AMS02_PhysRep2021_rigidity_crdb.txt")
    nan = np.full(len(a), np.nan)
    return _from_rigidity(
        "ams02_2021", "AMS-02 (Aguilar+ 2021)", "Aguilar et al. 2021, Phys. Rep. 894, 1",
        "2011/05-2018/05", a[:, 0], nan, nan, a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5],
        modulated=True,
    )


def load_calet_2022() -> CRDataSet:
    """CALET protons, Adriani et al. 2022, PRL 129, 101102 (kinetic energy, 56 GeV - 50 TeV)."""
    a = _read_table("H_CALET_PRL2022_Ek_crdb.txt")
    nan = np.full(len(a), np.nan)
    return CRDataSet(
        "calet_2022", "CALET (Adriani+ 2022)", "Adriani et al. 2022, PRL 129, 101102",
        "2015/10-2021/12", a[:, 0], nan, nan, a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5],
        modulated=True,
    )


def load_voyager1_2013() -> CRDataSet:
    """Voyager 1 protons beyond the heliopause, Stone et al. 2013, Science 341, 150.

    Used in place of Cummings et al. 2016 (ApJ 831, 18), which seed 000 plots but which was not
    available. Not modulated (measured in the local interstellar medium).
    """
    a = _read_usine("H_Voyager1_Stone2013_EKN_crdb_usine.txt")
    return CRDataSet(
        "voyager1_2013", "Voyager 1 (Stone+ 2013)", "Stone et al. 2013, Science 341, 150",
        "2012/10-2012/12", a[:, 0], a[:, 1], a[:, 2], a[:, 3], np.abs(a[:, 4]), a[:, 5],
        np.abs(a[:, 6]), a[:, 7], modulated=False,
        note="in place of Cummings et al. 2016 (not available)",
    )


LOADERS = {
    "ams02_2015": load_ams02_2015,
    "ams02_2021": load_ams02_2021,
    "calet_2022": load_calet_2022,
    "voyager1_2013": load_voyager1_2013,
}


def load_dataset(name: str) -> CRDataSet:
    """Load a data set by name (one of :data:`LOADERS`)."""
    try:
        return LOADERS[name]()
    except KeyError:
        raise ValueError(f"unknown data set {name!r} (choose from {sorted(LOADERS)})") from None


__all__ = [
    "CRDataSet", "LOADERS", "M_P_GEV", "dR_dEkn", "ekn_to_rigidity", "flux_per_rigidity_to_per_ekn",
    "load_ams02_2015", "load_ams02_2015_crdb_ekn", "load_ams02_2021", "load_calet_2022",
    "load_dataset", "load_voyager1_2013", "rigidity_to_ekn",
]
