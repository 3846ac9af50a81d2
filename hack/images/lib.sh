# shellcheck shell=bash disable=SC2034 # sourced: the *_DEFAULT settings are read by the scripts that source it
# Shared settings for hack/images/*.sh (sourced, not run).
# Container tools run rootful with vfs storage, runc, cgroupfs and a 1024 open-files limit: the settings that
# work on machines without a Docker engine and without systemd cgroups. Everything lives under IMAGES_CACHE.

IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$IMAGES_DIR/../.." && pwd)"
IMAGES_CACHE="${IMAGES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator/images}"
mkdir -p "$IMAGES_CACHE"

# Our own containers.conf/storage.conf (written by install-tools.sh) unless the caller brings theirs.
if [[ -z "${CONTAINERS_CONF:-}" && -f "$IMAGES_CACHE/containers.conf" ]]; then
    export CONTAINERS_CONF="$IMAGES_CACHE/containers.conf"
fi
if [[ -z "${CONTAINERS_STORAGE_CONF:-}" && -f "$IMAGES_CACHE/storage.conf" ]]; then
    export CONTAINERS_STORAGE_CONF="$IMAGES_CACHE/storage.conf"
fi

# The local registry (registry.sh) and where images go.
LOCAL_REGISTRY_ADDR="${LOCAL_REGISTRY_ADDR:-127.0.0.1:5000}"
REGISTRY="${REGISTRY:-$LOCAL_REGISTRY_ADDR}"
# Plain HTTP for a registry on this machine; TLS everywhere else unless TLS_VERIFY=false is given.
if [[ -z "${TLS_VERIFY:-}" ]]; then
    case "$REGISTRY" in
        127.0.0.1:*|localhost:*|localhost|127.0.0.1) TLS_VERIFY=false ;;
        *) TLS_VERIFY=true ;;
    esac
fi
IMAGE_NAMESPACE="${IMAGE_NAMESPACE:-healthcheck-operator}"
APPS_DEFAULT="sidecar operator"
# The Java runtime of the Debian-built base (build-base.sh): 25 (trixie), or 17 (bookworm) to compare.
JAVA_VERSION_DEFAULT=25
ARCHES_DEFAULT="amd64 arm64"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# A free TCP port on 127.0.0.1 (the kernel's pick; closed again before the caller binds it).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The project version: the root pom's own <version> (the first one after the parent's artifactId).
project_version() {
    if [[ -n "${VERSION:-}" ]]; then echo "$VERSION"; return; fi
    awk '/<artifactId>healthcheck-operator-parent<\/artifactId>/ {found=1; next}
         found && /<version>/ { sub(/.*<version>/, ""); sub(/<\/version>.*/, ""); print; exit }' "$REPO_ROOT/pom.xml"
}

project_revision() {
    if [[ -n "${REVISION:-}" ]]; then echo "$REVISION"; return; fi
    git -C "$REPO_ROOT" rev-parse HEAD 2>/dev/null || echo unknown
}

# Seconds since the epoch used for every timestamp in the images: the last commit's time, so the same commit
# gives the same image digests.
source_date_epoch() {
    if [[ -n "${SOURCE_DATE_EPOCH:-}" ]]; then echo "$SOURCE_DATE_EPOCH"; return; fi
    git -C "$REPO_ROOT" log -1 --format=%ct 2>/dev/null || echo 0
}

project_source() {
    if [[ -n "${IMAGE_SOURCE:-}" ]]; then echo "$IMAGE_SOURCE"; return; fi
    local url
    url="$(git -C "$REPO_ROOT" config --get remote.origin.url 2>/dev/null || true)"
    # The label is a URL: git@host:path becomes https://host/path; a clone of a local path has none to give.
    case "$url" in
        git@*:*) url="${url#git@}"; url="https://${url%%:*}/${url#*:}" ;;
        http://*|https://*|ssh://*|git://*) ;;
        *) url="unknown" ;;
    esac
    echo "${url%.git}"
}

image_repo() { # app -> repository without registry
    case "$1" in
        sidecar) echo "$IMAGE_NAMESPACE/healthcheck-sidecar" ;;
        operator) echo "$IMAGE_NAMESPACE/healthcheck-operator" ;;
        *) die "unknown app '$1' (sidecar|operator)" ;;
    esac
}

debian_suite_for() { # java-version -> the Debian release whose openjdk-<version>-jre-headless the base is made of
    case "$1" in 17) echo bookworm ;; 25) echo trixie ;; *) die "unsupported JAVA_VERSION $1 (17|25)" ;; esac
}

base_image_tag() { # java-version arch -> the local tag build-base.sh gives that base
    echo "localhost/healthcheck-operator/jre-base:$1-$2"
}

require_tools() {
    local missing=()
    for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
    ((${#missing[@]} == 0)) || die "missing: ${missing[*]} (run hack/images/install-tools.sh)"
}
