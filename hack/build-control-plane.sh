#!/usr/bin/env bash
# Builds a local Kubernetes control plane from source and caches it by version:
#   kube-apiserver, kube-controller-manager, kube-scheduler  (k8s.io/kubernetes, hack/control-plane/go.mod)
#   etcd                                                     (hack/control-plane/etcd/go.mod)
#   kwok                                                     (sigs.k8s.io/kwok, KWOK_VERSION below)
#   kubectl                                                  (only when no kubectl within one minor
#                                                             version of the server is on PATH)
# and, with --with-node, what a real node of hack/local-cluster.sh runs:
#   kubelet, kube-proxy                                      (k8s.io/kubernetes, hack/control-plane/go.mod)
#   coredns                                                  (hack/node/coredns/go.mod: the plugins cluster
#                                                             DNS needs)
# into ${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator/k8s/<k8s-version>/bin/
# and links etcd, kube-apiserver and kubectl into the directory layout that
# io.fabric8:kube-api-test uses in offline mode:
#   ${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/<k8s-version>-<os>-<arch>/
# kube-api-test 7.6.1 then uses these binaries without downloading anything: it picks
# the newest such directory, or the one of @EnableKubeAPIServer(kubeAPIVersion = "...")
# / KUBE_API_TEST_API_SERVER_VERSION. Do not set KUBE_API_TEST_OFFLINE_MODE: 7.6.1
# casts the variable's String to Boolean and fails with a ClassCastException; use
# KubeAPIServerConfigBuilder.withOfflineMode(true) in code instead.
#
# Progress goes to stderr; the last line on stdout is the bin directory, so:
#   BIN=$(hack/build-control-plane.sh | tail -1)
#
# Environment:
#   HC_K8S_BIN_DIR     use this directory (it must hold at least etcd and kube-apiserver,
#                      e.g. downloaded envtest assets) instead of building anything
#   HC_BUILD_KUBECTL   1 = always build kubectl, 0 = never build it (default: auto)
#   KUBE_API_TEST_DIR  root of the kube-api-test layout (default ~/.kubeapitest, as the library)
#   XDG_CACHE_HOME     cache root (default ~/.cache)
set -euo pipefail

KWOK_VERSION=v0.7.0

HACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CP_DIR="$HACK_DIR/control-plane"
ETCD_DIR="$CP_DIR/etcd"
COREDNS_DIR="$HACK_DIR/node/coredns"

usage() {
  cat <<EOF
Usage: $(basename "$0") [--with-node] [--force] [--print-version] [--print-bin-dir] [--help]

  (no option)       build what is missing, print progress on stderr and the bin dir on stdout
  --with-node       also kubelet, kube-proxy and coredns (a real node for hack/local-cluster.sh)
  --force           rebuild every binary even if the cache has it
  --print-version   print the pinned Kubernetes version (e.g. 1.35.4) and exit
  --print-bin-dir   print the bin dir this script would use and exit (builds nothing)
EOF
}

log() { printf '[build-control-plane] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Version of a module as required in a go.mod, without the leading "v".
gomod_version() { # <go.mod> <module path>
  # Inside a require block ("<module> <version>") or on a single require line.
  awk -v m="$2" '$1 == "require" { $1 = ""; $0 = $0 } $1 == m && $2 ~ /^v[0-9]/ { sub(/^v/, "", $2); print $2; exit }' "$1"
}

K8S_VERSION=$(gomod_version "$CP_DIR/go.mod" k8s.io/kubernetes)
ETCD_VERSION=$(gomod_version "$ETCD_DIR/go.mod" go.etcd.io/etcd/server/v3)
COREDNS_VERSION=$(gomod_version "$COREDNS_DIR/go.mod" github.com/coredns/coredns)
[[ -n "$K8S_VERSION" ]] || die "cannot read the k8s.io/kubernetes version from $CP_DIR/go.mod"
[[ -n "$ETCD_VERSION" ]] || die "cannot read the etcd version from $ETCD_DIR/go.mod"
[[ -n "$COREDNS_VERSION" ]] || die "cannot read the CoreDNS version from $COREDNS_DIR/go.mod"
K8S_MINOR=$(cut -d. -f2 <<<"$K8S_VERSION")

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator/k8s"
VERSION_DIR="$CACHE_ROOT/$K8S_VERSION"
BIN_DIR="${HC_K8S_BIN_DIR:-$VERSION_DIR/bin}"

FORCE=0
WITH_NODE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --print-version) echo "$K8S_VERSION"; exit 0 ;;
    --print-bin-dir) echo "$BIN_DIR"; exit 0 ;;
    --force) FORCE=1 ;;
    --with-node) WITH_NODE=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

