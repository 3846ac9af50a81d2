#!/usr/bin/env bash
# Native multi-arch images of both apps (Dockerfile.native), for a machine with a container engine that can run
# the Mandrel builder image: one build call per app covers linux/amd64 and linux/arm64 and leaves an image index.
#
#   hack/images/build-native-images.sh          # ENGINE=podman (default if present) or ENGINE=docker (buildx)
#
# GraalVM/Mandrel cannot cross-compile: each architecture's native-image stage runs on that architecture. With
# podman on one machine, the other architecture runs under qemu (correct, but many times slower and memory hungry);
# with docker buildx, give the builder one native node per architecture
# (docker buildx create --name hc --platform linux/amd64 ...; docker buildx create --append --name hc
#  --platform linux/arm64 ssh://arm64-host) and the same single call runs each stage natively.
# CI builds each architecture on its own runner instead: .github/workflows/native-images.yml.
# Images: $REGISTRY/healthcheck-operator/healthcheck-{sidecar,operator}:<version>-native.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APPS="${APPS:-$APPS_DEFAULT}"
PLATFORMS="${PLATFORMS:-linux/amd64,linux/arm64}"
ENGINE="${ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}"
VERSION="$(project_version)"; REVISION="$(project_revision)"; SDE="$(source_date_epoch)"
CREATED="$(date -u -d "@$SDE" +%Y-%m-%dT%H:%M:%SZ)"; SOURCE="$(project_source)"
if [[ "$REGISTRY" == "$LOCAL_REGISTRY_ADDR" ]]; then "$IMAGES_DIR/registry.sh" start; fi

for app in $APPS; do
    ref="$REGISTRY/$(image_repo "$app"):$VERSION-native"
    args=(--platform "$PLATFORMS" -f "$IMAGES_DIR/Dockerfile.native" --build-arg "APP=$app"
          --build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION" --build-arg "CREATED=$CREATED"
          --build-arg "SOURCE=$SOURCE")
    log "$app: native build for $PLATFORMS with $ENGINE -> $ref"
    case "$ENGINE" in
        podman)
            podman manifest rm "$ref" >/dev/null 2>&1 || true
            podman build "${args[@]}" --ignorefile "$IMAGES_DIR/Dockerfile.native.dockerignore" \
                --timestamp "$SDE" --manifest "$ref" "$REPO_ROOT"
            podman manifest push --all --format oci --tls-verify="$TLS_VERIFY" "$ref" "docker://$ref"
            ;;
        docker)
            docker buildx build "${args[@]}" --provenance=false --push -t "$ref" "$REPO_ROOT"
            ;;
        *) die "ENGINE must be podman or docker" ;;
    esac
    "$IMAGES_DIR/inspect-index.py" "$ref" --tls-verify="$TLS_VERIFY" --version "$VERSION" --revision "$REVISION" \
        --platforms "$PLATFORMS"
done
