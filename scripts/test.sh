#!/usr/bin/env bash
# One command for the whole test suite on a fresh machine: set-up, then unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx vitest run "$@"
