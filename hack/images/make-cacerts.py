#!/usr/bin/env python3
"""Writes a Java trust store (JKS, password "changeit") from a directory of PEM certificates.

keytool stamps each entry with the current time, so its output differs from run to run; this writes the same
bytes for the same certificates and date. Usage: make-cacerts.py CERT_DIR EPOCH_SECONDS OUT_FILE
"""
import base64
import hashlib
import os
import re
import struct
import sys

PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


def utf(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack(">H", len(b)) + b


def main() -> None:
    cert_dir, epoch, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    entries = []
    for name in sorted(os.listdir(cert_dir)):
        if not name.endswith(".crt"):
            continue
        with open(os.path.join(cert_dir, name), "rb") as f:
            blocks = PEM.findall(f.read())
        for i, block in enumerate(blocks):
            alias = "debian:" + name[: -len(".crt")].lower() + ".pem" + (f"-{i}" if i else "")
            entries.append((alias, base64.b64decode(b"".join(block.split()))))
    if not entries:
        sys.exit(f"no certificates in {cert_dir}")
    body = struct.pack(">III", 0xFEEDFEED, 2, len(entries))
    for alias, der in entries:
        body += struct.pack(">I", 2) + utf(alias) + struct.pack(">q", epoch * 1000)
        body += utf("X.509") + struct.pack(">I", len(der)) + der
    digest = hashlib.sha1("changeit".encode("utf-16-be") + b"Mighty Aphrodite" + body).digest()
    with open(out, "wb") as f:
        f.write(body + digest)
    print(f"{out}: {len(entries)} certificates", file=sys.stderr)


if __name__ == "__main__":
    main()
