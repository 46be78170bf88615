#!/usr/bin/env bash
# One command for the demo on a fresh machine: a real hot upgrade over SSH on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsx scripts/demo.ts "$@"
