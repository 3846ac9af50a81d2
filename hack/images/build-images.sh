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
#   JAVA_VERSION 25 (default) or 17: the Debian-built base's JRE for the sidecar (build-base.sh);
#   OPERATOR_JAVA_VERSION the operator's (17 by default: on 25 its arm64 image did not get ready under qemu here)
#   AOT_CACHE    1 (default on JDK 25): the sidecar image gets an AOT cache trained on each architecture's image
#                (about 20 s on amd64; arm64 under qemu took 12 min on a busy 2-core machine); 0: none.
#                AOT_CACHE_ARCHES (default: ARCHES) trains only those; the others start without a cache
#   SKIP_MAVEN=1 use the existing */target/quarkus-app instead of running mvn package
#   TLS_VERIFY   false for a plain-HTTP registry (default: false for 127.0.0.1/localhost, true otherwise)
# Images: $REGISTRY/healthcheck-operator/healthcheck-sidecar:<version> and .../healthcheck-operator:<version>,
# version from the root pom, revision from git. A summary is written to IMAGES_CACHE/last-build.env.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APPS="${APPS:-$APPS_DEFAULT}"
ARCHES="${ARCHES:-$ARCHES_DEFAULT}"
BASE="${BASE:-debian}"
JAVA_VERSION="${JAVA_VERSION:-$JAVA_VERSION_DEFAULT}"
OPERATOR_JAVA_VERSION="${OPERATOR_JAVA_VERSION:-17}"
java_version_of() { # app -> the JRE version of its Debian-built base
    if [[ "$1" == operator ]]; then echo "$OPERATOR_JAVA_VERSION"; else echo "$JAVA_VERSION"; fi
}
# The sidecar's AOT cache, trained at build per architecture: JDK 25 only (JDK 17 has no AOT cache). AOT_CACHE_ARCHES
# limits it to some architectures (the others' images start without one): training under emulation is slow.
AOT_CACHE="${AOT_CACHE:-$([[ "$JAVA_VERSION" == 17 ]] && echo 0 || echo 1)}"
AOT_CACHE_ARCHES="${AOT_CACHE_ARCHES:-$ARCHES}"
[[ "$AOT_CACHE" == 1 ]] || AOT_CACHE_ARCHES=""
case "$BASE" in
    debian) BASE_REF="" ;;
    distroless) case "$JAVA_VERSION" in
                    17) BASE_REF="gcr.io/distroless/java17-debian12:nonroot" ;;
                    *) BASE_REF="gcr.io/distroless/java$JAVA_VERSION-debian13:nonroot" ;;
                esac ;;
    temurin) BASE_REF="docker.io/library/eclipse-temurin:$JAVA_VERSION-jre" ;;
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
        for version in $(for app in $APPS; do java_version_of "$app"; done | sort -u); do
            JAVA_VERSION="$version" "$IMAGES_DIR/build-base.sh" "$arch"
            BASE_FOR[$version-$arch]="$(base_image_tag "$version" "$arch")"
        done
    else
        # By image ID: the tag names whichever architecture was pulled last. Both apps use this one base.
        BASE_FOR[$arch]="$(podman pull -q --tls-verify="$BASE_TLS_VERIFY" --platform "linux/$arch" "$BASE_REF")"
    fi
done
t_base=$((SECONDS - t0))

