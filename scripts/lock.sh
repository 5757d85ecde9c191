#!/usr/bin/env bash
# Re-resolve requirements.lock from pyproject.toml (runtime + dev extras), on purpose:
#   make lock && make test
# The lock pins every package `make setup` installs, direct and transitive, with `==` and sha256
# hashes, for every platform (uv's --universal: Linux, macOS and Windows markers) on Python 3.11+.
# Keeps the current pins where they still fit; --upgrade (make lock UPGRADE=1) re-resolves all.
# uv (a dev dependency, itself locked) does the resolving; the first run bootstraps it into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
if [ ! -x "$VENV/bin/uv" ]; then
  pin=$(grep -E '^uv==' requirements.lock 2>/dev/null | sed 's/ .*//' || true)
  "$VENV/bin/python" -m pip install -q "${pin:-uv}"
fi
# start from the current pins (uv keeps them where they still fit): a re-lock moves only what must
# move; `make lock UPGRADE=1` (or scripts/lock.sh --upgrade) takes the newest of everything
[ -f requirements.lock ] && cp requirements.lock requirements.lock.new
"$VENV/bin/uv" pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
  --generate-hashes --no-header --quiet --output-file requirements.lock.new "$@"
{
  echo "# requirements.lock: every Python package \`make setup\` installs, exact versions and hashes."
  echo "# Generated from pyproject.toml by \`make lock\` (scripts/lock.sh); do not edit by hand."
  echo "# pyproject-sha256: $(python3 scripts/deps_digest.py)"
  cat requirements.lock.new
} > requirements.lock.tmp
rm -f requirements.lock.new
mv requirements.lock.tmp requirements.lock
echo "[lock] requirements.lock: $(grep -cE '^[a-z0-9].*==' requirements.lock) packages pinned"
# checkov (the exit kit's Terraform policy check) conflicts with the project's pins: its own lock and venv
"$VENV/bin/uv" pip compile tools/checkov/requirements.in --universal --python-version 3.11 \
  --generate-hashes --no-header --quiet --output-file tools/checkov/requirements.lock "$@"
echo "[lock] tools/checkov/requirements.lock: $(grep -cE '^[a-z0-9].*==' tools/checkov/requirements.lock) packages pinned"
