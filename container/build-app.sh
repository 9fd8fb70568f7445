#!/usr/bin/env bash
# Builds one executable target of the project the way the image ships it and stages it, with its
# shared-library closure, into an empty root file system (see collect-runtime.sh):
#
#   container/build-app.sh TARGET ROOTFS [SOURCE_DIR] [BUILD_DIR]
#
# Release build, Boost.JSON and libgcc linked statically (-Drelease_link=true), tests off,
# stripped. TARGET is a Meson executable target name, e.g. containerflare-basic.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 4 ]; then
  echo "usage: $0 TARGET ROOTFS [SOURCE_DIR] [BUILD_DIR]" >&2
  exit 2
fi
target=$1
rootfs=$2
source_dir=${3:-.}
build_dir=${4:-/tmp/containerflare-image-build}
here=$(cd "$(dirname "$0")" && pwd)

meson setup "$build_dir" "$source_dir" --buildtype=release -Drelease_link=true -Dtests=false --strip
meson compile -C "$build_dir" "$target"

# The file Meson wrote for the target, wherever in the tree the target is declared.
program=$(meson introspect --targets "$build_dir" | python3 -c '
import json, sys
name = sys.argv[1]
targets = json.load(sys.stdin)
found = [t["filename"][0] for t in targets if t["name"] == name and t["type"] == "executable"]
if len(found) != 1:
    programs = sorted(t["name"] for t in targets if t["type"] == "executable")
    sys.exit(f"no single executable target named {name!r}; executables: {programs}")
print(found[0])
' "$target")

"$here/collect-runtime.sh" "$program" "$rootfs" /app
