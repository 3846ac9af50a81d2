#!/usr/bin/env bash
# Builds the JVM base image for one architecture from Debian packages, without pulling any image:
# Debian's openjdk-<JAVA_VERSION>-jre-headless plus exactly the shared libraries the JVM loads (glibc, libgcc, libstdc++,
# zlib), a Java trust store made from Debian's ca-certificates, and a non-root user 1001. No shell, no package
# manager, no docs. Every file is dated SOURCE_DATE_EPOCH and the tar is sorted, so the same package versions
# give the same layer.
#
#   hack/images/build-base.sh amd64|arm64      -> local image localhost/healthcheck-operator/jre-base:<JAVA_VERSION>-<arch>
#
# JAVA_VERSION 25 (the default: Debian trixie's openjdk-25-jre-headless) or 17 (bookworm's openjdk-17-jre-headless,
# the runtime of earlier releases, kept buildable to compare: BENCHMARKS.md has both).
# Package lists come from Debian (DEBIAN_MIRROR, DEBIAN_SUITE) through a private APT configuration per
# architecture, so the host's APT setup is not touched. The exact versions used are printed, recorded in the
# image (/var/lib/dpkg/status.d/, which scanners read) and in the label dev.healthcheck-operator.base.packages.
# To pin them, set BASE_PACKAGE_VERSIONS to a file of "name=version" lines (the debs must still be on the mirror
# or in the download cache).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ARCH="${1:?usage: build-base.sh amd64|arm64}"
case "$ARCH" in amd64) TRIPLET=x86_64-linux-gnu ;; arm64) TRIPLET=aarch64-linux-gnu ;; *) die "unsupported arch $ARCH" ;; esac
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
JAVA_VERSION="${JAVA_VERSION:-$JAVA_VERSION_DEFAULT}"
DEBIAN_SUITE="${DEBIAN_SUITE:-$(debian_suite_for "$JAVA_VERSION")}"
BASE_TAG="${BASE_TAG:-$(base_image_tag "$JAVA_VERSION" "$ARCH")}"
JAVA_PKG="openjdk-$JAVA_VERSION-jre-headless"
# The JVM's own shared-library needs (checked below against every ELF file of the JRE). Desktop parts of the
# headless JRE (fonts, images, sound, smart cards, CUPS) are left without their libraries: a server never loads them.
PACKAGES=("$JAVA_PKG" libc6 libgcc-s1 libstdc++6 zlib1g)
# Libraries of the JRE that may stay unresolved, and why: AWT/2D (fontmanager: freetype/harfbuzz; javajpeg: jpeg;
# lcms: lcms2; jsound: alsa; splashscreen/awt: X11/gif/png) and smart cards (j2pcsc: pcsclite) are not used by a
# headless server.
OPTIONAL_JRE_LIBS='libj2pcsc.so|libfontmanager.so|libjavajpeg.so|liblcms.so|libjsound.so|libsplashscreen.so|libawt_xawt.so|libjawt.so|libatk-wrapper.so'

SDE="$(source_date_epoch)"
APT_DIR="$IMAGES_CACHE/apt/$DEBIAN_SUITE-$ARCH"
DEB_DIR="$IMAGES_CACHE/debs/$DEBIAN_SUITE-$ARCH"
WORK="$IMAGES_CACHE/base-$JAVA_VERSION-$ARCH"
mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/etc/parts" "$DEB_DIR"
: >"$APT_DIR/status"

cat >"$APT_DIR/etc/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR $DEBIAN_SUITE main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR $DEBIAN_SUITE-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security main
SRC
APT_OPTS=(-o "APT::Architecture=$ARCH" -o "APT::Architectures::=$ARCH"
          -o "Dir::Etc::SourceList=$APT_DIR/etc/sources.list" -o "Dir::Etc::SourceParts=$APT_DIR/etc/parts"
          -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::State::status=$APT_DIR/status"
          -o "Dir::Cache=$APT_DIR/cache" -o "Dir::Etc::Preferences=$APT_DIR/etc/preferences" -o "Dir::Etc::PreferencesParts=$APT_DIR/etc/parts"
          -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false" -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
          -o "APT::Sandbox::User=root" -o "Acquire::Languages=none")

# Refresh the package lists at most once a day (and always when empty).
if [[ -z "$(find "$APT_DIR/lists" -maxdepth 1 -name '*Packages*' -mtime -1 -print -quit)" ]]; then
    log "$ARCH: updating Debian $DEBIAN_SUITE package lists"
    apt-get "${APT_OPTS[@]}" update >"$APT_DIR/update.log" 2>&1 || { tail "$APT_DIR/update.log" >&2; die "apt-get update failed"; }
