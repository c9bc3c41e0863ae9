#!/usr/bin/env bash
# Runs every test of the product: builds the solution (warnings are errors) and runs each test project
# against real parts (SQLite files in temp folders). Ends with one summary line: "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

dotnet build Mediation.sln -c Release --nologo -v quiet
log=$(mktemp)
status=0
dotnet test Mediation.sln -c Release --no-build --nologo 2>&1 | tee "$log" || status=$?

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
