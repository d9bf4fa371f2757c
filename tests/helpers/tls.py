"""Certificates of the tests' own, made with the `openssl` command: a CA, and a server's key and
certificate signed by it (for a private server, or a CA a server's certificate is not from).

Without `openssl` a test that needs one fails under CI (CI=true) and is skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

# What a test server's certificate names: the names and addresses a workstation may dial.
LOCALHOST = ("DNS:localhost", "IP:127.0.0.1", "IP:::1")


@dataclass(frozen=True)
class Ca:
    certificate: Path
    key: Path


@dataclass(frozen=True)
class ServerCertificate:
    certificate: Path
    key: Path


def _openssl(*args: str) -> None:
    program = shutil.which("openssl")
    if program is None:
        why = "no openssl command to make test certificates with (Debian package openssl)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    done = subprocess.run([program, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {done.stderr}")


def make_ca(folder: Path, name: str = "Collector Workstation test CA") -> Ca:
    """A new self-signed CA in `folder` (ca.crt, ca.key)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = Ca(folder / "ca.crt", folder / "ca.key")
    _openssl(
        "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", str(ca.key), "-out", str(ca.certificate), "-days", "2",
        "-subj", f"/CN={name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    return ca


def make_server_certificate(
    folder: Path, ca: Ca, names: tuple[str, ...] = LOCALHOST
) -> ServerCertificate:
    """A server's key and certificate in `folder` (server.key, server.crt), signed by `ca`,
    for the subject alternative names `names` ("DNS:…", "IP:…")."""
    folder.mkdir(parents=True, exist_ok=True)
    made = ServerCertificate(folder / "server.crt", folder / "server.key")
    request = folder / "server.csr"
    extensions = folder / "server.ext"
    _openssl(
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", str(made.key), "-out", str(request), "-subj", "/CN=localhost",
    )  # fmt: skip
    extensions.write_text(
        f"subjectAltName={','.join(names)}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
    )
    _openssl(
        "x509", "-req", "-in", str(request), "-CA", str(ca.certificate), "-CAkey", str(ca.key),
        "-set_serial", f"0x{os.urandom(16).hex()}", "-days", "2",
        "-extfile", str(extensions), "-out", str(made.certificate),
    )  # fmt: skip
    request.unlink()
    extensions.unlink()
    made.key.chmod(0o600)
    return made
