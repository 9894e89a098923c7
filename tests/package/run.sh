#!/bin/sh
# Builds the Debian package, then installs, runs and purges it on this machine
# (tests/package/package_test.py; root, as it changes the system). Called by .ci/run.
set -eu
cd "$(dirname "$0")/../.."
packaging/build-deb.sh
set -- build/deb/aup-milter_*_"$(dpkg-architecture -qDEB_HOST_ARCH)".deb
python3 tests/package/package_test.py "$1"
