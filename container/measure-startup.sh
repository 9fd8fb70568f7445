#!/usr/bin/env bash
# Measures how fast an image starts answering and stops, as Cloudflare sees it:
#
#   container/measure-startup.sh [IMAGE] [RUNS]     (defaults: containerflare-basic, 10)
#
# Per run: `docker run -d --network host` on a free port, then Cloudflare's readiness probe
# (GET / with Host: ping) every 10 ms until any HTTP answer -> "first answer" in ms from before
# `docker run`; then `docker stop -t 30` on the idle container -> "stop" in ms and its exit code.
# Prints every run and the medians. Needs a running Docker engine, curl and python3.
set -euo pipefail

image=${1:-containerflare-basic}
runs=${2:-10}
docker_cmd=${DOCKER:-docker}
now_ms() { date +%s%3N; }
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

first_answers=()
stops=()
for run in $(seq "$runs"); do
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
  name=containerflare-measure-$$-$run
  start=$(now_ms)
  "$docker_cmd" run -d --name "$name" --network host -e "PORT=$port" "$image" >/dev/null
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 -H 'Host: ping' "http://127.0.0.1:$port/")" != 000 ]; do
    if [ $(($(now_ms) - start)) -gt 30000 ]; then
      "$docker_cmd" logs "$name" >&2
      "$docker_cmd" rm -f "$name" >/dev/null
      echo "no answer within 30 s" >&2
      exit 1
    fi
    sleep 0.01
  done
  first_answer=$(($(now_ms) - start))
  start=$(now_ms)
  "$docker_cmd" stop -t 30 "$name" >/dev/null
  stop=$(($(now_ms) - start))
  exit_code=$("$docker_cmd" inspect -f '{{.State.ExitCode}}' "$name")
  "$docker_cmd" rm "$name" >/dev/null
  printf 'run %2d: first answer %4d ms, stop %4d ms, exit code %s\n' "$run" "$first_answer" "$stop" "$exit_code"
  first_answers+=("$first_answer")
  stops+=("$stop")
done
printf 'median of %d runs: first answer %s ms, stop %s ms\n' "$runs" \
  "$(printf '%s\n' "${first_answers[@]}" | median)" "$(printf '%s\n' "${stops[@]}" | median)"
