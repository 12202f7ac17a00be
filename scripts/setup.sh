#!/usr/bin/env bash
# Installs everything dsd needs on a Debian/Ubuntu machine, idempotently:
#   1. system packages (Tesseract with Dutch and French, Ghostscript, qpdf, zbar, unpaper, pngquant, SoftHSM2, ...)
#   2. a virtual environment in .venv/ with dsd and its test tools installed (editable).
# Safe to run again: it only installs what is missing. Run as root, or as a user with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-dev build-essential
  tesseract-ocr tesseract-ocr-nld tesseract-ocr-fra tesseract-ocr-eng
  ghostscript qpdf libzbar0 unpaper pngquant poppler-utils
  fonts-dejavu-core
  softhsm2 opensc
  sane-utils
  chromium
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the dependency list changed since the last successful install.
stamp=".venv/.dsd-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing dsd and its Python dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$stamp"
fi
# An editable install leaves dsd's own modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set every command
# would compile them again at start-up (about 0.1 s): compile them now (only files changed since are redone).
.venv/bin/python -m compileall -q dsd_cli > /dev/null
.venv/bin/dsd doctor --quiet
