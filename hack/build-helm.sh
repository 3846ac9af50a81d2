#!/usr/bin/env bash
# Builds the chart tools from the Go module proxy and caches them by version:
#   helm        helm.sh/helm/v3/cmd/helm             (HELM_VERSION below)
#   kube-score  github.com/zegl/kube-score/cmd/kube-score (KUBE_SCORE_VERSION below)
# into ${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator/<tool>/<version>/<tool>.
# A tool whose cached binary exists is not built again, so a warm run does nothing.
#
# Progress goes to stderr; stdout has one line per tool, "<tool> <path>", so:
#   HELM=$(hack/build-helm.sh --path helm)
#
# Environment:
#   XDG_CACHE_HOME  cache root (default ~/.cache)
set -euo pipefail

HELM_VERSION=v3.22.0
KUBE_SCORE_VERSION=v1.20.0
# The Kubernetes minor version Helm assumes when no cluster is asked (helm template, helm lint):
# the one the local control plane runs (hack/control-plane/go.mod), so `helm lint` checks the
# chart against the API versions the tests use.
K8S_MAJOR=1
K8S_MINOR=35

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator"

usage() {
  cat <<EOF
Usage: $(basename "$0") [--path helm|kube-score] [--force] [--help]

  (no option)    build what is missing, print "<tool> <path>" for each tool on stdout
  --path TOOL    build TOOL if missing and print only its path
  --force        rebuild even if the cache has the binary
EOF
}

log() { printf '[build-helm] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

module_of() {
  case "$1" in
    helm) echo "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" ;;
    kube-score) echo "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION" ;;
    *) die "unknown tool $1" ;;
  esac
}
version_of() {
  case "$1" in
    helm) echo "$HELM_VERSION" ;;
    kube-score) echo "$KUBE_SCORE_VERSION" ;;
    *) die "unknown tool $1" ;;
  esac
}
# Version stamps as the projects' own release builds set them; without them `helm version`
# reports no version and Helm's default Kubernetes version is an old one.
ldflags_of() {
  case "$1" in
    helm)
      local flags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
      flags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
      for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
        flags+=" -X $pkg.k8sVersionMajor=$K8S_MAJOR -X $pkg.k8sVersionMinor=$K8S_MINOR"
      done
      echo "$flags" ;;
    kube-score) echo "-s -w -X main.version=${KUBE_SCORE_VERSION#v}" ;;
  esac
}

FORCE=0
ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --path) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; ONLY=$2; module_of "$ONLY" >/dev/null; shift ;;
    --force) FORCE=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

# Each go command runs in its own process group so that a kill of this script also stops the
# compiler and linker instead of orphaning them.
CHILD=""
on_signal() {
  [[ -n "$CHILD" ]] && kill -TERM -- "-$CHILD" 2>/dev/null
  log "interrupted"
  exit 130
}
trap on_signal INT TERM

build_tool() { # <tool>; prints the binary's path
  local tool=$1 version dir t0=$SECONDS tmp
  version=$(version_of "$tool")
  dir="$CACHE_ROOT/$tool/$version"
  if [[ $FORCE == 0 && -x "$dir/$tool" ]]; then
    echo "$dir/$tool"
    return 0
  fi
  mkdir -p "$dir"
  # Two runs at once (two test modules) build once: the second waits for the first.
  exec 9>"$dir/.lock"
  if ! flock -n 9; then
    log "another build of $tool $version is running, waiting for it"
    flock 9
  fi
  if [[ $FORCE == 0 && -x "$dir/$tool" ]]; then
    exec 9>&-
    echo "$dir/$tool"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "go is not on PATH (needed to build $tool $version)"
  log "building $tool $version with $(go version | cut -d' ' -f3) into $dir (a few minutes on 2 cores)"
  # Built into a temp dir on the same file system and renamed into place, so an interrupted build
  # never leaves a truncated binary that the cache check would take for a finished one.
  rm -rf "$dir"/.tmp-build.*
  tmp=$(mktemp -d "$dir/.tmp-build.XXXXXX")
  # "go install module@version" builds with the module's own go.mod and go.sum (neither tool
  # has replace directives), outside any go.work of the caller.
  GOBIN="$tmp" CGO_ENABLED=0 GOWORK=off setsid go install -trimpath -ldflags "$(ldflags_of "$tool")" \
    "$(module_of "$tool")" &
  CHILD=$!
  if ! wait "$CHILD"; then
    rm -rf "$tmp"
    die "building $tool $version failed"
  fi
  CHILD=""
  mv -f "$tmp/$tool" "$dir/$tool"
  rm -rf "$tmp"
  exec 9>&-
  log "$tool $version built in $((SECONDS - t0))s"
  echo "$dir/$tool"
}

if [[ -n "$ONLY" ]]; then
  build_tool "$ONLY"
else
  for tool in helm kube-score; do
    path=$(build_tool "$tool")
    echo "$tool $path"
  done
fi
