#!/usr/bin/env bash
# Runs every test of the product: builds the solution (warnings are errors) and runs each test project
# against real parts (SQLite files in temp folders, the real web host, Debian's Chromium). Screenshots of the
# main pages land in artifacts/screenshots. Ends with one summary line: "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

# The browser tests drive Debian's Chromium with a CJK font (without one, Chinese renders as empty boxes).
# Installed here when absent; a test tool is never allowed to download a browser of its own.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei"; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

dotnet build Mediation.sln -c Release --nologo -v quiet
log=$(mktemp)
status=0
dotnet test Mediation.sln -c Release --no-build --nologo 2>&1 | tee "$log" || status=$?

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
# A crashed test host ends its run early, its remaining tests never run: each aborted run counts as a failure.
aborted=$(grep -c 'Test Run Aborted' "$log" || true)
rm -f "$log"
if [ "$aborted" -ne 0 ]; then
  echo "${aborted} test run(s) aborted: a test host crashed (see above)"
  failed=$((failed + aborted))
fi
echo "tests: ${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ] || [ "$aborted" -ne 0 ]; then
  exit 1
fi
