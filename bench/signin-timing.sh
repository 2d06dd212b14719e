#!/usr/bin/env bash
# Does sign-in time tell an attacker which emails have accounts? Times form posts (with valid antiforgery
# tokens, as a browser sends them) for a wrong password on the real owner and for unknown emails, against a
# Release build on 127.0.0.1, and writes bench/signin-timing.md. Takes about a minute.
# Usage: bash bench/signin-timing.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-40}"
work=$(mktemp -d)
port=5091
trap 'kill "${app_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

owner=owner@example.com
password='correct horse battery staple'
dotnet publish KeysDashboard -c Release -o "$work/app" -v quiet >/dev/null
export Storage__DataDirectory="$work/data" Logging__LogLevel__Default=Warning SignIn__AttemptsPerAddressPerMinute=0 \
  Bootstrap__AdminEmail="$owner" Bootstrap__AdminPassword="$password"
dotnet "$work/app/KeysDashboard.dll" --urls "http://127.0.0.1:$port" >"$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/Account/Login" && break; sleep 0.5; done

# One sign-in post; prints its time in milliseconds.
post() { # email password
  local jar="$work/jar" token
  rm -f "$jar"
  token=$(curl -s -c "$jar" "http://127.0.0.1:$port/Account/Login" | sed -n 's/.*name="__RequestVerificationToken" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -s -o /dev/null -b "$jar" -w '%{time_total}\n' "http://127.0.0.1:$port/Account/Login" \
    --data-urlencode "Input.Email=$1" --data-urlencode "Input.Password=$2" \
    --data-urlencode "__RequestVerificationToken=$token" --data-urlencode "_handler=login" | awk '{printf "%.2f\n", $1 * 1000}'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

# Warm up, then alternate the two kinds so drift hits both alike. Every fourth round the owner signs in
# correctly, so four wrong passwords never reach the lockout.
for _ in 1 2 3; do post "$owner" "$password" >/dev/null; post "warm@example.com" x >/dev/null; done
: >"$work/real" ; : >"$work/unknown"
for i in $(seq 1 "$rounds"); do
  post "$owner" "wrong password $i" >>"$work/real"
  post "nobody$i-$RANDOM@example.com" "wrong password $i" >>"$work/unknown"
  if (( i % 4 == 0 )); then post "$owner" "$password" >/dev/null; fi
done

{
  echo "# Sign-in timing: does an unknown email answer faster than a wrong password?"
  echo
  echo "Command: \`bash bench/signin-timing.sh $rounds\` ($(date -u +%Y-%m-%d), $(nproc) cores, .NET $(dotnet --version), Release build, SQLite)."
  echo "Each row: $rounds form posts with valid antiforgery tokens, one at a time, timed by curl (whole request)."
  echo
  echo "| sign-in with | median ms | min ms | max ms |"
  echo "|---|---|---|---|"
  echo "| the owner's email, wrong password | $(median <"$work/real") | $(sort -n "$work/real" | head -n1) | $(sort -n "$work/real" | tail -n1) |"
  echo "| an unknown email | $(median <"$work/unknown") | $(sort -n "$work/unknown" | head -n1) | $(sort -n "$work/unknown" | tail -n1) |"
} | tee bench/signin-timing.md
