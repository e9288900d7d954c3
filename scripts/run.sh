#!/usr/bin/env bash
# Installs what Koe needs, builds it and starts the app. Arguments go to koe
# (for example: scripts/run.sh --headless).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release --target koe >/dev/null
exec ./build/app/koe "$@"
