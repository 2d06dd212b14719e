#!/usr/bin/env bash
# Lighthouse's accessibility score for the sign-in page and the keys page, at the desktop and the mobile form
# factor (issue 7: "Lighthouse accessibility 100 on sign-in and keys"). Lighthouse and puppeteer-core come from npm
# at the versions in scripts/lighthouse/package-lock.json (audit.mjs drives them); Chromium is the system's
# (CHROME_PATH, default /usr/bin/chromium), headless, no sandbox.
# Starts the app (CONFIGURATION=Debug by default; build first) on a free port with an empty data directory, creates
# the owner through the setup form (antiforgery token and all) and puts the sign-in cookie in the browser for /keys.
# Prints one line per page and form factor, writes the table to docs/accessibility.md between the lighthouse
# markers (unless LIGHTHOUSE_WRITE_DOCS=0), and exits non-zero if any score is below 100.
set -uo pipefail
cd "$(dirname "$0")/.."
tool="scripts/lighthouse"
configuration="${CONFIGURATION:-Debug}"
app="KeysDashboard/bin/$configuration/net10.0/KeysDashboard.dll"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is needed for Lighthouse (Debian: apt-get install npm)." >&2
  exit 1
fi
if [ ! -f "$app" ]; then
  echo "No $app: run 'dotnet build KeysDashboard.sln -c $configuration' first." >&2
  exit 1
fi
if [ ! -d "$tool/node_modules" ] || [ "$tool/package-lock.json" -nt "$tool/node_modules/.package-lock.json" ]; then
  (cd "$tool" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || exit 1
fi

source scripts/start-app.sh
# A few keys, made with the app's own create-key verb before it starts, so /keys is audited with rows in it.
create_key() {
  Storage__DataDirectory="$data" dotnet "$app" create-key "$@" >/dev/null 2>"$work/create-key.log" \
    || { echo "create-key $* failed:" >&2; cat "$work/create-key.log" >&2; exit 1; }
}
create_key --name "Build server"
create_key --name "Mobile app" --expires "$(date -u -d '+5 days' +%F)"
create_key --name "Reporting" --read-only --ip 203.0.113.0/24
start_app
if [ -z "$url" ]; then
  echo "The app did not start ($app):" >&2
  cat "$work/app.log" >&2
  exit 1
fi

# The owner, through the same static form a person fills in; the answer's cookie is the signed-in session.
jar="$work/cookies.txt"
form=$(curl -sf -c "$jar" -b "$jar" "$url/setup") || { echo "GET /setup failed" >&2; exit 1; }
token=$(printf '%s' "$form" | grep -o 'name="__RequestVerificationToken" [^>]*value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
if [ -z "$token" ]; then
  echo "No antiforgery token on /setup." >&2
  exit 1
fi
password="lighthouse owner password"
status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" "$url/setup" \
  --data-urlencode "__RequestVerificationToken=$token" --data-urlencode "_handler=setup" \
  --data-urlencode "Input.Email=owner@example.com" --data-urlencode "Input.Password=$password" \
  --data-urlencode "Input.ConfirmPassword=$password")
read -r cookie_name cookie_value < <(awk '$6 == ".AspNetCore.Identity.Application" { print $6, $7 }' "$jar")
if [ -z "${cookie_value:-}" ]; then
  echo "Setup (HTTP $status) did not sign the owner in; no .AspNetCore.Identity.Application cookie." >&2
  exit 1
fi

results="$work/results.tsv"
: >"$results"
audit() { # name path form-factor [cookie-name cookie-value]
  local name=$1 path=$2 factor=$3
  local out="$work/$name-$factor.json"
  if ! (cd "$tool" && node audit.mjs "$url$path" "$factor" "$out" "${@:4}") 2>"$work/$name-$factor.log"; then
    echo "lighthouse failed on $path ($factor):" >&2
    tail -n 20 "$work/$name-$factor.log" >&2
    printf '%s\t%s\t%s\t%s\n' "$path" "$factor" "error" "lighthouse failed" >>"$results"
    return
  fi
  node -e '
    const r = require(process.argv[1]);
    const failing = Object.values(r.audits)
      .filter(a => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "notApplicable" && a.scoreDisplayMode !== "manual" && a.scoreDisplayMode !== "informative")
      .map(a => a.id).join(", ");
    const landed = r.finalDisplayedUrl || r.finalUrl;
    // A page that redirected (to sign-in) was not the page asked for: that is an error, not its score.
    const arrived = new URL(landed).pathname === process.argv[2];
    const score = arrived ? Math.round(r.categories.accessibility.score * 100) : "error";
    process.stdout.write([process.argv[2], process.argv[3], score, arrived ? (failing || "none") : "landed on " + new URL(landed).pathname].join("\t") + "\n");
  ' "$(realpath "$out")" "$path" "$factor" >>"$results"
}

for factor in desktop mobile; do
  audit sign-in /Account/Login "$factor"
  audit keys /keys "$factor" "$cookie_name" "$cookie_value"
done

table="| Page | Form factor | Accessibility score | Failing audits |"$'\n'"|---|---|---|---|"
while IFS=$'\t' read -r path factor score failing; do
  echo "lighthouse: $path $factor $score ($failing)"
  table+=$'\n'"| $path | $factor | $score | $failing |"
done <"$results"

if [ "${LIGHTHOUSE_WRITE_DOCS:-1}" != 0 ] && [ -f docs/accessibility.md ] && grep -q '<!-- lighthouse:start -->' docs/accessibility.md; then
  version=$("$tool/node_modules/.bin/lighthouse" --version)
  block="<!-- lighthouse:start -->"$'\n'"Lighthouse $version, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD):"$'\n\n'"$table"$'\n'"<!-- lighthouse:end -->"
  BLOCK="$block" node -e '
    const fs = require("fs"); const file = "docs/accessibility.md";
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, text.replace(/<!-- lighthouse:start -->[\s\S]*?<!-- lighthouse:end -->/, () => process.env.BLOCK));'
fi

if ! grep -q . "$results" || grep -q $'\terror\t' "$results" || awk -F'\t' '$3 < 100 { found = 1 } END { exit !found }' "$results"; then
  echo "lighthouse: below 100 (or failed) on at least one page" >&2
  exit 1
fi
echo "lighthouse: all 100"
