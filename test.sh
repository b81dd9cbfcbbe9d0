#!/usr/bin/env bash
# Runs every test. Installs what the tests need first (npm packages of the independent implementations),
# so a fresh clone on a fresh machine needs nothing else.
set -euo pipefail
cd "$(dirname "$0")"

echo "== installing the interop packages (npm install in tests/interop, from its lock file)"
# Not `npm ci`: the registry here serves only the linux-x64 builds of DuckDB's optional per-platform packages, so the
# lock file cannot list the others and `npm ci` would call it out of sync. The lock still pins every version.
(cd tests/interop && npm install --no-audit --no-fund --loglevel=error)
# The web UI's build and browser-test tools (esbuild, uPlot, puppeteer-core, axe-core); its bundle in webui/dist is committed
# and WebUiTests checks it is up to date with webui/src.
(cd webui && npm install --no-audit --no-fund --loglevel=error)

echo "== building"
dotnet build Tsdb.sln -c Release --nologo -v quiet

echo "== testing"
log=$(mktemp)
status=0
dotnet test Tsdb.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$log" || status=$?

# One closing line for the whole suite, summed over the test assemblies.
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
# The failures again, with their messages, after the summary: a CI log is often read from its tail only.
if grep -qE '^  Failed [A-Za-z_]' "$log"; then
  echo "== failed tests"
  awk '/^  Failed [A-Za-z_]/ { show = 1; n = 0 }
       /^  (Passed|Skipped) [A-Za-z_]/ || /^(Passed|Failed)! / { show = 0 }
       show && n++ < 40 { print }' "$log"
fi
rm -f "$log"
exit "$status"
