#!/usr/bin/env bash
# The container image end to end, as Cloudflare and `docker run` use it:
#
#   test/container/container_test.sh SOURCE_ROOT
#
# Starts a Docker daemon when none answers (and stops it again at the end), makes the builder's
# base image when it is missing (container/make-base-image.sh), builds container/Dockerfile,
# then checks the image (size, platform, non-root numeric user, exec-form entrypoint and health
# check, exactly the program and its shared-library closure inside) and the running container
# (first answer, metadata echo on /, /healthz, Docker's health status, that the program is PID 1
# and not root, and that `docker stop` ends it with exit code 0 long before the SIGKILL).
# All traffic goes to 127.0.0.1 on a free port (--network host). Exits 77 (Meson: SKIP) when
# no container engine can run here.
#
# Environment: CF_TEST_IMAGE (tag, default containerflare-basic:test), CF_TEST_APP (build
# argument APP, default containerflare-basic).
set -euo pipefail

source_root=${1:?usage: container_test.sh SOURCE_ROOT}
image=${CF_TEST_IMAGE:-containerflare-basic:test}
app=${CF_TEST_APP:-containerflare-basic}
readonly max_image_bytes=8000000   # 8 MB
readonly max_stop_ms=2000          # docker stop -t 30 on an idle container
readonly stop_grace_s=30
readonly start_deadline_s=30       # docker run -> first HTTP answer
readonly health_deadline_s=30      # docker run -> health status "healthy" (probe every second)
readonly daemon_deadline_s=60

say() { printf '[container] %s\n' "$*" >&2; }
fail() {
  say "FAIL: $*"
  exit 1
}
skip() {
  say "SKIP: $*"
  exit 77
}
now_ms() { date +%s%3N; }

# The distribution's client matches the distribution's daemon; a newer client elsewhere on
# PATH also works (it negotiates the API version).
if [ -x /usr/bin/docker ]; then
  docker_cmd=/usr/bin/docker
elif command -v docker >/dev/null 2>&1; then
  docker_cmd=$(command -v docker)
else
  skip "no container engine: the docker client is not installed (Debian: apt-get install docker.io)"
fi
docker() { "$docker_cmd" "$@"; }
command -v curl >/dev/null 2>&1 || fail "curl is not installed"
command -v python3 >/dev/null 2>&1 || fail "python3 is not installed"

workdir=$(mktemp -d)
container=''
daemon_pid=''

stop_daemon() {
  kill -TERM "$daemon_pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + 30))
  while kill -0 "$daemon_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if kill -0 "$daemon_pid" 2>/dev/null; then
    say "dockerd did not stop within 30 s; killing it"
    kill -KILL "$daemon_pid" 2>/dev/null || true
  fi
  wait "$daemon_pid" 2>/dev/null || true
}

