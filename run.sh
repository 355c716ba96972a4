#!/usr/bin/env bash
# The main job: set up this machine (idempotent) and run the notebooks, in order, on the bundled
# data in data/. Executed notebooks go to out/notebooks/, the values they reached to out/results/.
#   ./run.sh            set up, then run every notebook in full mode
#   ./run.sh --quick    quick mode (a few steps each; what the tests run)
#   ./run.sh 02 03      only the notebooks whose names start with 02 or 03
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
# Executed notebooks go to out/notebooks, or to $CNNSENTINEL_OUTPUT_DIR/notebooks where that is set.
dotnet cli/bin/Debug/net10.0/cnnsentinel.dll notebooks "$@"
