#!/usr/bin/env bash
# Install crescape with its test extras and run the default (non-slow) test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e ".[test]"
python -m pytest -q -n 2 --dist loadfile "$@"
