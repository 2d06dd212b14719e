# Sourced by the scripts that need the built app running (lint-openapi.sh, lighthouse.sh): starts it on a free
# localhost port with an empty data directory in a temporary folder, and stops it and removes the folder on exit.
# Expects $app (the built KeysDashboard.dll). Sets $work (the temporary folder), $data (its data directory), $pid
# and $url (empty when the app did not start; its log is $work/app.log). A caller may fill $data before calling
# start_app, e.g. with the app's create-key verb.
work=$(mktemp -d)
data="$work/data"
pid=""
url=""
trap '[ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; rm -rf "$work"' EXIT

start_app() {
  Storage__DataDirectory="$data" dotnet "$app" --urls http://127.0.0.1:0 >"$work/app.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do
    url=$(grep -o 'Now listening on: http://[^ ]*' "$work/app.log" | head -n 1 | sed 's/Now listening on: //')
    [ -n "$url" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  return 1
}
