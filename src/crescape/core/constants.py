"""CGS physical constants used inside crescape.

Values are CODATA 2018 / IAU 2015 as carried by astropy (tests compare every
constant to ``astropy.constants``). They are plain floats so that numba kernels
can use them directly.
"""

c = 2.99792458e10  # speed of light [cm s^-1]
m_p = 1.67262192369e-24  # proton mass [g]
m_e = 9.1093837015e-28  # electron mass [g]
m_u = 1.66053906660e-24  # atomic mass unit [g]
k_B = 1.380649e-16  # Boltzmann constant [erg K^-1]
e_charge = 4.80320471257e-10  # elementary charge [statC]
h_planck = 6.62607015e-27  # [erg s]
sigma_T = 6.6524587321e-25  # Thomson cross-section [cm^2]
G = 6.6743e-8  # [cm^3 g^-1 s^-2]

eV = 1.602176634e-12  # [erg]
keV = 1e3 * eV
MeV = 1e6 * eV
GeV = 1e9 * eV
TeV = 1e12 * eV

pc = 3.0856775814913673e18  # [cm]
kpc = 1e3 * pc
yr = 3.15576e7  # Julian year [s]
kyr = 1e3 * yr
Myr = 1e6 * yr
M_sun = 1.988409870698051e33  # [g]
uG = 1e-6  # microgauss [G]

m_p_c2 = m_p * c * c  # proton rest energy [erg]
m_e_c2 = m_e * c * c