cleanup() {
  if [ -n "$container" ]; then docker rm -f "$container" >/dev/null 2>&1 || true; fi
  if [ -n "$daemon_pid" ]; then
    say "stopping the Docker daemon this test started"
    stop_daemon
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT
# A timeout or Ctrl-C still removes the container and stops the daemon this test started.
trap 'exit 143' TERM
trap 'exit 130' INT

# --- engine -------------------------------------------------------------------------------------

if docker info >/dev/null 2>&1; then
  say "using the running Docker engine"
else
  command -v dockerd >/dev/null 2>&1 ||
    skip "no container engine: no Docker daemon answers and dockerd is not installed (Debian: apt-get install docker.io)"
  [ "$(id -u)" = 0 ] ||
    skip "no container engine: no Docker daemon answers and starting dockerd needs root"
  say "no Docker daemon answers; starting dockerd --bridge=none --iptables=false"
  # No bridge and no iptables rules: nothing on the machine's network changes; the build and the
  # containers use --network host.
  export DOCKER_HOST=unix:///var/run/docker.sock
  dockerd --bridge=none --iptables=false >"$workdir/dockerd.log" 2>&1 &
  daemon_pid=$!
  deadline=$((SECONDS + daemon_deadline_s))
  until docker info >/dev/null 2>&1; do
    if ! kill -0 "$daemon_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$workdir/dockerd.log" >&2 || true
      stop_daemon
      daemon_pid=''
      skip "no container engine: dockerd does not start here (its log is above)"
    fi
    sleep 0.2
  done
  say "dockerd is up"
fi

# --- base image and build -----------------------------------------------------------------------

DOCKER=$docker_cmd "$source_root/container/make-base-image.sh" debian:bookworm-slim ||
  fail "the builder's base image debian:bookworm-slim is missing and cannot be made"

# A container that cannot start here means no engine can run, not a broken image.
if ! docker run --rm --network host --entrypoint /bin/true debian:bookworm-slim >"$workdir/probe.log" 2>&1; then
  cat "$workdir/probe.log" >&2
  skip "no container engine: the Docker daemon answers but cannot run a container here (above)"
fi

say "building $image (APP=$app)"
build_start=$(now_ms)
if ! DOCKER_BUILDKIT=0 docker build --force-rm --network host -f "$source_root/container/Dockerfile" \
  --build-arg "APP=$app" -t "$image" "$source_root" >"$workdir/build.log" 2>&1; then
  tail -n 80 "$workdir/build.log" >&2
  fail "docker build failed (the end of its output is above)"
fi
build_ms=$(($(now_ms) - build_start))
cached_steps=$(grep -c 'Using cache' "$workdir/build.log" || true)
say "built in $((build_ms / 1000)).$((build_ms % 1000 / 100)) s ($cached_steps steps from the layer cache)"

# --- the image ----------------------------------------------------------------------------------

inspect_image() { docker image inspect -f "$1" "$image"; }

size=$(inspect_image '{{.Size}}')
[ "$size" -le $max_image_bytes ] || fail "image is $size bytes, more than $max_image_bytes"
platform=$(inspect_image '{{.Os}}/{{.Architecture}}')
[ "$platform" = linux/amd64 ] || fail "image platform is $platform, Cloudflare runs linux/amd64"

user=$(inspect_image '{{.Config.User}}')
[[ $user =~ ^([0-9]+)(:[0-9]+)?$ ]] || fail "image user '$user' is not a numeric uid[:gid]"
[ "${BASH_REMATCH[1]}" != 0 ] || fail "image user is root ($user)"

entrypoint=$(inspect_image '{{json .Config.Entrypoint}}')
[ "$entrypoint" = '["/app"]' ] || fail "entrypoint is $entrypoint, expected the exec form [\"/app\"]"
healthcheck=$(inspect_image '{{json .Config.Healthcheck.Test}}')
[ "$healthcheck" = '["CMD","/app","--health-check"]' ] ||
  fail "health check is $healthcheck, expected the exec form (no shell) /app --health-check"

# Every file in the image, from its layers.
docker save "$image" -o "$workdir/image.tar"
python3 - "$workdir/image.tar" >"$workdir/files" <<'EOF'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as image:
    manifest = json.load(image.extractfile("manifest.json"))
    for layer in manifest[0]["Layers"]:
        with tarfile.open(fileobj=image.extractfile(layer)) as files:
            for member in files:
                if not member.isdir():
                    print("/" + member.name.removeprefix("./"))
EOF
loader=$(grep -m1 '/ld-linux' "$workdir/files" || true)
[ -n "$loader" ] || fail "no dynamic loader in the image: $(tr '\n' ' ' <"$workdir/files")"
# What the loader actually opens for /app inside the image, plus /app itself, must be all there is.
docker run --rm --network none --entrypoint "$loader" "$image" --list /app >"$workdir/loaded" 2>&1 ||
  fail "the loader cannot resolve /app inside the image: $(cat "$workdir/loaded")"
{
  echo /app
  awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' "$workdir/loaded"
} | sort -u >"$workdir/needed"
sort -u "$workdir/files" >"$workdir/present"
if ! diff -u "$workdir/needed" "$workdir/present" >"$workdir/files.diff"; then
  cat "$workdir/files.diff" >&2
  fail "the image holds other files than /app and its shared-library closure (- needed, + present)"
fi
say "image: $size bytes, $platform, user $user, $(wc -l <"$workdir/present") files: $(tr '\n' ' ' <"$workdir/present")"

# --- the running container ----------------------------------------------------------------------

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
container=containerflare-test-$$
base_url=http://127.0.0.1:$port

dump_logs() {
  say "container logs:"
  docker logs "$container" >&2 2>&1 || true
}
running() { [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" = true ]; }

run_start=$(now_ms)
docker run -d --name "$container" --network host -e "PORT=$port" \
  --health-interval 1s --health-timeout 5s --health-retries 3 --health-start-period 5s \
  "$image" >/dev/null

# Cloudflare's readiness probe: GET / with Host: ping; any HTTP answer counts.
attempts=0
until code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H 'Host: ping' "$base_url/") &&
  [ "$code" != 000 ]; do
  attempts=$((attempts + 1))
  if [ $((attempts % 50)) = 0 ] && ! running; then
    dump_logs
    fail "the container exited before it answered"
  fi
  if [ $(($(now_ms) - run_start)) -ge $((start_deadline_s * 1000)) ]; then
    dump_logs
    fail "no HTTP answer on $base_url within $start_deadline_s s of docker run"
  fi
  sleep 0.01
done
first_answer_ms=$(($(now_ms) - run_start))
say "docker run -> first answer: $first_answer_ms ms"

request_id=container-test-$$-$RANDOM
metadata='{"request_id":"'$request_id'","colo":"ZRH","country":"CH","worker_name":"container-test"}'
body=$(curl -sS --max-time 5 -w '\n%{http_code}' -H "x-containerflare-metadata: $metadata" "$base_url/")
code=${body##*$'\n'}
body=${body%$'\n'*}
[ "$code" = 200 ] || fail "GET / answered $code: $body"
for expected in '"it works!"' "\"request_id\":\"$request_id\"" '"colo":"ZRH"' '"worker_name":"container-test"'; do
  [[ $body == *"$expected"* ]] || fail "GET / does not echo the metadata header ($expected missing): $body"
done
say "GET / echoes the metadata header"

code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$base_url/healthz")
[ "$code" = 200 ] || fail "GET /healthz answered $code"

# The program is PID 1 (no shell, no init in between) and runs without root.
pid=$(docker inspect -f '{{.State.Pid}}' "$container")
mapfile -t processes < <(docker top "$container" -o pid,uid,args | tail -n +2)
[ ${#processes[@]} = 1 ] || fail "expected one process in the container, found: ${processes[*]}"
read -r top_pid top_uid top_args <<<"${processes[0]}"
[ "$top_pid" = "$pid" ] || fail "the container's process $top_pid is not its init process $pid"
[ "$top_args" = /app ] || fail "the container runs '$top_args', not /app"
[ "$top_uid" != 0 ] && [ "$top_uid" != root ] || fail "the program runs as root"
say "PID 1 is /app, uid $top_uid"

# Docker's HEALTHCHECK runs `/app --health-check` inside the container (no shell there).
deadline=$((SECONDS + health_deadline_s))
while status=$(docker inspect -f '{{.State.Health.Status}}' "$container") && [ "$status" != healthy ]; do
  if [ "$status" = unhealthy ] || [ $SECONDS -ge $deadline ]; then
    docker inspect -f '{{json .State.Health}}' "$container" >&2
    fail "health status is '$status', not healthy"
  fi
  sleep 0.2
done
say "health check: healthy"

# Idle container (curl has closed its connections): SIGTERM must end it at once with 0.
stop_start=$(now_ms)
docker stop -t $stop_grace_s "$container" >/dev/null
stop_ms=$(($(now_ms) - stop_start))
exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
if [ "$exit_code" != 0 ]; then
  dump_logs
  fail "docker stop: exit code $exit_code (137 = killed after the grace period), expected 0"
fi
if [ $stop_ms -gt $max_stop_ms ]; then
  dump_logs
  fail "docker stop took $stop_ms ms, more than $max_stop_ms ms"
fi
say "docker stop -t $stop_grace_s: $stop_ms ms, exit code 0"

say "figures: build $build_ms ms ($cached_steps cached steps), image $size bytes," \
  "docker run -> first answer $first_answer_ms ms, docker stop $stop_ms ms"
