#!/usr/bin/env bash
# Installs what the monitoring checks need when missing: Debian's prometheus package (prometheus and promtool)
# and python3-yaml (lint.py). Waits for a dpkg lock another installation holds instead of failing.
set -euo pipefail

packages=()
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
    packages+=(prometheus)
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
    packages+=(python3-yaml)
fi
if [ "${#packages[@]}" -eq 0 ]; then
    exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${packages[@]}" >/dev/null
