#!/usr/bin/env bash
# Install crescape and run the short default simulation: the seed-000 set-up (1e50 erg of CRs
# released inside 5 pc in the warm ISM, D0 = 1e27 cm^2/s) at low resolution to 2 Myr (~10 s).
# Writes quickstart-run/ (config.toml, run.h5) and PNG figures in quickstart-run/figures/.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e .
crescape run examples/crhydro_small.toml --out quickstart-run --plot --quiet
