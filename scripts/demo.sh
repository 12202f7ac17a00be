#!/usr/bin/env bash
# Sets everything up, then runs dsd's main job on the shipped sample scans and verifies the result:
#   samples/scans  ->  demo-archive/  (one signed PDF/A BagIt bag per dossier)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -rf demo-archive
.venv/bin/dsd run samples/scans --archive demo-archive --register samples/register.csv
.venv/bin/dsd verify demo-archive
echo "demo: the archive is in $(pwd)/demo-archive — try: .venv/bin/dsd show SD/2024/0001 --archive demo-archive"
