# shellcheck shell=bash
# shellcheck disable=SC2034 # settings used by the other parts of hack/local-cluster.sh
# Images of the real node that are built here, without a container engine (sourced by hack/local-cluster.sh):
# static Go programs in one-layer OCI archives (hack/node/oci-archive.py), imported into containerd. Cached by
# the hash of their sources under ${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator/node-images.

NODE_IMAGES_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/healthcheck-operator/node-images"
PAUSE_IMAGE=docker.io/healthcheck-operator/pause:1
DEMO_IMAGE=docker.io/healthcheck-operator/demo-upstream:0.1.0
PAUSE_BIN=$NODE_IMAGES_CACHE/pause/pause
DEMO_DIR=$HACK_DIR/../examples/demo-upstream

# Builds <module dir> into <cache name>/<cache name> and its OCI archive when the sources changed.
# <cache name> <module dir> <image> <oci-archive.py options...>
build_static_image() {
  local name=$1 module=$2 image=$3 dir hash sources
  shift 3
  dir=$NODE_IMAGES_CACHE/$name
  sources=("$module"/go.mod "$module"/*.go "$HACK_DIR/node/oci-archive.py")
  [[ -f "$module/go.sum" ]] && sources+=("$module/go.sum")
  hash=$(cat "${sources[@]}" | sha256sum | cut -c1-16)
  mkdir -p "$dir"
  # Two clusters starting at once (make test starts the cluster tests' and the end-to-end tier's) build one at a
  # time: the second finds the first one's archive.
  exec 7>"$dir/.lock"
  flock 7
  if [[ -f "$dir/$name.tar" && "$(cat "$dir/.stamp" 2>/dev/null)" == "$hash $image" ]]; then
    exec 7>&-
    return 0
  fi
  log "building $image from $module"
  CGO_ENABLED=0 GOWORK=off go -C "$module" build -mod=readonly -trimpath -ldflags "-s -w" -o "$dir/$name.tmp" . \
    || die "go build of $module failed"
  mv -f "$dir/$name.tmp" "$dir/$name"
  python3 "$HACK_DIR/node/oci-archive.py" --name "$image" --file "$dir/$name:/$name" --entrypoint "/$name" "$@" \
    "$dir/$name.tar.tmp" || die "cannot write the image archive of $image"
  mv -f "$dir/$name.tar.tmp" "$dir/$name.tar"
  echo "$hash $image" >"$dir/.stamp"
  exec 7>&-   # closing the descriptor releases the lock, and the daemons started later do not inherit it
}

build_node_images() {
  command -v go >/dev/null 2>&1 || die "go is not on PATH (the node's pause image is built from hack/node/pause)"
  build_static_image pause "$HACK_DIR/node/pause" "$PAUSE_IMAGE"
  build_static_image demo-upstream "$DEMO_DIR" "$DEMO_IMAGE" --port 8080/tcp --port 5432/tcp --port 9090/tcp
}

# Imports the archive into the node's containerd unless the image is there with the same digest.
import_node_image() { # <archive> <image>
  local archive=$1 image=$2
  local images
  ctr_ images import "$archive" >/dev/null || die "cannot import $archive into containerd"
  images=$(ctr_ images ls -q) || die "cannot list the images of containerd"
  grep -qx "$image" <<<"$images" || die "$image is missing after importing $archive"
}

import_node_images() {
  import_node_image "$NODE_IMAGES_CACHE/pause/pause.tar" "$PAUSE_IMAGE"
  import_node_image "$NODE_IMAGES_CACHE/demo-upstream/demo-upstream.tar" "$DEMO_IMAGE"
}
