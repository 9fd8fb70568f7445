#!/usr/bin/env bash
# Builds one executable target in a configured Meson build directory and stages it, with its
# shared-library closure, into an empty root file system as /app (see collect-runtime.sh):
#
#   container/build-app.sh TARGET BUILD_DIR ROOTFS
#
# TARGET is a Meson executable target name (e.g. containerflare-basic), wherever in the tree it
# is declared. container/Dockerfile configures BUILD_DIR for release (-Drelease_link=true,
# stripped) and builds the libraries in an earlier layer.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 TARGET BUILD_DIR ROOTFS" >&2
  exit 2
fi
target=$1
build_dir=$2
rootfs=$3
here=$(cd "$(dirname "$0")" && pwd)

meson compile -C "$build_dir" "$target"

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
