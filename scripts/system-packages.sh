#!/usr/bin/env bash
# Install the Debian packages given as arguments, but only those that are missing.
#
# When every package is already installed this touches neither apt nor the network, so
# repeated `make demo` / `make test` runs are fast and work offline.
#
#   scripts/system-packages.sh python3-venv libpango-1.0-0 ...
set -euo pipefail

missing=()
for package in "$@"; do
    # "install ok installed" (or "hold ok installed"); not "... not-installed" / "... half-installed".
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    if [[ $status != *" installed" ]]; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

if ((EUID == 0)); then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them as root: apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "==> Installing system packages: ${missing[*]}"
# A UTF-8 locale while installing: a PostgreSQL cluster created by the package is then UTF8,
# which the pinyin collation (zh-x-icu) needs.
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    apt-get install -y --no-install-recommends "${missing[@]}"
