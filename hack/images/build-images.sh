#!/usr/bin/env bash
# Builds the JVM images of both apps for linux/amd64 and linux/arm64, pushes each as one multi-arch OCI image
# index to $REGISTRY and prints the digests and sizes per architecture. Daemonless: buildah builds, podman pushes.
#
#   hack/images/build-images.sh
#
# Settings (environment):
#   REGISTRY     where to push (default 127.0.0.1:5000: a local registry, started by hack/images/registry.sh)
#   BASE         debian (default): a JRE base made here from Debian packages (build-base.sh), no image pulled;
#                distroless | temurin | <image reference>: a standard base pulled from its registry
#   APPS         "sidecar operator"     ARCHES  "amd64 arm64"
#   SKIP_MAVEN=1 use the existing */target/quarkus-app instead of running mvn package
#   TLS_VERIFY   false for a plain-HTTP registry (default: false for 127.0.0.1/localhost, true otherwise)
# Images: $REGISTRY/healthcheck-operator/healthcheck-sidecar:<version> and .../healthcheck-operator:<version>,
# version from the root pom, revision from git. A summary is written to IMAGES_CACHE/last-build.env.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APPS="${APPS:-$APPS_DEFAULT}"
ARCHES="${ARCHES:-$ARCHES_DEFAULT}"
BASE="${BASE:-debian}"
case "$BASE" in
    debian) BASE_REF="" ;;
    distroless) BASE_REF="gcr.io/distroless/java17-debian12:nonroot" ;;
    temurin) BASE_REF="docker.io/library/eclipse-temurin:17-jre" ;;
    *) BASE_REF="$BASE" ;;
esac
case "$BASE_REF" in  # plain HTTP for a base in a registry on this machine, as for REGISTRY
    127.0.0.1[:/]*|localhost[:/]*) BASE_TLS_VERIFY=false ;;
    *) BASE_TLS_VERIFY=true ;;
esac

"$IMAGES_DIR/install-tools.sh"
source "$IMAGES_DIR/lib.sh"   # picks up the containers.conf/storage.conf just written
require_tools buildah podman skopeo python3 curl

VERSION="$(project_version)"; REVISION="$(project_revision)"; SDE="$(source_date_epoch)"
CREATED="$(date -u -d "@$SDE" +%Y-%m-%dT%H:%M:%SZ)"; SOURCE="$(project_source)"
[[ -n "$VERSION" ]] || die "no version in pom.xml"
log "version $VERSION, revision $REVISION, created $CREATED, base $BASE, registry $REGISTRY, arches $ARCHES"

if [[ "$REGISTRY" == "$LOCAL_REGISTRY_ADDR" ]]; then "$IMAGES_DIR/registry.sh" start; fi

t0=$SECONDS
if [[ "${SKIP_MAVEN:-0}" != 1 ]]; then
    log "mvn package (JVM mode)"
    (cd "$REPO_ROOT" && mvn -B -ntp -q package -DskipTests -pl "$(echo $APPS | tr ' ' ',')" -am)
fi
for app in $APPS; do
    [[ -f "$REPO_ROOT/$app/target/quarkus-app/quarkus-run.jar" ]] || die "$app/target/quarkus-app missing: build it first"
done
t_maven=$((SECONDS - t0))

# Base per architecture.
t0=$SECONDS
declare -A BASE_FOR=()
for arch in $ARCHES; do
    if [[ "$BASE" == debian ]]; then
        "$IMAGES_DIR/build-base.sh" "$arch"
        BASE_FOR[$arch]="localhost/healthcheck-operator/jre-base:17-$arch"
    else
        # By image ID: the tag names whichever architecture was pulled last.
        BASE_FOR[$arch]="$(podman pull -q --tls-verify="$BASE_TLS_VERIFY" --platform "linux/$arch" "$BASE_REF")"
    fi
done
t_base=$((SECONDS - t0))

