#!/usr/bin/env bash
# Installs and configures what the image scripts need, from Debian packages: podman, buildah, skopeo, runc,
# the docker-registry package (a local OCI registry) and qemu-user-static with binfmt_misc (arm64 images run
# under emulation). Idempotent and quick once done. Needs root (apt-get, binfmt_misc).
#
# Writes containers.conf and storage.conf under IMAGES_CACHE (~/.cache/healthcheck-operator/images); the other
# scripts point CONTAINERS_CONF/CONTAINERS_STORAGE_CONF at them (see lib.sh). To use the tools by hand:
#   eval "$(hack/images/install-tools.sh --env)"
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(podman buildah skopeo runc uidmap docker-registry qemu-user-static binfmt-support
          python3 curl ca-certificates)

if [[ "${1:-}" == "--env" ]]; then
    echo "export CONTAINERS_CONF='$IMAGES_CACHE/containers.conf'"
    echo "export CONTAINERS_STORAGE_CONF='$IMAGES_CACHE/storage.conf'"
    exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    [[ $(id -u) == 0 ]] || die "run as root to install: ${missing[*]}"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # make test may start a real node meanwhile, which installs its packages too: one apt-get at a time (the lock
    # hack/local-cluster/node.sh takes as well), and dpkg's own lock waited for.
    mkdir -p /run/lock
    exec {apt_lock}>/run/lock/healthcheck-operator-apt.lock
    flock -w 900 "$apt_lock" || die "another apt-get held /run/lock/healthcheck-operator-apt.lock for 15 minutes"
    apt=(apt-get -o DPkg::Lock::Timeout=600)
    # The package lists may be missing or stale on a fresh machine.
    if ! "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >"$IMAGES_CACHE/apt-install.log" 2>&1; then
        "${apt[@]}" update >"$IMAGES_CACHE/apt-update.log" 2>&1
        "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >"$IMAGES_CACHE/apt-install.log" 2>&1 ||
            { tail -20 "$IMAGES_CACHE/apt-install.log" >&2; die "apt-get install failed"; }
    fi
    exec {apt_lock}>&-
    # The package's own service is not what we use (registry.sh runs one bound to 127.0.0.1 on demand).
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
        systemctl disable --now docker-registry >/dev/null 2>&1 || true
    fi
fi

# crun (podman's default) fails on cgroupfs-only hosts, and the default 1048576 open-files limit is refused
# inside many sandboxes: runc, cgroupfs, file events and explicit ulimits work everywhere we build.
cat >"$IMAGES_CACHE/containers.conf.new" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
cat >"$IMAGES_CACHE/storage.conf.new" <<CONF
[storage]
driver = "vfs"
runroot = "$IMAGES_CACHE/storage/run"
graphroot = "$IMAGES_CACHE/storage/graph"
CONF
for f in containers.conf storage.conf; do
    if cmp -s "$IMAGES_CACHE/$f.new" "$IMAGES_CACHE/$f"; then rm "$IMAGES_CACHE/$f.new"; else mv "$IMAGES_CACHE/$f.new" "$IMAGES_CACHE/$f"; fi
done

# arm64 binaries under qemu: binfmt_misc must be mounted and the qemu-aarch64 handler enabled.
if [[ ! -e /proc/sys/fs/binfmt_misc/status ]]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null ||
        log "warning: cannot mount binfmt_misc: arm64 images will not run here"
fi
if [[ -e /proc/sys/fs/binfmt_misc/status && ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 ||
        update-binfmts --import qemu-aarch64 >/dev/null 2>&1 ||
        log "warning: cannot enable qemu-aarch64 in binfmt_misc: arm64 images will not run here"
fi

if [[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then arm=yes; else arm=no; fi
log "tools ready: podman $(podman --version | awk '{print $3}'), buildah $(buildah --version | awk '{print $3}'), skopeo $(skopeo --version | awk '{print $3}'), arm64 emulation: $arm"
