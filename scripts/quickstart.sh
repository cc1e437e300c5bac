#!/usr/bin/env bash
# Install crescape and run the short default simulation; writes quickstart-run/ with PNG figures.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e .
crescape run examples/quickstart.toml --out quickstart-run --plot