fi

# Resolve versions (pinned file, else the candidate), download what is missing.
declare -A PIN=()
if [[ -n "${BASE_PACKAGE_VERSIONS:-}" ]]; then
    while IFS='=' read -r n v; do [[ -n "$n" && "$n" != \#* ]] && PIN[$n]="$v"; done <"$BASE_PACKAGE_VERSIONS"
fi
# ca-certificates (arch: all) gives the CA certificates the trust store is made of; libc-bin only its C.UTF-8
# locale (LANG=C.UTF-8 makes the JVM's file names and default charset UTF-8).
ALL_PACKAGES=("${PACKAGES[@]}" ca-certificates libc-bin)
DEBS=()
VERSIONS_FILE="$WORK/packages.txt"
mkdir -p "$WORK"; : >"$VERSIONS_FILE"
for p in "${ALL_PACKAGES[@]}"; do
    v="${PIN[$p]:-$(apt-cache "${APT_OPTS[@]}" policy "$p" | awk '/Candidate:/ {print $2}')}"
    [[ -n "$v" && "$v" != "(none)" ]] || die "$p: no version for $ARCH in $DEBIAN_SUITE"
    deb=""
    for f in "$DEB_DIR/${p}_"*.deb; do
        [[ -e "$f" && "$(dpkg-deb -f "$f" Version)" == "$v" ]] && { deb="$f"; break; }
    done
    if [[ -z "$deb" ]]; then
        log "$ARCH: downloading $p=$v"
        (cd "$DEB_DIR" && apt-get "${APT_OPTS[@]}" download "$p=$v" >/dev/null) || die "download of $p=$v failed"
        for f in "$DEB_DIR/${p}_"*.deb; do
            [[ "$(dpkg-deb -f "$f" Version)" == "$v" ]] && deb="$f"
        done
        [[ -n "$deb" ]] || die "$p=$v: downloaded file not found"
    fi
    DEBS+=("$deb")
    printf '%s=%s %s\n' "$p" "$v" "$(sha256sum "$deb" | cut -c1-64)" >>"$VERSIONS_FILE"
done
log "$ARCH: packages (name=version sha256):"; sed 's/^/    /' "$VERSIONS_FILE" >&2

# Unpack into a fresh root file system.
ROOTFS="$WORK/rootfs"
rm -rf "$ROOTFS"; mkdir -p "$ROOTFS"
for deb in "${DEBS[@]}"; do
    case "$(dpkg-deb -f "$deb" Package)" in
        ca-certificates) ;;
        libc-bin) dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$ROOTFS" ./usr/lib/locale/C.utf8 ;;
        *) dpkg-deb -x "$deb" "$ROOTFS" ;;
    esac
done
# Merged /usr (trixie's packages ship /usr/lib only; base-files, not installed here, would add the links): the
# ELF interpreter is looked up as /lib64/ld-linux-x86-64.so.2 or /lib/ld-linux-aarch64.so.1.
for d in bin sbin lib lib64; do
    if [[ -d "$ROOTFS/usr/$d" && ! -e "$ROOTFS/$d" ]]; then ln -s "usr/$d" "$ROOTFS/$d"; fi
done
JAVA_HOME_REL="usr/lib/jvm/java-$JAVA_VERSION-openjdk-$ARCH"
[[ -x "$ROOTFS/$JAVA_HOME_REL/bin/java" ]] || die "no java in $JAVA_PKG"

# What the image does not need: documentation, translations, iconv modules, package scripts, tools of libc.
rm -rf "$ROOTFS"/usr/share/{doc,man,info,lintian,locale,bug,gdb} "$ROOTFS"/usr/lib/"$TRIPLET"/gconv \
       "$ROOTFS"/usr/lib/"$TRIPLET"/audit "$ROOTFS"/usr/libexec "$ROOTFS"/etc/ld.so.conf.d \
       "$ROOTFS"/"$JAVA_HOME_REL"/man "$ROOTFS"/usr/share/gcc "$ROOTFS"/usr/share/binfmts
find "$ROOTFS" -xtype l -name 'src.zip' -delete

