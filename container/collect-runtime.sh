#!/usr/bin/env bash
# Stages a program and exactly the shared libraries it loads into an empty root file system, for
# a `FROM scratch` image:
#
#   container/collect-runtime.sh PROGRAM ROOTFS [PATH_IN_ROOTFS]   (default PATH_IN_ROOTFS: /app)
#
# Every library keeps the path the dynamic loader resolved on the build machine (symlinks
# resolved, so the file is stored under its SONAME), and the loader keeps the path written in the
# program (PT_INTERP). glibc's loader searches /lib/x86_64-linux-gnu without /etc/ld.so.cache,
# so no cache or configuration is needed. The program is stripped. At the end the loader is run
# inside ROOTFS (chroot) to prove the closure is complete there.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 PROGRAM ROOTFS [PATH_IN_ROOTFS]" >&2
  exit 2
fi
program=$1
rootfs=$2
target=${3:-/app}

say() { printf '[collect-runtime] %s\n' "$*" >&2; }

[ -x "$program" ] || { say "$program is not an executable file"; exit 1; }
mkdir -p "$rootfs"

stage() {
  local source=$1 destination=$rootfs$2
  mkdir -p "$(dirname "$destination")"
  cp -L --preserve=mode "$source" "$destination"
}

# `ldd` prints "name => /path (0x…)" for libraries and "/path (0x…)" for the loader.
closure=$(ldd "$program" 2>&1) || {
  if grep -q 'not a dynamic executable' <<<"$closure"; then closure=''; else
    say "ldd failed: $closure"
    exit 1
  fi
}
if grep -q 'not found' <<<"$closure"; then
  say "unresolved libraries:"
  grep 'not found' <<<"$closure" >&2
  exit 1
fi
mapfile -t libraries < <(awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$closure" | sort -u)

for library in "${libraries[@]}"; do
  stage "$library" "$library"
done
stage "$program" "$target"
strip --strip-all "$rootfs$target"

if [ ${#libraries[@]} -gt 0 ]; then
  interpreter=$(printf '%s\n' "${libraries[@]}" | grep -m1 '/ld-linux' || true)
  [ -n "$interpreter" ] || { say "no dynamic loader in: ${libraries[*]}"; exit 1; }
  # The loader lists what it loads and fails on anything it cannot find inside ROOTFS.
  chroot "$rootfs" "$interpreter" --list "$target" >&2
fi

say "staged $target and ${#libraries[@]} libraries:"
(cd "$rootfs" && find . -type f -printf '%s\t%p\n' | sort -k2) >&2