SUMMARY="$IMAGES_CACHE/last-build.env"
: >"$SUMMARY.new"
t0=$SECONDS
for app in $APPS; do
    repo="$(image_repo "$app")"
    ref="$REGISTRY/$repo:$VERSION"
    case "$app" in
        sidecar) options="$REPO_ROOT/sidecar/jvm.options"
                 desc="Probe sidecar of healthcheck-operator: serves /health from the checks of a HealthCheck" ;;
        operator) options="$REPO_ROOT/operator/jvm.options"
                  desc="healthcheck-operator: reconciles HealthCheck resources into probe sidecars" ;;
    esac
    # A small build context: the fast-jar and the JVM options, nothing else of the work tree.
    ctx="$IMAGES_CACHE/context/$app"
    rm -rf "$ctx"; mkdir -p "$ctx"
    cp -a "$REPO_ROOT/$app/target/quarkus-app" "$ctx/quarkus-app"
    cp "$options" "$ctx/jvm.options"

    list="localhost/build/$repo:$VERSION"
    podman manifest rm "$list" >/dev/null 2>&1 || podman rmi "$list" >/dev/null 2>&1 || true
    podman manifest create "$list" >/dev/null
    for arch in $ARCHES; do
        log "$app: building linux/$arch on ${BASE_FOR[$arch]}"
        pull=(--pull=never)
        [[ "$BASE" == debian ]] || pull=(--pull=false)
        buildah build --quiet "${pull[@]}" --platform "linux/$arch" --timestamp "$SDE" --identity-label=false \
            --layers=false --format oci -f "$IMAGES_DIR/Containerfile.jvm" \
            --build-arg "BASE_IMAGE=${BASE_FOR[$arch]}" --build-arg "APP=$app" \
            --build-arg "TITLE=$(basename "$repo")" --build-arg "DESCRIPTION=$desc" \
            --build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION" --build-arg "CREATED=$CREATED" \
            --build-arg "SOURCE=$SOURCE" --build-arg "BASE_NAME=${BASE_REF:-debian:bookworm openjdk-17-jre-headless}" \
            -t "localhost/build/$repo:$VERSION-$arch" --manifest "$list" "$ctx" >/dev/null
    done
    log "$app: pushing $ref"
    podman manifest push --quiet --all --format oci --tls-verify="$TLS_VERIFY" --digestfile "$ctx/digest" \
        "$list" "docker://$ref" >/dev/null
    echo "${app^^}_IMAGE=$ref@$(cat "$ctx/digest")" >>"$SUMMARY.new"
done
t_images=$((SECONDS - t0))
mv "$SUMMARY.new" "$SUMMARY"
{ echo "VERSION=$VERSION"; echo "REVISION=$REVISION"; echo "REGISTRY=$REGISTRY"; echo "BASE=$BASE"; } >>"$SUMMARY"

# What landed in the registry: the index, and per platform its manifest digest, pushed (compressed) size and
# unpacked size (the sum of the layers' uncompressed sizes, from the local build).
echo
printf '%-22s %-8s %-73s %10s %10s\n' IMAGE ARCH DIGEST PUSHED UNPACKED
for app in $APPS; do
    repo="$(image_repo "$app")"; ref="$REGISTRY/$repo:$VERSION"
    index="$(grep "^${app^^}_IMAGE=" "$SUMMARY" | sed 's/.*@//')"
    printf '%-22s %-8s %-73s\n' "$(basename "$repo")" index "$index"
    skopeo inspect --raw --tls-verify="$TLS_VERIFY" "docker://$ref" >"$IMAGES_CACHE/context/$app/index.json"
    python3 - "$IMAGES_CACHE/context/$app/index.json" <<'PY' | while read -r arch digest; do
import json, sys
for m in json.load(open(sys.argv[1]))["manifests"]:
    print(m["platform"]["architecture"], m["digest"])
PY
        skopeo inspect --raw --tls-verify="$TLS_VERIFY" "docker://$REGISTRY/$repo@$digest" >"$IMAGES_CACHE/context/$app/$arch.json"
        pushed="$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(sum(l["size"] for l in m["layers"]) + m["config"]["size"])' "$IMAGES_CACHE/context/$app/$arch.json")"
        unpacked="$(podman image inspect --format '{{.Size}}' "localhost/build/$repo:$VERSION-$arch")"
        printf '%-22s %-8s %-73s %8.1fMB %8.1fMB\n' "" "$arch" "$digest" "$(awk "BEGIN {print $pushed/1e6}")" "$(awk "BEGIN {print $unpacked/1e6}")"
        echo "${app^^}_${arch^^}=$digest $pushed $unpacked" >>"$SUMMARY"
    done
done
echo
log "times: maven ${t_maven}s, base ${t_base}s, app images + push ${t_images}s"
log "summary written to $SUMMARY"
