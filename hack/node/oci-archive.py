#!/usr/bin/env python3
"""Writes a one-layer OCI image archive (an OCI image layout in a tar) that `ctr images import` loads under the
name given, without a container engine: for static programs such as the node's pause program and the demo
upstream. The output depends only on the inputs (fixed timestamps and owners), so a rebuild gives the same digest.

  oci-archive.py --name docker.io/healthcheck-operator/pause:1 --file bin/pause:/pause --entrypoint /pause OUT.tar
"""
import argparse
import gzip
import hashlib
import io
import json
import platform
import tarfile

EPOCH = 0


def tar_info(name, size=0, mode=0o755, kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.type, info.mtime = size, mode, kind, EPOCH
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def layer(files):
    """A gzipped tar of (source, absolute destination) pairs, with their parent directories."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        directories = set()
        for _, dest in files:
            parts = dest.strip("/").split("/")[:-1]
            for i in range(1, len(parts) + 1):
                directories.add("/".join(parts[:i]))
        for directory in sorted(directories):
            tar.addfile(tar_info(directory, kind=tarfile.DIRTYPE))
        tar.addfile(tar_info("tmp", mode=0o1777, kind=tarfile.DIRTYPE))
        for source, dest in files:
            with open(source, "rb") as f:
                data = f.read()
            tar.addfile(tar_info(dest.strip("/"), size=len(data)), io.BytesIO(data))
    diff_id = hashlib.sha256(raw.getvalue()).hexdigest()
    zipped = io.BytesIO()
    with gzip.GzipFile(fileobj=zipped, mode="wb", mtime=EPOCH) as gz:
        gz.write(raw.getvalue())
    return zipped.getvalue(), diff_id


def blob(tar, data):
    digest = hashlib.sha256(data).hexdigest()
    tar.addfile(tar_info(f"blobs/sha256/{digest}", size=len(data), mode=0o644), io.BytesIO(data))
    return {"digest": f"sha256:{digest}", "size": len(data)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", required=True, help="full image name, e.g. docker.io/library/x:1")
    parser.add_argument("--file", action="append", required=True, help="SOURCE:/DESTINATION")
    parser.add_argument("--entrypoint", required=True, action="append")
    parser.add_argument("--arch", default={"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), "amd64"))
    parser.add_argument("--user", default="65532:65532")
    parser.add_argument("--port", action="append", default=[], help="exposed port, e.g. 8080/tcp")
    parser.add_argument("output")
    args = parser.parse_args()

    files = [tuple(spec.rsplit(":", 1)) for spec in args.file]
    layer_data, diff_id = layer(files)
    config = {
        "architecture": args.arch, "os": "linux", "created": "1970-01-01T00:00:00Z",
        "config": {"Entrypoint": args.entrypoint, "User": args.user, "WorkingDir": "/",
                   "ExposedPorts": {port: {} for port in args.port}},
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{diff_id}"]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "oci-archive.py"}],
    }
    with tarfile.open(args.output, mode="w", format=tarfile.PAX_FORMAT) as tar:
        layer_descriptor = blob(tar, layer_data)
        config_descriptor = blob(tar, json.dumps(config, sort_keys=True).encode())
        manifest = {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_descriptor},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **layer_descriptor}],
        }
        manifest_descriptor = blob(tar, json.dumps(manifest, sort_keys=True).encode())
        index = {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json", **manifest_descriptor,
                "platform": {"architecture": args.arch, "os": "linux"},
                "annotations": {"io.containerd.image.name": args.name,
                                "org.opencontainers.image.ref.name": args.name.rsplit(":", 1)[-1]},
            }],
        }
        for name, content in (("oci-layout", {"imageLayoutVersion": "1.0.0"}), ("index.json", index)):
            data = json.dumps(content, sort_keys=True).encode()
            tar.addfile(tar_info(name, size=len(data), mode=0o644), io.BytesIO(data))


if __name__ == "__main__":
    main()
