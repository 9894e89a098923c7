#!/bin/sh
# Builds build/deb/aup-milter_<version>_<arch>.deb with debhelper (dh, CMake build system) from
# the checkout's files: those git tracks plus untracked ones it does not ignore, so a clean
# checkout builds exactly its commit. Build dependencies: packaging/install-deps.sh.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

version=$(sed -n 's/^project(aup-milter VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
changelog_version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
if [ "$version" != "$changelog_version" ]; then
  echo "build-deb: CMakeLists.txt says $version, packaging/debian/changelog $changelog_version;" \
    "add a changelog entry (dch -v $version)" >&2
  exit 1
fi

out="$top/build/deb"
stage="$out/src/aup-milter-$version"
rm -rf "$out"
mkdir -p "$stage"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$stage"
else
  tar --exclude='./build*' --exclude='./.git' -cf - . | tar -xf - -C "$stage"
fi
cp -r packaging/debian "$stage/debian"

jobs=$(nproc 2>/dev/null || echo 2)
(cd "$stage" && DEB_BUILD_OPTIONS="parallel=$jobs ${DEB_BUILD_OPTIONS:-}" \
  dpkg-buildpackage --build=binary --no-sign)

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
# The package, its debug symbols (aup-milter-dbgsym) and the build records.
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out/"
rm -rf "$out/src"
echo "build-deb: $out/aup-milter_${version}_${arch}.deb"
