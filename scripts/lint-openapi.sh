#!/usr/bin/env bash
# Lints the OpenAPI document the app serves with Spectral (spectral:oas) and Redocly (recommended), both from
# npm at the versions in scripts/openapi-lint/package-lock.json. Expects a Debug build (scripts/test.sh builds).
# Prints one line per linter, "openapi-lint: <linter> passed|failed", and exits non-zero if either reports any
# error or warning.
set -uo pipefail
cd "$(dirname "$0")/.."
lint="scripts/openapi-lint"
configuration="${CONFIGURATION:-Debug}"
app="KeysDashboard/bin/$configuration/net10.0/KeysDashboard.dll"

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is needed for the OpenAPI linters (Debian: apt-get install npm)." >&2
  echo "openapi-lint: spectral failed"
  echo "openapi-lint: redocly failed"
  exit 1
fi
if [ ! -d "$lint/node_modules" ] || [ "$lint/package-lock.json" -nt "$lint/node_modules/.package-lock.json" ]; then
  (cd "$lint" && SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || { echo "openapi-lint: spectral failed"; echo "openapi-lint: redocly failed"; exit 1; }
fi

# The document as the server produces it: the app on a free port with an empty data directory.
source scripts/start-app.sh
start_app
document="$work/openapi.json"
if [ -z "$url" ] || ! curl -sf "$url/openapi/v1.json" -o "$document"; then
  echo "Could not get the OpenAPI document from the app ($app):" >&2
  cat "$work/app.log" >&2
  echo "openapi-lint: spectral failed"
  echo "openapi-lint: redocly failed"
  exit 1
fi

status=0
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
if (cd "$lint" && ./node_modules/.bin/spectral lint --ruleset .spectral.yaml --fail-severity warn "$document"); then
  echo "openapi-lint: spectral passed"
else
  echo "openapi-lint: spectral failed"
  status=1
fi
# Redocly exits 0 on warnings; its JSON totals count both.
redocly() { (cd "$lint" && ./node_modules/.bin/redocly lint --config redocly.yaml "$@" "$document"); }
totals=$(redocly --format=json 2>/dev/null | node -e '
  let text = ""; process.stdin.on("data", d => text += d).on("end", () => {
    try { const t = JSON.parse(text).totals; console.log(t.errors + t.warnings); } catch { console.log("unreadable"); }
  });')
if [ "$totals" = "0" ]; then
  echo "openapi-lint: redocly passed"
else
  redocly 2>&1 | grep -v '[║╔╚]'
  echo "openapi-lint: redocly failed"
  status=1
fi
exit "$status"