# kube-api-test names its directories <version>-<os>-<arch>, with os and arch as Java
# reports them (os.name lower-cased, "aarch64" -> arm64, anything else -> amd64).
kubeapitest_platform() {
  local os arch
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case "$(uname -m)" in
    aarch64|arm64) arch=arm64 ;;
    *) arch=amd64 ;;
  esac
  echo "$os-$arch"
}

# Links etcd, kube-apiserver and kubectl of $1 into the kube-api-test offline layout.
# The directory name must be a plain x.y.z version: kube-api-test parses every
# directory name under k8s/ as numbers to find the latest one.
layout_kubeapitest() { # <bin dir> <version x.y.z>
  local src=$1 version=$2 dir f
  dir="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/$version-$(kubeapitest_platform)"
  for f in etcd kube-apiserver kubectl; do
    if [[ ! -x "$src/$f" ]]; then
      log "kube-api-test layout skipped: $src/$f is missing"
      return 0
    fi
  done
  mkdir -p "$dir"
  for f in etcd kube-apiserver kubectl; do
    # Resolve our own symlinks (kubectl may point at the system one) so the
    # layout does not depend on the cache dir's internal links.
    ln -sfn "$(readlink -f "$src/$f")" "$dir/$f"
  done
  log "kube-api-test offline layout: $dir"
}

# Minor version of the kubectl on PATH, or empty.
system_kubectl_minor() {
  command -v kubectl >/dev/null 2>&1 || return 0
  kubectl version --client -o json 2>/dev/null \
    | sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | head -1
}

# --- Pre-built binaries supplied by the caller ------------------------------
if [[ -n "${HC_K8S_BIN_DIR:-}" ]]; then
  [[ -d "$HC_K8S_BIN_DIR" ]] || die "HC_K8S_BIN_DIR=$HC_K8S_BIN_DIR is not a directory"
  for f in etcd kube-apiserver; do
    [[ -x "$HC_K8S_BIN_DIR/$f" ]] || die "HC_K8S_BIN_DIR=$HC_K8S_BIN_DIR has no executable $f"
  done
  for f in kube-controller-manager kube-scheduler kwok kubectl; do
    [[ -x "$HC_K8S_BIN_DIR/$f" ]] || log "note: $HC_K8S_BIN_DIR has no $f (hack/local-cluster.sh needs it)"
  done
  # Use the version the supplied apiserver reports ("Kubernetes v1.34.1").
  supplied=$("$HC_K8S_BIN_DIR/kube-apiserver" --version 2>/dev/null | sed -n 's/.*v\([0-9][0-9.]*\).*/\1/p')
  layout_kubeapitest "$HC_K8S_BIN_DIR" "${supplied:-$K8S_VERSION}"
  log "using HC_K8S_BIN_DIR, nothing built"
  echo "$HC_K8S_BIN_DIR"
  exit 0
fi

# --- What to build -----------------------------------------------------------
# name | how it is built | version stamp (a change rebuilds the binary)
BUILD_KUBECTL=${HC_BUILD_KUBECTL:-auto}
if [[ "$BUILD_KUBECTL" == 0 ]] && ! command -v kubectl >/dev/null 2>&1; then
  die "HC_BUILD_KUBECTL=0 but there is no kubectl on PATH"
fi
if [[ "$BUILD_KUBECTL" == auto ]]; then
  sys_minor=$(system_kubectl_minor)
  # kubectl supports one minor version of skew with the API server.
  if [[ -n "$sys_minor" ]] && (( sys_minor >= K8S_MINOR - 1 && sys_minor <= K8S_MINOR + 1 )); then
    BUILD_KUBECTL=0
  else
    BUILD_KUBECTL=1
  fi
fi

BINARIES=(etcd kwok kube-apiserver kube-controller-manager kube-scheduler kubectl)
NODE_BINARIES=(kubelet kube-proxy coredns)
((WITH_NODE == 0)) || BINARIES+=("${NODE_BINARIES[@]}")
stamp_of() {
  case "$1" in
    etcd) echo "etcd $ETCD_VERSION" ;;
    kwok) echo "kwok $KWOK_VERSION" ;;
    coredns) echo "coredns $COREDNS_VERSION" ;;
    kubectl) if [[ "$BUILD_KUBECTL" == 1 ]]; then echo "kubectl $K8S_VERSION"; else echo "system $(command -v kubectl)"; fi ;;
    *) echo "$1 $K8S_VERSION" ;;
  esac
}
is_current() { # <name>
  [[ -x "$BIN_DIR/$1" && -f "$BIN_DIR/.$1.stamp" ]] && [[ "$(cat "$BIN_DIR/.$1.stamp")" == "$(stamp_of "$1")" ]]
}

