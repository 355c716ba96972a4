#!/usr/bin/env bash
# Runs the whole test suite (library tests and every notebook, headless, in quick mode) and ends
# with a line "N passed, N failed, N skipped". Needs the set-up of ./run.sh (or scripts/setup.sh).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RESULTS="$ROOT/out/test-results"
rm -rf "$RESULTS"
export PATH="${PATH}:${HOME}/.dotnet/tools"

dotnet test "$ROOT/tests/CnnSentinel.Tests" --nologo \
  --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" --results-directory "$RESULTS" "$@"
status=$?

trx="$RESULTS/tests.trx"
if [ ! -f "$trx" ]; then
  echo "no test results were written (the build failed?)"
  echo "0 passed, 1 failed"
  exit 1
fi
/usr/bin/python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
counters = ET.parse(sys.argv[1]).getroot().find("t:ResultSummary/t:Counters", ns).attrib
total, passed, failed = int(counters["total"]), int(counters["passed"]), int(counters["failed"])
print(f"{passed} passed, {failed} failed, {total - passed - failed} skipped")
PY
exit $status
