#!/usr/bin/env bash
# Measures the API's authenticated request path (key lookup by hash, allowlist check, last-used recording)
# with wrk against a Release build on 127.0.0.1, and writes bench/results.md. Takes about a minute.
# Usage: bash bench/run.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
work=$(mktemp -d)
port=5090
trap 'kill "${app_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }

dotnet publish KeysDashboard -c Release -o "$work/app" -v quiet >/dev/null
export Storage__DataDirectory="$work/data" Logging__LogLevel__Default=Warning \
  Api__FailedAuthenticationsPerMinute=100000000 Api__VerificationsPerKeyPerMinute=100000000
key=$(dotnet "$work/app/KeysDashboard.dll" create-key --name bench 2>/dev/null)
dotnet "$work/app/KeysDashboard.dll" --urls "http://127.0.0.1:$port" >"$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/openapi/v1.json" && break; sleep 0.5; done
# Warm up (JIT, EF Core query cache, connection pool); not reported.
wrk -t2 -c16 -d5s -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v2/me" >/dev/null

cat >"$work/verify.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"key":"$key","ip":"127.0.0.1"}'
LUA

run() { # name, wrk args...
  local name=$1; shift
  local out="$work/run.txt"
  wrk -t2 -c16 -d"${seconds}s" --latency "$@" >"$out"
  local rps p50 p99 total non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$out")
  p50=$(awk '$1=="50%" {print $2}' "$out")
  p99=$(awk '$1=="99%" {print $2}' "$out")
  total=$(awk '/requests in/ {print $1}' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$out")
  echo "| $name | $rps | $p50 | $p99 | $total | ${non2xx:-0} |"
}

{
  echo "# Benchmark results"
  echo
  echo "Command: \`bash bench/run.sh $seconds\` ($(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), .NET $(dotnet --version), SQLite)."
  echo "wrk with 2 threads and 16 connections for ${seconds}s per row, against a Release build on 127.0.0.1 sharing the machine with wrk."
  echo
  echo "| request | requests/s | p50 | p99 | requests | non-2xx |"
  echo "|---|---|---|---|---|---|"
  run "GET /api/v2/me (Bearer)" -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v2/me"
  run "GET /api/v2/keys (X-API-Key)" -H "X-API-Key: $key" "http://127.0.0.1:$port/api/v2/keys"
  run "POST /api/v2/verify" -H "Authorization: Bearer $key" -s "$work/verify.lua" "http://127.0.0.1:$port/api/v2/verify"
  run "GET /api/v2/me, bad checksum (401, no DB)" -H "Authorization: Bearer ${key%?}x" "http://127.0.0.1:$port/api/v2/me"
  echo
  echo "The bad-checksum row should be all non-2xx (401s): it measures refusal without a database lookup."
  echo "Every authenticated request reads the key from SQLite by its hash (no cache, so revocation is immediate)"
  echo "and records last use in memory; the batched last-used write runs every 2 s."
} | tee bench/results.md
