#!/usr/bin/env bash
# Set up everything `make demo` and `make test` need, idempotently:
#   system packages (Graphviz, Chromium for PDF, poppler-utils for PDF checks) via apt when missing,
#   a virtualenv in .venv with the project installed editable with its dev extras,
#   a Jupyter kernel spec pointing at that virtualenv.
# A second run installs nothing and takes well under 5 s.
# Off Debian/Ubuntu or without root it prints exactly what to install instead.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.awsassess-installed

say() { printf '[setup] %s\n' "$*"; }

# ---------------------------------------------------------------- system packages
need_pkgs=()
command -v dot >/dev/null 2>&1 || need_pkgs+=(graphviz)
{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; } || need_pkgs+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need_pkgs+=(poppler-utils)
if ((${#need_pkgs[@]})); then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing system packages: ${need_pkgs[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" fonts-dejavu-core >/dev/null
  else
    cat >&2 <<MSG
[setup] missing system packages: ${need_pkgs[*]}
  awsassess needs Graphviz ('dot', for the diagrams), Chromium (PDF reports; WeasyPrint is the
  fallback) and poppler-utils (pdftotext, used by the tests). Install them, then re-run:
    Debian/Ubuntu:  sudo apt-get install -y ${need_pkgs[*]}
    Fedora/RHEL:    sudo dnf install -y graphviz chromium poppler-utils
    macOS:          brew install graphviz poppler && brew install --cask chromium
    conda:          conda env create -f environment.yml   (brings graphviz; add a Chromium yourself)
MSG
    if [[ " ${need_pkgs[*]} " == *" graphviz "* ]]; then exit 1; fi
    say "continuing without ${need_pkgs[*]}: PDFs fall back to WeasyPrint; PDF text checks are skipped"
  fi
fi

# ---------------------------------------------------------------- python
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "[setup] Python 3.11+ is required (found: $("$PY" --version 2>&1)). Set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PY" -m venv "$VENV"
fi
# The lock must describe this pyproject.toml: an edited dependency list needs `make lock` first.
lock_digest=$(sed -n 's/^# pyproject-sha256: //p' requirements.lock)
deps_digest=$("$PY" scripts/deps_digest.py)
if [ "$lock_digest" != "$deps_digest" ]; then
  echo "[setup] requirements.lock was made from another pyproject.toml dependency list" \
       "(lock $lock_digest, pyproject $deps_digest). Fix: make lock && make test" >&2
  exit 1
fi
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
have=$(cat "$STAMP" 2>/dev/null || true)
if [ "$want" != "$have" ] || ! "$VENV/bin/python" -c 'import awsassess' 2>/dev/null; then
  say "installing the locked packages into $VENV (requirements.lock, hashes checked)"
  # exactly the lock: --no-deps so nothing unlocked slips in; hash-checking mode is on for a hashed file
  "$VENV/bin/python" -m pip install -q --no-deps --require-hashes -r requirements.lock
  # leftovers of an older lock would stay importable: remove what the lock no longer names
  extra=$("$VENV/bin/python" scripts/lock_extras.py requirements.lock)
  if [ -n "$extra" ]; then
    say "removing packages the lock no longer names: $extra"
    # shellcheck disable=SC2086
    "$VENV/bin/python" -m pip uninstall -q -y $extra
  fi
  say "installing the project (editable, no dependencies: they came from the lock)"
  "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e .
  "$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check >&2; echo "[setup] the lock is inconsistent. Fix: make lock" >&2; exit 1; }
  # a kernel spec with this venv's absolute python, so papermill/JupyterLab kernels see awsassess
  "$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (awsassess)" >/dev/null
  echo "$want" > "$STAMP"
else
  say "up to date (.venv from requirements.lock, system packages)"
fi

# ---------------------------------------------------------------- checkov (its own venv)
# checkov checks the exit kit's Terraform; its pins conflict with requirements.lock, so it lives in
# .venv-checkov, installed exactly from tools/checkov/requirements.lock (hashes checked).
CK=.venv-checkov
ck_want=$(sha256sum tools/checkov/requirements.lock | cut -c1-16)
ck_have=$(cat "$CK/.awsassess-installed" 2>/dev/null || true)
if [ "$ck_want" != "$ck_have" ] || [ ! -x "$CK/bin/checkov" ]; then
  say "installing checkov into $CK (tools/checkov/requirements.lock, hashes checked)"
  rm -rf "$CK"
  "$PY" -m venv "$CK"
  "$CK/bin/python" -m pip install -q --no-deps --require-hashes -r tools/checkov/requirements.lock
  echo "$ck_want" > "$CK/.awsassess-installed"
fi

# ---------------------------------------------------------------- git: notebooks without outputs
# .gitattributes sends *.ipynb through the nbstripout filter; the filter's command is per clone
if git rev-parse --git-dir >/dev/null 2>&1; then
  git config filter.nbstripout.clean "\"$PWD/$VENV/bin/python\" -m nbstripout --keep-id"
  git config filter.nbstripout.smudge cat
  git config diff.ipynb.textconv "\"$PWD/$VENV/bin/python\" -m nbstripout --keep-id -t"
fi
