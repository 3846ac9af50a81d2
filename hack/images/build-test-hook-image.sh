#!/usr/bin/env bash
# Builds the sidecar's test-hooks image for the end-to-end tier: the amd64 sidecar image that build-images.sh just
# built, plus a Java agent (test-hooks/DeadlockHook.java) that deadlocks two threads some seconds after start, so a
# test can watch the kubelet restart a sidecar that broke from inside. Pushed to $REGISTRY as
# healthcheck-operator/healthcheck-sidecar-test-hooks:<version>; never part of a release.
#
#   hack/images/build-test-hook-image.sh        (after ARCHES=amd64 hack/images/build-images.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tools buildah podman javac jar

VERSION="$(project_version)"
SIDECAR="localhost/build/$(image_repo sidecar):$VERSION-amd64"
REF="$REGISTRY/$IMAGE_NAMESPACE/healthcheck-sidecar-test-hooks:$VERSION"
podman image exists "$SIDECAR" || die "$SIDECAR missing: run ARCHES=amd64 hack/images/build-images.sh first"

ctx="$IMAGES_CACHE/context/test-hooks"
rm -rf "$ctx"; mkdir -p "$ctx/classes"
# The agent runs on the sidecar image's JVM (17 or 25): compile for the older, whatever JDK builds.
javac --release 17 -d "$ctx/classes" "$IMAGES_DIR/test-hooks/DeadlockHook.java"
printf 'Premain-Class: DeadlockHook\n' >"$ctx/manifest.txt"
jar --create --file "$ctx/deadlock-hook.jar" --manifest "$ctx/manifest.txt" -C "$ctx/classes" .
# The JVM refuses the sidecar's AOT cache when an agent is loaded (the cache was made without java.instrument) and
# says so with errors on every start: this image's options are the sidecar's without the cache.
holder="$(podman create --pull=never "$SIDECAR")"
podman cp "$holder:/app/jvm.options" "$ctx/jvm.options.sidecar" && podman rm -f "$holder" >/dev/null \
    || { podman rm -f "$holder" >/dev/null; die "could not read /app/jvm.options of $SIDECAR"; }
grep -v -- '^-XX:AOTCache=' "$ctx/jvm.options.sidecar" >"$ctx/jvm.options"
cat >"$ctx/Containerfile" <<CF
FROM $SIDECAR
COPY deadlock-hook.jar /hooks/deadlock-hook.jar
COPY jvm.options /app/jvm.options
ENV JAVA_TOOL_OPTIONS="-javaagent:/hooks/deadlock-hook.jar"
LABEL org.opencontainers.image.title="healthcheck-sidecar-test-hooks" \\
      org.opencontainers.image.description="The probe sidecar with a deadlock induced on purpose: for end-to-end tests only"
CF
buildah build --quiet --pull=never --platform linux/amd64 --layers=false --omit-history -f "$ctx/Containerfile" \
    -t "localhost/build/$IMAGE_NAMESPACE/healthcheck-sidecar-test-hooks:$VERSION" "$ctx" >/dev/null
podman push --quiet --tls-verify="$TLS_VERIFY" "localhost/build/$IMAGE_NAMESPACE/healthcheck-sidecar-test-hooks:$VERSION" \
    "docker://$REF" >/dev/null
log "test-hooks image pushed: $REF"
