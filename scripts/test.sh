#!/usr/bin/env bash
# Sets everything up (idempotent), checks style, then runs the whole test suite on the real tools.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check dsd_cli tests benchmarks samples
.venv/bin/python -m pytest -n "${DSD_TEST_WORKERS:-auto}" -q "$@"