mkdir -p "$VERSION_DIR"
# Serialise concurrent runs (e.g. two test modules starting at once).
exec 9>"$VERSION_DIR/.lock"
if ! flock -n 9; then
  log "another build of $K8S_VERSION is running, waiting for it"
  flock 9
fi

# Leftovers of a build that was killed hard (with the lock held, none is in use).
rm -rf "$VERSION_DIR"/.tmp-build.*

TODO=()
for b in "${BINARIES[@]}"; do
  if [[ $FORCE == 1 ]] || ! is_current "$b"; then TODO+=("$b"); fi
done

START=$SECONDS
if [[ ${#TODO[@]} -eq 0 ]]; then
  log "Kubernetes $K8S_VERSION (etcd $ETCD_VERSION, kwok $KWOK_VERSION) already built in $BIN_DIR"
  layout_kubeapitest "$BIN_DIR" "$K8S_VERSION"
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "go is not on PATH (Go >= 1.25 is needed to build Kubernetes $K8S_VERSION)"
log "building ${TODO[*]} for Kubernetes $K8S_VERSION with $(go version | cut -d' ' -f3) into $BIN_DIR"

mkdir -p "$BIN_DIR"
# Binaries are built into a temp dir next to bin/ (same file system) and renamed
# into place, so an interrupted build never leaves a truncated binary behind.
TMP_DIR=$(mktemp -d "$VERSION_DIR/.tmp-build.XXXXXX")
trap 'rm -rf "$TMP_DIR"' EXIT

# Each go command runs in its own process group so that Ctrl-C or a kill of this
# script also stops the compiler and linker processes instead of orphaning them.
CHILD=""
run() {
  setsid "$@" &
  CHILD=$!
  wait "$CHILD"
}
on_signal() {
  [[ -n "$CHILD" ]] && kill -TERM -- "-$CHILD" 2>/dev/null
  log "interrupted"
  exit 130
}
trap on_signal INT TERM

export CGO_ENABLED=0
# Build each module on its own even if a go.work file is found above this directory.
export GOWORK=off
# -mod=readonly: build exactly what the committed go.mod/go.sum pin.
GO_BUILD_FLAGS=(-mod=readonly -trimpath)
# Kubernetes' own release build stamps the version like this (hack/lib/version.sh);
# without it the binaries report v0.0.0-master.
K8S_LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  K8S_LDFLAGS+=" -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$K8S_MINOR"
  K8S_LDFLAGS+=" -X $pkg.gitTreeState=clean"
done

build_one() { # <name>
  local name=$1 t0=$SECONDS
  log "[$name] building ($(stamp_of "$name"))..."
  case "$name" in
    etcd)
      run go -C "$ETCD_DIR" build "${GO_BUILD_FLAGS[@]}" -ldflags "-s -w" -o "$TMP_DIR/etcd" go.etcd.io/etcd/server/v3 ;;
    coredns)
      run go -C "$COREDNS_DIR" build "${GO_BUILD_FLAGS[@]}" -ldflags "-s -w" -o "$TMP_DIR/coredns" . ;;
    kwok)
      # kwok has no replace directives, so "go install pkg@version" works and
      # uses kwok's own go.sum.
      GOBIN="$TMP_DIR" run go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" ;;
    kubectl)
      if [[ "$BUILD_KUBECTL" == 0 ]]; then
        ln -sfn "$(command -v kubectl)" "$TMP_DIR/kubectl"
        log "[kubectl] using $(command -v kubectl) (within one minor version of $K8S_VERSION)"
      else
        run go -C "$CP_DIR" build "${GO_BUILD_FLAGS[@]}" -ldflags "$K8S_LDFLAGS" -o "$TMP_DIR/kubectl" k8s.io/kubernetes/cmd/kubectl
      fi ;;
    *)
      run go -C "$CP_DIR" build "${GO_BUILD_FLAGS[@]}" -ldflags "$K8S_LDFLAGS" -o "$TMP_DIR/$name" "k8s.io/kubernetes/cmd/$name" ;;
  esac
  mv -f "$TMP_DIR/$name" "$BIN_DIR/$name"
  stamp_of "$name" >"$TMP_DIR/.$name.stamp"
  mv -f "$TMP_DIR/.$name.stamp" "$BIN_DIR/.$name.stamp"
  log "[$name] done in $((SECONDS - t0))s (total $((SECONDS - START))s)"
}

for b in "${TODO[@]}"; do
  build_one "$b"
done

log "built ${TODO[*]} in $((SECONDS - START))s"
layout_kubeapitest "$BIN_DIR" "$K8S_VERSION"
echo "$BIN_DIR"
