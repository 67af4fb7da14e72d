"""``zhifa ledger export``: a subject's record as a BagIt bag (RFC 8493) in a zip file.

The bag holds the subject's events (their exact canonical bytes), the evidence files they
recorded (under their original names), inclusion proofs of every event against a signed
checkpoint, the checkpoint and public key, and ``verify.py``, which checks it all offline.
The manifests only say what the files were when bagged; the signature over the checkpoint,
reached through the proofs, is what makes a change detectable.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from zhifa.ledger import blobs, selectors, signing
from zhifa.ledger.models import Event
from zhifa.ledger.services import LedgerError, checkpoint_sign

VERIFIER = Path(__file__).with_name("bag_verify.py")


@dataclass
class ExportResult:
    path: Path
    events: int
    files: int
    tree_size: int


def _safe_name(name: str) -> str:
    # Keep Chinese and other characters; drop what breaks paths or manifest lines.
    cleaned = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]', "_", name).strip(" .")
    return cleaned or "file"


class _BagWriter:
    def __init__(self, zf: zipfile.ZipFile, root: str) -> None:
        self.zf, self.root = zf, root
        self.payload: list[tuple[str, str, int]] = []
        self.tags: list[tuple[str, str]] = []

    def _write(self, rel: str, data: bytes) -> str:
        self.zf.writestr(f"{self.root}/{rel}", data)
        return hashlib.sha256(data).hexdigest()

    def payload_bytes(self, rel: str, data: bytes) -> None:
        self.payload.append((rel, self._write(rel, data), len(data)))

    def payload_stream(self, rel: str, stream, expected: str) -> None:
        digest, size = hashlib.sha256(), 0
        with self.zf.open(f"{self.root}/{rel}", "w", force_zip64=True) as out:
            while chunk := stream.read(blobs.CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected:
            raise LedgerError(
                f"证据文件 {expected} 已损坏（内容与哈希不符），请先运行 fixity 检查。"
            )
        self.payload.append((rel, expected, size))

    def tag(self, rel: str, data: bytes) -> None:
        self.tags.append((rel, self._write(rel, data)))

    def finish(self, info: dict[str, str]) -> None:
        self.tag("bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        octets = sum(size for _, _, size in self.payload)
        info = {**info, "Payload-Oxum": f"{octets}.{len(self.payload)}"}
        self.tag("bag-info.txt", "".join(f"{k}: {v}\n" for k, v in info.items()).encode())
        manifest = "".join(f"{digest}  {rel}\n" for rel, digest, _ in self.payload)
        self.tag("manifest-sha256.txt", manifest.encode())
        self.tag("verify.py", VERIFIER.read_bytes())
        tagmanifest = "".join(f"{digest}  {rel}\n" for rel, digest in self.tags)
        self._write("tagmanifest-sha256.txt", tagmanifest.encode())


def export_subject(subject: str, out: Path) -> ExportResult:
    events = list(Event.objects.filter(subject=subject).order_by("seq"))
    if not events:
        raise LedgerError(
            f"没有找到对象“{subject}”的任何记录，请检查引用是否正确（例如 cases.case:12）。"
        )
    checkpoint = checkpoint_sign()
    size = checkpoint.tree_size
    try:
        key = signing.key_of(checkpoint)
    except signing.NoteError as exc:
        raise LedgerError(str(exc)) from exc
    root = f"zhifa-{_safe_name(subject.replace(':', '-'))}"
    proofs: dict = {
        "origin": checkpoint.origin,
        "tree_size": size,
        "root_hash": bytes(checkpoint.root_hash).hex(),
        "events": [],
        "files": [],
    }
    out = Path(out)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        bag = _BagWriter(zf, root)
        for event in events:
            rel = f"data/events/{event.seq:012d}.json"
            bag.payload_bytes(rel, bytes(event.canonical))
            proofs["events"].append(
                {
                    "file": rel,
                    "leaf_index": event.seq,
                    "leaf_hash": bytes(event.leaf_hash).hex(),
                    "audit_path": [h.hex() for h in selectors.inclusion_proof(event.seq, size)],
                }
            )
        seen = set()
        for event in events:
            sha = event.payload.get("sha256") if event.kind == "evidence.added" else None
            if not sha or sha in seen:
                continue
            seen.add(sha)
            rel = f"data/files/{sha}/{_safe_name(event.payload.get('filename', sha))}"
            with blobs.open_blob(sha) as fh:
                bag.payload_stream(rel, fh, sha)
            proofs["files"].append({"file": rel, "sha256": sha, "seq": event.seq})
        bag.payload_bytes("data/checkpoint.txt", checkpoint.note.encode())
        bag.payload_bytes("data/public-key.txt", (key.verifier_key + "\n").encode())
        bag.payload_bytes(
            "data/proofs.json", json.dumps(proofs, ensure_ascii=False, indent=1).encode()
        )
        bag.finish(
            {
                "Source-Organization": "zhifa",
                "External-Identifier": subject,
                "External-Description": "电子案卷：事件、证据文件及其对签名检查点的包含证明；"
                "运行 python3 verify.py 离线校验。",
                "Bagging-Date": timezone.localdate().isoformat(),
                "Bag-Software-Agent": "zhifa ledger export",
            }
        )
    return ExportResult(out, len(events), len(seen), size)


__all__ = ["export_subject"]
