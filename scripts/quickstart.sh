#!/usr/bin/env bash
# Install crescape (into the active virtual environment, else into ./.venv, see scripts/_venv.sh)
# and run the short default simulation: the seed-000 set-up (1e50 erg of CRs released inside
# 5 pc in the warm ISM, D0 = 1e27 cm^2/s) at low resolution to 2 Myr.
# Writes quickstart-run/ (config.toml, run.h5) and PNG figures in quickstart-run/figures/
# (an existing quickstart-run/ is replaced).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
crescape_python ""
echo "crescape: running examples/crhydro_small.toml -> quickstart-run/ (first run: numba compiles its kernels) ..."
log="$("$PY" -m crescape.cli run examples/crhydro_small.toml --out quickstart-run --overwrite --plot --quiet)"
echo "crescape: done: quickstart-run/run.h5 and $(grep -c '^figure ' <<<"$log") figures in quickstart-run/figures/"
if [ -z "${VIRTUAL_ENV:-}" ]; then
    echo "crescape: to use the 'crescape' command: source .venv/bin/activate"
fi
