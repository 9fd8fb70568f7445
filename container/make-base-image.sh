#!/usr/bin/env bash
# Makes the builder's base image `debian:bookworm-slim` available to the local Docker engine, so
# container/Dockerfile builds unchanged on a machine that cannot reach a registry.
#
#   container/make-base-image.sh [IMAGE]      (default IMAGE: debian:bookworm-slim)
#
# 1. The image is already in the engine: nothing to do (the engine keeps it between runs).
# 2. Otherwise try `docker pull` once (bounded by CF_PULL_TIMEOUT seconds, default 60).
# 3. Otherwise build a minimal Debian bookworm root file system with debootstrap (from the Debian
#    mirror apt already uses) and `docker import` it under the same name. Needs root and the
#    debootstrap package; takes a few minutes.
#
# The image is linux/amd64 (what Cloudflare Containers run), so step 3 needs an x86_64 host.
# Environment: DOCKER (client, default `docker`); DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR
# (default: the host's own, else http://deb.debian.org/debian and no security source);
# CF_SKIP_PULL=1 skips step 2.
set -euo pipefail

image=${1:-debian:bookworm-slim}
suite=bookworm
docker_cmd=${DOCKER:-docker}

say() { printf '[make-base-image] %s\n' "$*" >&2; }

if "$docker_cmd" image inspect "$image" >/dev/null 2>&1; then
  say "$image is present"
  exit 0
fi

if [ "${CF_SKIP_PULL:-0}" != 1 ]; then
  say "pulling $image"
  if timeout "${CF_PULL_TIMEOUT:-60}" "$docker_cmd" pull --platform linux/amd64 "$image" >&2; then
    exit 0
  fi
  say "cannot pull $image; building it with debootstrap"
fi

if [ "$(uname -m)" != x86_64 ]; then
  say "debootstrap here would make a $(uname -m) image; the image must be linux/amd64"
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  say "debootstrap needs root"
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  say "debootstrap is not installed (apt-get install debootstrap)"
  exit 1
fi

# The host's first apt source whose URI ends in /NAME (deb822 files, then one-line files).
host_mirror() {
  local name=$1
  {
    grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{for (i = 2; i <= NF; i++) print $i}'
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
      awk '{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; break}}'
  } | grep -m1 "/$name/\?\$" || true
}
mirror=${DEBIAN_MIRROR:-$(host_mirror debian)}
mirror=${mirror:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-$(host_mirror debian-security)}

rootfs=$(mktemp -d /var/tmp/cf-bookworm-rootfs.XXXXXX)
# Everything below deletes inside "$rootfs": never let it be anything but that new directory.
[[ $rootfs == /var/tmp/cf-bookworm-rootfs.?????? && -d $rootfs ]] || exit 1
trap 'rm -rf --one-file-system "$rootfs"' EXIT

say "debootstrap --variant=minbase $suite from $mirror"
debootstrap --variant=minbase --arch=amd64 "$suite" "$rootfs" "$mirror" >&2

# Set dpkg and apt up as the official slim image does: manuals, documentation and translations
# are not unpacked, translated package indexes are not fetched. Then leave out the same files.
# (Every path below is inside "$rootfs", checked above to be a fresh temporary directory.)
printf 'path-exclude /usr/share/%s/*\n' doc groff info linda lintian/overrides locale man \
  >"$rootfs/etc/dpkg/dpkg.cfg.d/slim-image"
echo 'path-include /usr/share/doc/*/copyright' >>"$rootfs/etc/dpkg/dpkg.cfg.d/slim-image"
# No fsync per unpacked file: a failed image build is thrown away, not repaired.
echo 'force-unsafe-io' >"$rootfs/etc/dpkg/dpkg.cfg.d/unsafe-io"
echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/slim-image"
for dir in doc groff info linda lintian/overrides locale man; do
  find "$rootfs/usr/share/$dir" -mindepth 1 -not -type d -not -path "$rootfs/usr/share/doc/*/copyright" -delete 2>/dev/null || true
done
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* "$rootfs"/tmp/*
{
  echo "deb $mirror $suite main"
  echo "deb $mirror $suite-updates main"
  if [ -n "$security_mirror" ]; then echo "deb $security_mirror $suite-security main"; fi
} >"$rootfs/etc/apt/sources.list"

say "importing as $image"
tar --numeric-owner -C "$rootfs" -c . |
  "$docker_cmd" import --platform linux/amd64 --change 'CMD ["bash"]' - "$image" >&2
say "$image is ready"
