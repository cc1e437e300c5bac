# Sourced by scripts/quickstart.sh and scripts/test.sh: choose the Python to install into.
#
# * A virtual environment is active ($VIRTUAL_ENV): use it.
# * Otherwise: create (once) and use the project-local `.venv` with `python3 -m venv`.
#   venv is in the standard library, so nothing else (virtualenv, uv, conda, pipx) is needed,
#   and it works where the system Python refuses global installs (PEP 668,
#   "externally-managed-environment", e.g. Debian/Ubuntu/Fedora/Homebrew Pythons) and never
#   writes into the user's own environment.
# Set PYTHON=/path/to/python3.11+ to choose the interpreter the `.venv` is made from.
# Installs are quiet (`pip -qq`: errors only); `pip` is re-run only when pyproject.toml or the
# requested extras changed since the last install into `.venv`.
crescape_python() {
    local extras="$1" stamp want
    if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "${VIRTUAL_ENV}/bin/python" ]; then
        PY="${VIRTUAL_ENV}/bin/python"
        echo "crescape: using the active virtual environment ${VIRTUAL_ENV}"
    else
        if [ ! -x .venv/bin/python ]; then
            local base="${PYTHON:-}"
            if [ -z "$base" ]; then
                base="$(command -v python3 || command -v python || true)"
            fi
            if [ -z "$base" ]; then
                echo "crescape: no python3 found; install Python >= 3.11 (or set PYTHON=...)" >&2
                return 1
            fi
            echo "crescape: creating the virtual environment .venv ($("$base" -c 'import sys; print(sys.executable, sys.version.split()[0])'))"
            if ! "$base" -m venv .venv; then
                rm -rf .venv
                echo "crescape: '$base -m venv' failed; on Debian/Ubuntu: apt install python3-venv" >&2
                return 1
            fi
        else
            echo "crescape: using the project virtual environment .venv"
        fi
        PY="$PWD/.venv/bin/python"
    fi
    "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
        echo "crescape: needs Python >= 3.11, $("$PY" -V) found (set PYTHON=... to choose another)" >&2
        return 1
    }
    stamp="$(dirname "$PY")/../.crescape-installed"
    want="$(cat pyproject.toml; echo "extras=${extras} src=$PWD")"
    if [ -n "${VIRTUAL_ENV:-}" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "crescape: installing crescape${extras:+[$extras]} (editable) and its dependencies into $(cd "$(dirname "$PY")/.." && pwd) ..."
        "$PY" -m pip install -qq --disable-pip-version-check -e ".${extras:+[$extras]}"
        printf '%s' "$want" > "$stamp"
    fi
    export PATH="$(dirname "$PY"):$PATH"
}
