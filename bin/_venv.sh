# Shared by bin/demo and bin/test: make .venv with Python 3.11 or newer and install
# the given requirements file into it, only when that file has changed.
set -euo pipefail

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "This service needs Python 3.11 or newer (python3 --version says: $(python3 --version 2>&1))." >&2
  exit 1
}

ensure_venv() {
  local requirements="$1"
  if [ ! -x .venv/bin/python ]; then
    local python
    python=$(find_python)
    echo "Creating .venv with $("$python" --version)..."
    if ! "$python" -m venv .venv; then
      echo "Could not create a virtual environment. On Debian or Ubuntu: sudo apt install python3-venv" >&2
      exit 1
    fi
  fi
  local stamp=".venv/.installed-$(basename "$requirements")"
  if [ ! -f "$stamp" ] || [ "$requirements" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
    echo "Installing $requirements..."
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    touch "$stamp"
  fi
}