# Every ELF file of the JRE must find its libraries in the image, except the desktop ones listed above.
resolve_fail=0
mapfile -t LIBDIRS < <(printf '%s\n' "lib/$TRIPLET" "usr/lib/$TRIPLET" lib usr/lib "$JAVA_HOME_REL/lib" "$JAVA_HOME_REL/lib/server")
while IFS= read -r -d '' f; do
    head -c4 "$f" 2>/dev/null | grep -q $'\x7fELF' || continue
    name="$(basename "$f")"
    for need in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        found=""
        for d in "${LIBDIRS[@]}"; do [[ -e "$ROOTFS/$d/$need" ]] && { found=1; break; }; done
        if [[ -z "$found" ]]; then
            if [[ "$name" =~ ^($OPTIONAL_JRE_LIBS)$ ]]; then
                echo "$name: $need (desktop library, not included)" >>"$WORK/unresolved-optional.txt"
            else
                echo "error: $f needs $need, which is not in the image" >&2; resolve_fail=1
            fi
        fi
    done
done < <(find "$ROOTFS/$JAVA_HOME_REL" -type f -print0)
((resolve_fail == 0)) || die "$ARCH: the JRE misses libraries"

# The Java trust store: Debian's CA certificates as a JKS file with fixed dates (keytool would stamp the time).
mkdir -p "$ROOTFS/etc/ssl/certs/java"
CA_DEB="$(printf '%s\n' "${DEBS[@]}" | grep '/ca-certificates_')"
CA_TMP="$WORK/ca"; rm -rf "$CA_TMP"; dpkg-deb -x "$CA_DEB" "$CA_TMP"
python3 "$IMAGES_DIR/make-cacerts.py" "$CA_TMP/usr/share/ca-certificates/mozilla" "$SDE" \
    "$ROOTFS/etc/ssl/certs/java/cacerts"
rm -rf "$CA_TMP"

# /usr/bin/java (Debian's postinst would make it an alternative), a stable JAVA_HOME, users, /tmp.
mkdir -p "$ROOTFS/usr/bin" "$ROOTFS/opt/java" "$ROOTFS/tmp" "$ROOTFS/etc" "$ROOTFS/app" "$ROOTFS/home/app"
ln -sfn "/$JAVA_HOME_REL" "$ROOTFS/opt/java/openjdk"
ln -sfn "/$JAVA_HOME_REL/bin/java" "$ROOTFS/usr/bin/java"
chmod 1777 "$ROOTFS/tmp"
cat >"$ROOTFS/etc/passwd" <<PW
root:x:0:0:root:/root:/usr/sbin/nologin
app:x:1001:1001:app:/home/app:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PW
cat >"$ROOTFS/etc/group" <<GR
root:x:0:
app:x:1001:
nogroup:x:65534:
GR
printf 'hosts: files dns\n' >"$ROOTFS/etc/nsswitch.conf"
chown 1001:1001 "$ROOTFS/home/app"

# Package records for scanners (one stanza per package, as distroless images do), and the version list.
mkdir -p "$ROOTFS/var/lib/dpkg/status.d"
for deb in "${DEBS[@]}"; do
    p="$(dpkg-deb -f "$deb" Package)"
    [[ "$p" == ca-certificates ]] && continue
    { dpkg-deb -f "$deb" Package Version Architecture Source Maintainer Installed-Size Homepage Description | sed '/^ /d'
      echo "Status: install ok installed"; } >"$ROOTFS/var/lib/dpkg/status.d/$p"
done

TAR="$WORK/rootfs.tar"
# dpkg-deb unpacked everything as root; only /home/app belongs to 1001. Numeric ids, sorted names, fixed dates.
tar --sort=name --mtime="@$SDE" --clamp-mtime --numeric-owner \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "$ROOTFS" -cf "$TAR" .
log "$ARCH: rootfs $(du -sh "$ROOTFS" | cut -f1), tar sha256 $(sha256sum "$TAR" | cut -c1-16)"

PKG_LABEL="$(awk '{print $1}' "$VERSIONS_FILE" | paste -sd, -)"
cat >"$WORK/Containerfile" <<CF
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/bin:/bin JAVA_HOME=/opt/java/openjdk LANG=C.UTF-8
USER 1001:1001
WORKDIR /app
LABEL org.opencontainers.image.title="healthcheck-operator JRE base" \\
      org.opencontainers.image.description="Debian $DEBIAN_SUITE OpenJDK $JAVA_VERSION JRE, glibc, CA certificates, user 1001; no shell" \\
      dev.healthcheck-operator.base.packages="$PKG_LABEL"
CF
buildah build --quiet --platform "linux/$ARCH" --timestamp "$SDE" --identity-label=false --omit-history \
    --layers=false -f "$WORK/Containerfile" -t "$BASE_TAG" "$WORK" >/dev/null
rm -f "$TAR"
log "$ARCH: base image $BASE_TAG $(podman image inspect --format '{{.Id}} {{.Size}}' "$BASE_TAG" | awk '{printf "%s, %.1f MB", substr($1,1,12), $2/1e6}')"
