#!/usr/bin/env bash
# Install crescape with its test and docs extras (into the active virtual environment, else
# into ./.venv, see scripts/_venv.sh) and run the default (non-slow) test suite, which also
# executes every command of README.md and docs/*.md, builds the documentation site in strict
# mode and runs the notebooks. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
crescape_python "test,docs"
echo "crescape: running the default test suite (python -m pytest -n 2) ..."
"$PY" -m pytest -q -n 2 --dist loadfile "$@"
