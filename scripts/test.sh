#!/usr/bin/env bash
# Runs every test: unit, integration, bUnit and the Playwright browser tests, then the OpenAPI linters and
# Lighthouse's accessibility audit.
# Sets up what a fresh machine lacks first (a Chromium for the browser tests), and ends with one line
# "N passed, N failed" for the whole run. Exits non-zero when anything failed or could not run.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is needed: https://dotnet.microsoft.com/download (or your distribution's dotnet-sdk-10.0 package)." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# A Chromium for Playwright: its own when installed, otherwise the system's. On Debian/Ubuntu as root (CI),
# install the system one; elsewhere say how, and let the browser tests fail with the same advice.
has_chromium() {
  [ -n "${KEYSDASHBOARD_E2E_CHROMIUM:-}" ] && return 0
  ls -d "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium-* >/dev/null 2>&1 && return 0
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome /usr/bin/google-chrome-stable; do
    [ -x "$candidate" ] && return 0
  done
  return 1
}
if ! has_chromium; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || echo "Could not install chromium; the browser tests will fail and say how to get one." >&2
  else
    echo "No Chromium found. Install one: 'sudo apt-get install chromium', or Playwright's own with" >&2
    echo "'pwsh KeysDashboard.E2E/bin/Debug/net10.0/playwright.ps1 install chromium' after a build." >&2
  fi
fi

results="TestResults"
rm -rf "$results"
status=0
built=0
# In CI the packages are exactly those in the committed packages.lock.json files: a floating 10.0.* or a
# changed dependency fails the restore instead of changing the build. Elsewhere restore may update them.
if [ "${CI:-}" = "true" ]; then
  restore=(dotnet restore KeysDashboard.sln --locked-mode)
else
  restore=(dotnet restore KeysDashboard.sln)
fi
if "${restore[@]}" && dotnet build KeysDashboard.sln --no-restore; then
  built=1
  # One project after the other: the browser tests are timing-sensitive on a small machine.
  for project in KeysDashboard.Tests KeysDashboard.E2E; do
    dotnet test "$project" --no-build --logger trx --results-directory "$results" --blame-hang-timeout 5m "$@" || status=1
  done
else
  status=1
fi

passed=0
failed=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
  a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
done

# The OpenAPI document, linted by Spectral and Redocly: one check each.
if [ "$built" -eq 1 ]; then
  lint_output=$(bash scripts/lint-openapi.sh 2>&1)
  lint_status=$?
  echo "$lint_output"
  lint_passed=$(grep -c '^openapi-lint: .* passed$' <<<"$lint_output")
  lint_failed=$(grep -c '^openapi-lint: .* failed$' <<<"$lint_output")
  if [ "$lint_status" -ne 0 ] && [ "$lint_failed" -eq 0 ]; then
    lint_failed=1
  fi
  passed=$((passed + lint_passed))
  failed=$((failed + lint_failed))
  [ "$lint_failed" -eq 0 ] || status=1
fi

# Lighthouse's accessibility score on sign-in and keys, desktop and mobile: one check each, 100 to pass.
if [ "$built" -eq 1 ]; then
  lighthouse_output=$(LIGHTHOUSE_WRITE_DOCS=0 bash scripts/lighthouse.sh 2>&1)
  lighthouse_status=$?
  echo "$lighthouse_output"
  lighthouse_passed=$(grep -cE '^lighthouse: /[^ ]+ [a-z]+ 100 ' <<<"$lighthouse_output")
  lighthouse_failed=$(grep -E '^lighthouse: /[^ ]+ [a-z]+ ' <<<"$lighthouse_output" | grep -cvE '^lighthouse: /[^ ]+ [a-z]+ 100 ')
  if [ "$lighthouse_status" -ne 0 ] && [ "$lighthouse_failed" -eq 0 ]; then
    lighthouse_failed=1
  fi
  passed=$((passed + lighthouse_passed))
  failed=$((failed + lighthouse_failed))
  [ "$lighthouse_failed" -eq 0 ] || status=1
fi

# Both test projects must report; a build failure or a crashed run reports fewer, which is a failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
if [ "${#trx_files[@]}" -lt 2 ]; then
  echo "Expected results from both test projects, got ${#trx_files[@]}." >&2
  [ "$failed" -eq 0 ] && failed=1
  status=1
fi

echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
