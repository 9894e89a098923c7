#!/bin/sh
# Installs the Debian 12 packages aup-milter builds and tests with. Idempotent; uses sudo
# when not run as root.
set -eu

PACKAGES="
  build-essential cmake pkg-config python3 python3-jsonschema clang-format clang-tidy
  libgmime-3.0-dev libpcre2-dev libxml2-dev nlohmann-json3-dev libfmt-dev libcli11-dev catch2 libidn2-dev
  libhowardhinnant-date-dev tzdata
  libmilter-dev libsystemd-dev libmagic-dev libarchive-dev libsqlite3-dev libcurl4-openssl-dev libvectorscan-dev
  libcpp-httplib-dev libsodium-dev
  miltertest postfix
  clamav-daemon clamav-testfiles zip openssl
  clang libclang-rt-14-dev
  debhelper dpkg-dev lintian systemd
  chromium
"
# Node.js (with npm) drives Chromium in the web tests; take Debian's only when none is there.
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs npm"

# playwright-core for the browser tests, at the version package-lock.json pins.
install_browser_driver() {
  browser_tests="$(dirname "$0")/../tests/web/browser"
  if [ ! -d "$browser_tests/node_modules/playwright-core" ]; then
    (cd "$browser_tests" && npm ci --no-audit --no-fund --loglevel=error)
    echo "install-deps: installed playwright-core for the browser tests"
  fi
}

missing=""
for package in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  install_browser_driver
  exit 0
fi

as_root=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps: missing:$missing; run this script as root" >&2
    exit 1
  fi
  as_root="sudo"
fi

# Postfix is installed for the integration tests only; keep its package from configuring a
# system mail service.
echo "postfix postfix/main_mailer_type select No configuration" | $as_root debconf-set-selections
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
echo "install-deps: installed$missing"
install_browser_driver
