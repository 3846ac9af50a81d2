#!/usr/bin/env python3
"""Inspects a pushed multi-arch image index and every image in it, with skopeo only (no engine needed).

Checks: the reference is an image index (OCI, or a Docker manifest list) with exactly the expected platforms;
each image's config has that platform, a numeric non-root user, an entrypoint, and the labels
org.opencontainers.image.{title,version,revision,source,created} (version/revision equal to the expected ones);
no shell anywhere in the image's file system (layers are fetched and read, whiteouts applied); the java
executable is built for the image's platform (its ELF machine), so a base of the wrong architecture cannot pass.

  hack/images/inspect-index.py REF [--version V] [--revision R] [--platforms linux/amd64,linux/arm64]
                               [--tls-verify=false] [--allow-shell]

Prints one line per check and closes with "N passed, N failed"; exits 1 if any check failed.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tarfile
import tempfile

SHELLS = {"bin/sh", "bin/bash", "bin/dash", "bin/ash", "bin/zsh", "bin/ksh", "bin/busybox",
          "usr/bin/sh", "usr/bin/bash", "usr/bin/dash", "usr/bin/ash", "usr/bin/zsh", "usr/bin/ksh",
          "usr/bin/busybox", "sbin/busybox"}
LABELS = ["title", "version", "revision", "source", "created"]
# ELF e_machine values: https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html
ELF_MACHINES = {0x3E: "amd64", 0xB7: "arm64"}
INDEX_TYPES = {"application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json"}


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'ok  ' if ok else 'FAIL'} {what}{': ' + detail if detail else ''}", flush=True)
        return ok


def skopeo(args, tls_verify):
    cmd = ["skopeo"] + args[:1] + [f"--tls-verify={tls_verify}"] + args[1:]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def repo_of(ref):
    # strip the tag or digest: registry/path[:tag][@digest]
    ref = ref.split("@", 1)[0]
    last = ref.rsplit("/", 1)
    if ":" in last[-1]:
        ref = ref[: ref.rfind(":")]
    return ref


def file_system(layer_files):
    """Paths present after applying the layers in order (whiteouts included)."""
    present = {}
    for path in layer_files:
        with tarfile.open(path) as tar:  # gzip, zstd not supported by tarfile; our images are gzip
            for m in tar:
                name = os.path.normpath(m.name.lstrip("./")) if m.name not in (".", "./") else "."
                base, leaf = os.path.split(name)
                if leaf == ".wh..wh..opq":
                    prefix = base + "/"
                    for p in [p for p in present if p.startswith(prefix)]:
                        del present[p]
                    continue
                if leaf.startswith(".wh."):
                    target = os.path.join(base, leaf[4:])
                    for p in [p for p in present if p == target or p.startswith(target + "/")]:
                        del present[p]
                    continue
                present[name] = m.linkname if (m.issym() or m.islnk()) else ""
    return present


def java_architecture(layer_files):
    """Architecture of the last regular file named .../bin/java in the layers, from its ELF header."""
    found = None
    for path in layer_files:
        with tarfile.open(path) as tar:
            for m in tar:
                if m.isfile() and m.name.endswith("bin/java"):
                    header = tar.extractfile(m).read(20)
                    if header[:4] != b"\x7fELF":
                        found = (m.name, "not an ELF file")
                    else:
                        machine = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")
                        found = (m.name, ELF_MACHINES.get(machine, f"e_machine {machine:#x}"))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref")
    ap.add_argument("--version")
    ap.add_argument("--revision")
    ap.add_argument("--platforms", default="linux/amd64,linux/arm64")
    ap.add_argument("--tls-verify", default="true")
    ap.add_argument("--allow-shell", action="store_true", help="a base with a shell (e.g. Temurin) was chosen")
    a = ap.parse_args()
    r = Report()
    tls = a.tls_verify
    repo = repo_of(a.ref)

    index = json.loads(skopeo(["inspect", "--raw", f"docker://{a.ref}"], tls))
    media = index.get("mediaType", "")
    if not r.check(media in INDEX_TYPES, f"{a.ref} is a multi-arch image index", media):
        print(f"{r.passed} passed, {r.failed} failed")
        sys.exit(1)
    images = [m for m in index["manifests"]
              if m.get("annotations", {}).get("vnd.docker.reference.type") != "attestation-manifest"
              and m.get("platform", {}).get("architecture") != "unknown"]
    found = sorted(f"{m['platform']['os']}/{m['platform']['architecture']}" for m in images)
    want = sorted(a.platforms.split(","))
    r.check(found == want, "platforms", f"{', '.join(found)} (expected {', '.join(want)})")

    for m in images:
        plat = f"{m['platform']['os']}/{m['platform']['architecture']}"
        ref = f"{repo}@{m['digest']}"
        cfg = json.loads(skopeo(["inspect", "--config", "--raw", f"docker://{ref}"], tls))
        c = cfg.get("config", {})
        r.check(f"{cfg.get('os')}/{cfg.get('architecture')}" == plat, f"{plat}: config platform",
                f"{cfg.get('os')}/{cfg.get('architecture')}")
        user = c.get("User", "")
        uid = user.split(":", 1)[0]
        r.check(uid.isdigit() and int(uid) != 0, f"{plat}: numeric non-root user", repr(user))
        r.check(bool(c.get("Entrypoint") or c.get("Cmd")), f"{plat}: entrypoint", json.dumps(c.get("Entrypoint")))
        labels = c.get("Labels") or {}
        for name in LABELS:
            key = f"org.opencontainers.image.{name}"
            val = labels.get(key, "")
            ok = bool(val) and val != "unknown" if name in ("version", "revision") else bool(val)
            if name == "version" and a.version:
                ok = val == a.version
            if name == "revision" and a.revision:
                ok = val == a.revision
            if name == "created" and val:
                try:
                    datetime.datetime.fromisoformat(val.replace("Z", "+00:00"))
                except ValueError:
                    ok = False
            r.check(ok, f"{plat}: label {key}", repr(val))
        with tempfile.TemporaryDirectory(prefix="inspect-") as tmp:
            subprocess.run(["skopeo", "copy", "--quiet", f"--src-tls-verify={tls}", f"docker://{ref}",
                            f"dir:{tmp}"], check=True, capture_output=True)
            manifest = json.load(open(os.path.join(tmp, "manifest.json")))
            layers = [os.path.join(tmp, layer["digest"].split(":", 1)[1]) for layer in manifest["layers"]]
            fs = file_system(layers)
            java = java_architecture(layers)
        arch = m["platform"]["architecture"]
        r.check(java is not None and java[1] == arch, f"{plat}: java executable built for {arch}",
                f"{java[0]}: {java[1]}" if java else "no bin/java in the image")
        shells = sorted(p for p in fs if p in SHELLS)
        if a.allow_shell:
            r.check(True, f"{plat}: shell allowed by --allow-shell", ", ".join(shells) or "none")
        else:
            r.check(not shells, f"{plat}: no shell in the file system",
                    ", ".join(shells) if shells else f"{len(fs)} paths, none of {len(SHELLS)} shell paths")
    print(f"{r.passed} passed, {r.failed} failed")
    sys.exit(1 if r.failed else 0)


if __name__ == "__main__":
    main()
