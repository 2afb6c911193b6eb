#!/usr/bin/env bash
# Install the Debian packages the map stage and its browser tests need, only those missing:
# graphviz (`dot`, for the DOT -> SVG map), chromium (headless page tests), a font for both.
# Idempotent: a second run installs nothing and makes no network request.
set -euo pipefail

wanted=(graphviz chromium fonts-dejavu-core)
missing=()
for package in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "system deps: all present (${wanted[*]})"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "system deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
for tool in dot chromium; do
    if ! command -v "$tool" >/dev/null; then
        echo "system deps: '$tool' is still missing after installing ${missing[*]}" >&2
        exit 1
    fi
done
echo "system deps: installed ${missing[*]}"
