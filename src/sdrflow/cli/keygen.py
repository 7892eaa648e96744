"""``sdrflow keygen NAME [--dir D]``: a CURVE key pair for ZeroMQ links that leave the host.

Writes ``D/NAME.key`` (public: give it to the other side) and ``D/NAME.key_secret`` (keep it).
A server accepts the clients whose ``.key`` files it is given; a client needs the server's
``.key``:

    sdrflow keygen server && sdrflow keygen laptop
    ZMQPushSink("tcp://0.0.0.0:5555").secure("server.key_secret", clients=["laptop.key"])
    ZMQPullSource("tcp://dongle-host:5555", rate=2.4e6).secure("laptop.key_secret", server_key="server.key")
"""
from __future__ import annotations

import argparse
import os
import sys

from .core import FAILED, OK, USAGE


def main_keygen(argv) -> int:
    import zmq.auth

    ap = argparse.ArgumentParser(prog="sdrflow keygen", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("name")
    ap.add_argument("--dir", default=".", help="where to write the two files (.)")
    args = ap.parse_args(argv)
    if not args.name.strip() or os.path.basename(args.name) != args.name or args.name in ".." \
            or args.name.startswith("."):
        sys.stderr.write(f"error: NAME is the key's plain name (a host or part: dongle, laptop), "
                         f"got {args.name!r}; --dir says where the files go\n")
        return USAGE
    secret = os.path.join(args.dir, f"{args.name}.key_secret")
    if os.path.exists(secret):
        sys.stderr.write(f"error: {secret} exists; keys are not overwritten\n")
        return FAILED
    os.makedirs(args.dir, exist_ok=True)
    public, secret = zmq.auth.create_certificates(args.dir, args.name)
    os.chmod(secret, 0o600)
    print(f"public key {public} (give it to the other side), secret key {secret} (keep it)")
    return OK
