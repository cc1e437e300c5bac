"""Problem set-up of the cloud engine: grid, phases, energy grid, coefficients, initial state.

Kept apart from the solver (pyro2/Dedalus style): everything here is computed once
from the deck; the solver only advances arrays.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from ...core import constants as C
from ...physics import waves as W
from ...physics.ism import Phase, phase_index
from ...physics.losses import coulomb_loss_rate, ionisation_loss_rate

SIGMA_PP = 40e-27  # inelastic pp cross-section used for losses [cm^2] (~40 mb at 10–1000 GeV)


# --- source models -----------------------------------------------------------
def tm99_radius(t, E_SN=1e51, M_ej=1.4 * C.M_sun, rho0=C.m_p):
    """SNR forward-shock radius R_sh(t) [cm], Truelove & McKee (1999), uniform medium, n = 0 ejecta.

    Ejecta-dominated: R* = 2.01 t* (1 + 1.72 t*^{3/2})^{-2/3} for t* < 0.495;
    Sedov–Taylor:     R* = (1.42 t* − 0.254)^{2/5};
    R_ch = M_ej^{1/3} ρ0^{-1/3}, t_ch = E^{-1/2} M_ej^{5/6} ρ0^{-1/3} (TM99 Table 5).
    No radiative phase: an upper bound on R_sh after the shell-formation time.
    """
    t = np.asarray(t, dtype=float)
    R_ch = M_ej ** (1 / 3) * rho0 ** (-1 / 3)
    t_ch = E_SN ** (-0.5) * M_ej ** (5 / 6) * rho0 ** (-1 / 3)
    ts = t / t_ch
    ed = 2.01 * ts * (1.0 + 1.72 * ts**1.5) ** (-2.0 / 3.0)
    st = np.maximum(1.42 * ts - 0.254, 0.0) ** 0.4
    return R_ch * np.where(ts < 0.495, ed, st)


def spin_down_luminosity(t, L0, tau0, n_brake=3.0):
    """Pulsar spin-down power L(t) = L0 (1 + t/τ0)^{-(n+1)/(n-1)} [erg/s] (n = 3: (1 + t/τ0)^{-2})."""
    return L0 * (1.0 + np.asarray(t) / tau0) ** (-(n_brake + 1.0) / (n_brake - 1.0))


def powerlaw_norm(E_total, alpha, E1, E2, mass):
    """K of dN/dE = K E^-alpha (E kinetic) such that ∫ E dN/dE dE over [E1, E2] = E_total."""
    x = np.geomspace(E1, E2, 4001)
    integrand = x * x ** (-alpha) * x  # E · E^-alpha per ln E
    return E_total / np.trapezoid(integrand, np.log(x))


def pressure_per_lnE(E, number_per_E, mass):
    """P per ln E [erg cm^-3] from the number density per unit E: P = (1/3) p v · E N(E)."""
    pv = W.momentum_c(E, mass) * W.speed(E, mass) / C.c
    return pv * E * number_per_E / 3.0


def galactic_background(E, mass=C.m_p):
    """CR-sea pressure per ln E: J = 1.8e4 (E/GeV)^-2.7 m^-2 s^-1 sr^-1 GeV^-1 (local protons, approx.)."""
    J = 1.8e4 * (E / C.GeV) ** -2.7 * 1e-4 / C.GeV  # cm^-2 s^-1 sr^-1 erg^-1
    N = 4.0 * np.pi * J / W.speed(E, mass)
    return pressure_per_lnE(E, N, mass)


# --- the set-up --------------------------------------------------------------
@dataclass
class CloudSetup:
    zf: np.ndarray  # faces (n+1)
    zc: np.ndarray  # centres (n)
    dz: np.ndarray
    E: np.ndarray  # kinetic energies (nE)
    mass: float
    phases: list
    pidx: np.ndarray  # phase index per cell
    B: np.ndarray  # per cell
    PB: np.ndarray
    kres: np.ndarray  # (nE, nz)
    kappa_B: np.ndarray
    kappa0: np.ndarray
    I0: np.ndarray
    gam_lin: np.ndarray  # ion–neutral + turbulent damping (nE, nz)
    cnl: np.ndarray  # NLLD coefficient: Γ_NLLD = cnl I
    Vst: np.ndarray  # streaming speed magnitude (nE, nz)
    regime: np.ndarray  # (nE, nz) wave regime code
    active: np.ndarray  # waves propagate (not evanescent)
    P_bg: np.ndarray  # background pressure per ln E (nE)
    P_init: np.ndarray  # (nE, nz)
    a: float
    source_rate: np.ndarray | None = None  # pulsar: P injection per unit luminosity (nE, nz)
    loss_rate: np.ndarray | None = None  # dE/dt < 0 per (nE, nz) [erg/s]
    info: dict = field(default_factory=dict)
    snr: tuple | None = None  # radius = 'snr': (t_rel, E_SN, M_ej, rho0, a_frac), see :func:`snr_tube_radius`


def make_tube_grid(g):
    n = g.n_cells
    if g.spacing == "uniform":
        zf = np.linspace(0.0, g.z_max, n + 1)
    else:
        w = g.stretch ** np.arange(n)
        zf = np.concatenate([[0.0], np.cumsum(w)]) * (g.z_max / w.sum())
    return zf, 0.5 * (zf[1:] + zf[:-1]), np.diff(zf)


def energy_grid(cr):
    if cr.energies:
        return np.asarray(sorted(cr.energies), dtype=float)
    return np.geomspace(cr.E_min, cr.E_max, cr.bins)


def build_phases(deck, zc):
    ph = deck.phase
    if ph.sequence:
        phases = [p.build() for p in ph.sequence]
        bounds = [p.z_end for p in ph.sequence[:-1]]
        return phases, phase_index(zc, bounds)
    return [ph.build()], np.zeros(zc.size, dtype=np.int64)


def wave_coefficients(phase: Phase, E, mass, wv):
    """Per-energy damping, streaming speed and regime in one phase (arrays over E)."""
    k = W.resonant_wavenumber(E, phase.B, mass)
    if wv.ion_neutral and phase.x_i < 1.0:
        if wv.ion_neutral_model == "exact":
            omr, gam = W.ion_neutral_dispersion(k, phase.V_Ai, phase.nu_in, phase.nu_ni)
            reg = np.where(omr > 0, np.where(k * phase.V_Atot < phase.nu_ni, W.COUPLED, W.DECOUPLED), W.EVANESCENT)
            vst = omr / k
        else:
            gam, vst, reg = W.ion_neutral_damping(k, phase.V_Ai, phase.V_Atot, phase.nu_in, phase.nu_ni,
                                                  phase.rho_i, phase.rho_n)
    else:  # fully ionised, or ion–neutral physics off (ions and neutrals moving together)
        gam = np.zeros_like(k)
        vst = np.full_like(k, phase.V_Atot)
        reg = np.full(k.shape, W.IONISED)
    if wv.turbulent:
        va = np.where(vst > 0, vst, phase.V_Atot)
        gam = gam + W.turbulent_damping_rate(k, va, phase.L_inj, phase.M_A)
    cnl = W.nlld_rate(k, 1.0, phase.v_i) if wv.nlld else np.zeros_like(k)
    return k, gam, cnl, vst, reg


def loss_rates(deck, E, mass, phases, pidx):
    """Continuous energy losses dE/dt [erg/s] per (E, cell), or None."""
    ls = deck.losses
    if not (ls.sync_ic or ls.pp or ls.coulomb_ionisation):
        return None
    out = np.zeros((E.size, pidx.size))
    for j, ph in enumerate(phases):
        cols = pidx == j
        rate = np.zeros_like(E)
        if ls.sync_ic:
            gamma = 1.0 + E / (mass * C.c**2)
            beta2 = 1.0 - 1.0 / gamma**2
            U_B = ph.B**2 / (8.0 * np.pi)
            # Thomson: dE/dt = -(4/3) σ_T c γ² β² (U_B + U_rad) (x (m_e/m)² for other masses)
            rate -= 4.0 / 3.0 * C.sigma_T * C.c * gamma**2 * beta2 * (U_B + ls.U_rad) * (C.m_e / mass) ** 2
        if ls.pp:
            rate -= 0.5 * ph.n_tot * SIGMA_PP * C.c * E
        if ls.coulomb_ionisation:  # Jacobs et al. (2022) low-energy CRs; rates from physics.losses
            rate -= C.eV * (coulomb_loss_rate(E, ph.n_i, ph.T) + ionisation_loss_rate(E, ph.n_n))
        out[:, cols] = rate[:, None]
    return out


def build(deck) -> CloudSetup:
    zf, zc, dz = make_tube_grid(deck.grid)
    E = energy_grid(deck.cr)
    mass = C.m_p if deck.cr.species == "proton" else C.m_e
    phases, pidx = build_phases(deck, zc)
    wv = deck.waves
    nE, nz = E.size, zc.size
    shape = (nE, nz)
    kres, gam, cnl, vst, reg = (np.zeros(shape) for _ in range(5))
    Bc = np.array([phases[j].B for j in pidx])
    for j, ph in enumerate(phases):
        cols = pidx == j
        k, g, c, v, r = wave_coefficients(ph, E, mass, wv)
        for arr, val in ((kres, k), (gam, g), (cnl, c), (vst, v), (reg, r)):
            arr[:, cols] = val[:, None]
    kappa_B = W.bohm_coefficient(E[:, None], Bc[None, :], mass)
    kappa0 = np.broadcast_to(W.kappa_background(E, wv.kappa_10, wv.delta)[:, None], shape).copy()
    if np.any(kappa0 < kappa_B):
        bad = E[np.any(kappa0 < kappa_B, axis=1)][0]
        raise ValueError(f"waves.kappa_10: background diffusion below the Bohm limit at E = {bad / C.GeV:.3g} GeV")
    I0 = W.background_wave_level(kappa0, kappa_B)
    active = reg != W.EVANESCENT
    if not wv.streaming:
        vst[:] = 0.0
    P_bg = galactic_background(E, mass) if deck.cr.background == "galactic" else np.zeros(nE)
    src = deck.source
    a = src.a
    if src.a_mode == "tm99":
        rho0 = phases[0].rho
        a = src.a_frac * float(tm99_radius(src.t_escape, src.E_SN, src.M_ej * C.M_sun, rho0))
        if a >= deck.grid.z_max:
            raise ValueError(f"source: TM99 radius a = {a / C.pc:.3g} pc exceeds grid.z_max")
    snr = None
    if src.radius == "snr":  # SNR age at release: t_escape (a_mode 'tm99') or the age at which a_frac R_sh = a
        rho0, M_ej = phases[0].rho, src.M_ej * C.M_sun
        t_rel = src.t_escape if src.a_mode == "tm99" else tm99_age(a / src.a_frac, src.E_SN, M_ej, rho0)
        snr = (t_rel, src.E_SN, M_ej, rho0, src.a_frac)
    K = powerlaw_norm(1.0, src.alpha, deck.cr.E_norm_min, deck.cr.E_norm_max, mass)
    N_unit = K * E ** (-src.alpha)  # per unit energy, for 1 erg in total
    P_init = np.repeat(P_bg[:, None], nz, axis=1)
    source_rate = None
    if src.kind == "tophat":
        P0 = pressure_per_lnE(E, src.E_total * N_unit / (4.0 / 3.0 * np.pi * a**3), mass)
        frac = np.clip((a - zf[:-1]) / dz, 0.0, 1.0)  # overlap of each cell with [0, a]: exact energy
        P_init += P0[:, None] * frac[None, :]
    else:
        # pulsar: injection rate per unit luminosity in |z| < a (tube of cross-section π a²)
        vol = np.pi * a**2 * 2.0 * a
        rate = pressure_per_lnE(E, N_unit / vol, mass)
        frac = np.clip((a - zf[:-1]) / dz, 0.0, 1.0)
        source_rate = rate[:, None] * frac[None, :]
    info = {"a": a, "V_A_cell": vst, "n_phases": len(phases), "phase_names": [p.name for p in phases]}
    # growth source G = V_st |∂z P| / P_w,norm: P_B = B²/8π ('magnetic') or the wave energy B²/4π ('total')
    PB = Bc**2 / (8 * np.pi) * (2.0 if wv.wave_energy == "total" else 1.0)
    return CloudSetup(zf=zf, zc=zc, dz=dz, E=E, mass=mass, phases=phases, pidx=pidx, B=Bc, PB=PB,
                      kres=kres, kappa_B=kappa_B, kappa0=kappa0, I0=I0, gam_lin=gam, cnl=cnl, Vst=vst, regime=reg,
                      active=active, P_bg=P_bg, P_init=P_init, a=a, source_rate=source_rate,
                      loss_rate=loss_rates(deck, E, mass, phases, pidx), info=info, snr=snr)


def snr_tube_radius(t, snr):
    """Tube radius and source half-length a(t) = a_frac R_sh(t_rel + t) [cm] for ``source.radius = 'snr'``.

    ``t`` is the run time (release at t = 0), ``snr = (t_rel, E_SN, M_ej, rho0, a_frac)``;
    R_sh is the Truelove & McKee (1999) forward shock of :func:`tm99_radius` (Table 5, n = 0).
    With a_mode = 'fixed' t_rel is the TM99 age at which a_frac R_sh = a, so a(0) = a.
    """
    t_rel, E_SN, M_ej, rho0, a_frac = snr
    return a_frac * float(tm99_radius(t_rel + t, E_SN, M_ej, rho0))


def tm99_age(R, E_SN=1e51, M_ej=1.4 * C.M_sun, rho0=C.m_p):
    """Inverse of :func:`tm99_radius`: the SNR age [s] at which the shock reaches radius R [cm]."""
    t_ch = E_SN ** (-0.5) * M_ej ** (5 / 6) * rho0 ** (-1 / 3)
    return brentq(lambda t: float(tm99_radius(t, E_SN, M_ej, rho0)) - R, 1e-6 * t_ch, 1e8 * t_ch, rtol=1e-12)
