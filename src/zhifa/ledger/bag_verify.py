#!/usr/bin/env python3
"""Offline verifier for a zhifa case-file bag (BagIt, RFC 8493). Shipped as verify.py.

Needs only the Python standard library, plus the `cryptography` package for the Ed25519
signature check (pip install cryptography). Run from anywhere:

    python3 verify.py [BAG_DIR] [--key VERIFIER_KEY]

It re-hashes every file; checks each event's bytes against its Merkle inclusion proof
(RFC 9162) up to the root in the signed checkpoint (C2SP signed note, Ed25519); checks each
evidence file's SHA-256 against the proven event that recorded it; and checks the bag's
manifests. Pass --key with the public key the agency publishes (GET
/api/v1/ledger/public-key, "verifier_key") to not rely on the copy inside the bag.
Exit status 0 means everything matched; anything else names what did not.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

DASH = "\u2014"


class Failed(Exception):
    pass


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """RFC 9162 section 2.1.3.2; None when the path cannot be valid for index and size."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def parse_verifier_key(vkey: str) -> tuple[str, bytes, bytes]:
    name, key_id, b64 = vkey.strip().split("+", 2)
    blob = base64.b64decode(b64)
    if len(blob) != 33 or blob[0] != 1:
        raise Failed("public key is not an Ed25519 signed-note key")
    raw = blob[1:]
    computed = hashlib.sha256(name.encode() + b"\n\x01" + raw).digest()[:4]
    if computed.hex() != key_id:
        raise Failed("public key id does not match the key")
    return name, computed, raw


def open_note(note: str, vkey: str) -> str:
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        print(
            "The Ed25519 check needs the 'cryptography' package: pip install cryptography",
            file=sys.stderr,
        )
        sys.exit(3)
    name, key_id, raw = parse_verifier_key(vkey)
    text, sep, sigs = note.rpartition("\n\n")
    if not sep:
        raise Failed("checkpoint is not a signed note")
    text += "\n"
    for line in sigs.splitlines():
        if not line.startswith(f"{DASH} {name} "):
            continue
        blob = base64.b64decode(line.split(" ")[-1])
        if blob[:4] != key_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(raw).verify(blob[4:], text.encode())
        except InvalidSignature:
            raise Failed("checkpoint signature is INVALID") from None
        return text
    raise Failed("checkpoint carries no signature by this key")


def check_manifest(bag: Path, manifest: str, base_filter) -> set[str]:
    listed = set()
    for line in (bag / manifest).read_text(encoding="utf-8").splitlines():
        digest, _, rel = line.partition("  ")
        rel = rel.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
        listed.add(rel)
        path = bag / rel
        if not path.is_file():
            raise Failed(f"{manifest}: {rel} is missing")
        if sha256_file(path) != digest:
            raise Failed(f"{manifest}: {rel} has CHANGED")
    present = {p.relative_to(bag).as_posix() for p in bag.rglob("*") if p.is_file()}
    extra = {p for p in present if base_filter(p)} - listed
    if extra:
        raise Failed(f"{manifest}: files not in the manifest: {sorted(extra)[:5]}")
    return listed


def verify(bag: Path, pinned_key: str | None) -> list[str]:
    notes = []
    if not (bag / "bagit.txt").is_file():
        raise Failed("not a bag: bagit.txt missing")
    check_manifest(
        bag,
        "tagmanifest-sha256.txt",
        lambda p: not p.startswith("data/") and p != "tagmanifest-sha256.txt",
    )
    check_manifest(bag, "manifest-sha256.txt", lambda p: p.startswith("data/"))

    vkey = pinned_key or (bag / "data/public-key.txt").read_text(encoding="utf-8").strip()
    if not pinned_key:
        notes.append(
            f"public key taken from the bag: {vkey} -- compare it with the "
            "agency's published key, or pass --key"
        )
    proofs = json.loads((bag / "data/proofs.json").read_text(encoding="utf-8"))
    text = open_note((bag / "data/checkpoint.txt").read_text(encoding="utf-8"), vkey)
    origin, size, root_b64 = text.split("\n")[:3]
    root = base64.b64decode(root_b64)
    if int(size) != proofs["tree_size"]:
        raise Failed("proofs.json is for another tree size than the checkpoint")
    notes.append(f"checkpoint: log {origin}, size {size}, root {root.hex()}")

    recorded = set()
    for entry in proofs["events"]:
        seq = entry["leaf_index"]
        data = (bag / entry["file"]).read_bytes()
        leaf = hashlib.sha256(b"\x00" + data).digest()
        path = [bytes.fromhex(h) for h in entry["audit_path"]]
        if root_from_inclusion(seq, int(size), leaf, path) != root:
            raise Failed(f"event {seq}: NOT included in the signed checkpoint (altered?)")
        event = json.loads(data)
        canonical = json.dumps(
            event, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
        if event.get("seq") != seq or canonical != data:
            raise Failed(f"event {seq}: bytes are not the canonical form of event {seq}")
        if event.get("kind") == "evidence.added":
            recorded.add(event["payload"]["sha256"])

    for entry in proofs["files"]:
        if entry["sha256"] not in recorded:
            raise Failed(f"{entry['file']}: no proven event records this file")
        if sha256_file(bag / entry["file"]) != entry["sha256"]:
            raise Failed(f"{entry['file']}: content does not match its recorded SHA-256")
    files_on_disk = (
        {p.relative_to(bag).as_posix() for p in (bag / "data/files").rglob("*") if p.is_file()}
        if (bag / "data/files").exists()
        else set()
    )
    if files_on_disk != {e["file"] for e in proofs["files"]}:
        raise Failed("data/files holds files that proofs.json does not account for")
    notes.append(f"{len(proofs['events'])} events and {len(proofs['files'])} files verified")
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a zhifa case-file bag offline.")
    parser.add_argument("bag", nargs="?", default=str(Path(__file__).resolve().parent))
    parser.add_argument("--key", help="the agency's published verifier key")
    args = parser.parse_args(argv)
    try:
        for line in verify(Path(args.bag), args.key):
            print(line)
    except Failed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError) as exc:
        print(f"FAILED: bag is damaged or incomplete: {exc}", file=sys.stderr)
        return 1
    print("OK: every file matches the signed ledger")
    return 0


if __name__ == "__main__":
    sys.exit(main())