# Trains the sidecar's AOT cache by running the untrained image on its own architecture (arm64 under qemu): a
# start, then the requests a sidecar without checks serves (/health, its live and ready views, /metrics, a 404),
# then SIGTERM; on exit the JVM writes the cache (JDK 25 starts a second JVM for that, as -XX:AOTCacheOutput
# does). Without a checks file, so that the classes only checks need (Jackson) stay out: the JVM loads every
# class of the cache at start. The same flags as at run time except two caps the dump needs room beyond (it
# copies all class metadata, about 33 MiB here, inside the metaspace and class-space limits).
train_aot_cache() { # image arch out-dir
    local image="$1" arch="$2" out="$3" port name timeout_s started code
    port="$(free_port)"
    name="aot-train-$arch-$$"
    timeout_s=$([[ "$arch" == amd64 ]] && echo 120 || echo 900)
    rm -rf "$out"; mkdir -p "$out"; chmod 0777 "$out"
    log "sidecar/$arch: training the AOT cache"
    started=$SECONDS
    podman run -d -q --name "$name" --platform "linux/$arch" --network host --read-only --tmpfs "/tmp:rw,size=64m" \
        -v "$out:/aot:rw" -e "SIDECAR_PORT=$port" -e QUARKUS_HTTP_HOST=127.0.0.1 --entrypoint java "$image" \
        @/app/jvm.options -XX:CompressedClassSpaceSize=64m -XX:MaxMetaspaceSize=128m \
        -XX:AOTCacheOutput=/aot/app.aot -jar /app/quarkus-app/quarkus-run.jar >/dev/null
    code=000
    while ((SECONDS - started < timeout_s)); do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/health" || true)"
        [[ "$code" == 200 ]] && break
        [[ "$(podman inspect --format '{{.State.Status}}' "$name")" == running ]] || break
        sleep 0.5
    done
    if [[ "$code" != 200 ]]; then
        podman logs "$name" 2>&1 | tail -5 >&2; podman rm -f "$name" >/dev/null 2>&1 || true
        die "sidecar/$arch: no 200 from the training run within ${timeout_s}s"
    fi
    log "sidecar/$arch: training run answered after $((SECONDS - started))s"
    for _ in $(seq 1 50); do
        curl -s --max-time 10 "http://127.0.0.1:$port/health" "http://127.0.0.1:$port/health" \
            "http://127.0.0.1:$port/health/live" "http://127.0.0.1:$port/health/ready" "http://127.0.0.1:$port/nope" >/dev/null || true
    done
    for _ in $(seq 1 5); do curl -s -o /dev/null --max-time 20 "http://127.0.0.1:$port/metrics" || true; done
    podman stop -t "$timeout_s" "$name" >/dev/null
    podman logs "$name" >"$out/train.log" 2>&1 || true
    podman rm -f "$name" >/dev/null 2>&1 || true
    [[ -s "$out/app.aot" ]] || { grep -i 'error' "$out/train.log" | tail -5 >&2; die "sidecar/$arch: no AOT cache written (log: $out/train.log)"; }
    rm -f "$out/app.aot.config"
    log "sidecar/$arch: AOT cache $(du -m "$out/app.aot" | cut -f1) MB, trained in $((SECONDS - started))s"
    AOT_TRAIN_TIMES+=("$arch $((SECONDS - started))s")
}
AOT_TRAIN_TIMES=()

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
    # Flags only a newer JVM knows (the options file itself stays runnable on JDK 17: tests and benchmarks use it).
    app_java="$(java_version_of "$app")"
    [[ "$BASE" == debian ]] || app_java="$JAVA_VERSION"
    extra_options="${options%.options}-$app_java.options"
    [[ -f "$extra_options" ]] && cat "$extra_options" >>"$ctx/jvm.options"

    list="localhost/build/$repo:$VERSION"
    podman manifest rm "$list" >/dev/null 2>&1 || podman rmi "$list" >/dev/null 2>&1 || true
    podman manifest create "$list" >/dev/null
    for arch in $ARCHES; do
        base_image="${BASE_FOR[$app_java-$arch]:-${BASE_FOR[$arch]:-}}"
        log "$app: building linux/$arch on $base_image"
        pull=(--pull=never)
        [[ "$BASE" == debian ]] || pull=(--pull=false)
        image="localhost/build/$repo:$VERSION-$arch"
        aot=""
        [[ "$app" == sidecar && " $AOT_CACHE_ARCHES " == *" $arch "* ]] && aot=1
        # With an AOT cache the app image is built first, trained, and then gets the cache in a layer of its own.
        target=(-t "$image" --manifest "$list")
        [[ -z "$aot" ]] || target=(-t "$image-untrained")
        buildah build --quiet "${pull[@]}" --platform "linux/$arch" --timestamp "$SDE" --identity-label=false \
            --layers=false --format oci -f "$IMAGES_DIR/Containerfile.jvm" \
            --build-arg "BASE_IMAGE=$base_image" --build-arg "APP=$app" \
            --build-arg "TITLE=$(basename "$repo")" --build-arg "DESCRIPTION=$desc" \
            --build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION" --build-arg "CREATED=$CREATED" \
            --build-arg "SOURCE=$SOURCE" \
            --build-arg "BASE_NAME=${BASE_REF:-debian:$(debian_suite_for "$app_java") openjdk-$app_java-jre-headless}" \
            "${target[@]}" "$ctx" >/dev/null
        if [[ -n "$aot" ]]; then
            aot_ctx="$ctx/aot-$arch"
            train_aot_cache "$image-untrained" "$arch" "$aot_ctx"
            { cat "$ctx/jvm.options"
              echo "# The AOT cache trained at image build on this architecture's JVM (hack/images/build-images.sh)."
              echo "-XX:AOTCache=/app/quarkus-app/app.aot"; } >"$aot_ctx/jvm.options"
            buildah build --quiet --pull=never --platform "linux/$arch" --timestamp "$SDE" --identity-label=false --omit-history \
                --layers=false --format oci -f "$IMAGES_DIR/Containerfile.aot" \
                --build-arg "APP_IMAGE=$image-untrained" -t "$image" --manifest "$list" "$aot_ctx" >/dev/null
            podman rmi "$image-untrained" >/dev/null 2>&1 || true
        fi
    done
    log "$app: pushing $ref"
    podman manifest push --quiet --all --format oci --tls-verify="$TLS_VERIFY" --digestfile "$ctx/digest" \
        "$list" "docker://$ref" >/dev/null
    echo "${app^^}_IMAGE=$ref@$(cat "$ctx/digest")" >>"$SUMMARY.new"
done
t_images=$((SECONDS - t0))
mv "$SUMMARY.new" "$SUMMARY"
{ echo "VERSION=$VERSION"; echo "REVISION=$REVISION"; echo "REGISTRY=$REGISTRY"; echo "BASE=$BASE"
  echo "JAVA_VERSION=$JAVA_VERSION"; echo "OPERATOR_JAVA_VERSION=$OPERATOR_JAVA_VERSION"
  echo "AOT_CACHE_ARCHES=$AOT_CACHE_ARCHES"; } >>"$SUMMARY"

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
log "times: maven ${t_maven}s, base ${t_base}s, app images + push ${t_images}s${AOT_TRAIN_TIMES[*]:+ (AOT cache training: ${AOT_TRAIN_TIMES[*]})}"
log "summary written to $SUMMARY"
