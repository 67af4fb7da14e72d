"""Ed25519 keys and C2SP signed notes (https://c2sp.org/signed-note), and the checkpoint
body of https://c2sp.org/tlog-checkpoint: origin line, tree size, base64 root hash.

Key strings follow golang.org/x/mod/sumdb/note so standard tools can read them:
  verifier key  ``<name>+<keyid hex>+<base64(0x01 || 32-byte public key)>``
  signer key    ``PRIVATE+KEY+<name>+<keyid hex>+<base64(0x01 || 32-byte seed)>``
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALG_ED25519 = b"\x01"  # signed-note signature type for Ed25519
DASH = "\u2014"  # em dash that starts a signature line


class NoteError(ValueError):
    """A note that is malformed or whose signature does not verify."""


def key_id(name: str, public: bytes) -> bytes:
    """key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4] (signed-note §Signatures)."""
    return hashlib.sha256(name.encode() + b"\n" + ALG_ED25519 + public).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(ch.isspace() or ch == "+" for ch in name):
        raise ImproperlyConfigured(f"签名密钥名称“{name}”不能为空，且不能包含空格或“+”。")


@dataclass(frozen=True)
class PublicKey:
    name: str
    raw: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.raw)

    @property
    def verifier_key(self) -> str:
        b64 = base64.b64encode(ALG_ED25519 + self.raw).decode()
        return f"{self.name}+{self.key_id.hex()}+{b64}"

    @classmethod
    def from_verifier_key(cls, vkey: str) -> PublicKey:
        name, _, rest = vkey.partition("+")
        id_hex, _, b64 = rest.partition("+")  # base64 may itself contain '+'
        try:
            blob = base64.b64decode(b64, validate=True)
        except ValueError as exc:
            raise NoteError("公钥格式不正确。") from exc
        if len(blob) != 33 or blob[:1] != ALG_ED25519:
            raise NoteError("公钥不是 Ed25519 签名笔记公钥。")
        key = cls(name, blob[1:])
        if key.key_id.hex() != id_hex:
            raise NoteError("公钥标识与公钥内容不符。")
        return key

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    name: str
    seed: bytes

    @property
    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public(self) -> PublicKey:
        raw = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return PublicKey(self.name, raw)

    @property
    def signer_key(self) -> str:
        b64 = base64.b64encode(ALG_ED25519 + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.public.key_id.hex()}+{b64}"

    @classmethod
    def parse(cls, text: str, default_name: str) -> SigningKey:
        """Read a ``PRIVATE+KEY+…`` string, or a bare base64 32-byte seed named ``default_name``."""
        text = text.strip()
        if text.startswith("PRIVATE+KEY+"):
            name, id_hex, b64 = text.removeprefix("PRIVATE+KEY+").split("+", 2)
            blob = base64.b64decode(b64)
            if len(blob) != 33 or blob[:1] != ALG_ED25519:
                raise ImproperlyConfigured("账本签名密钥不是 Ed25519 密钥。")
            key = cls(name, blob[1:])
            if key.public.key_id.hex() != id_hex:
                raise ImproperlyConfigured("账本签名密钥的标识与密钥内容不符，密钥可能已损坏。")
            return key
        seed = base64.b64decode(text)
        if len(seed) != 32:
            raise ImproperlyConfigured("账本签名密钥应为 32 字节种子的 base64 编码。")
        return cls(default_name, seed)

    def sign_note(self, text: str) -> str:
        """The signed note: text, a blank line, and one signature line."""
        if not text.endswith("\n"):
            raise NoteError("note text must end with a newline")
        signature = self._private.sign(text.encode())
        blob = base64.b64encode(self.public.key_id + signature).decode()
        return f"{text}\n{DASH} {self.name} {blob}\n"


def open_note(note: str, key: PublicKey) -> str:
    """The text of ``note`` if ``key`` signed it; else NoteError. Other signatures are ignored."""
    text, sep, sigs = note.rpartition("\n\n")
    if not sep or not sigs.endswith("\n"):
        raise NoteError("签名笔记格式不正确：缺少空行或签名行。")
    text += "\n"
    for line in sigs.splitlines():
        prefix = f"{DASH} {key.name} "
        if not line.startswith(prefix):
            continue
        try:
            blob = base64.b64decode(line[len(prefix) :], validate=True)
        except ValueError as exc:
            raise NoteError("签名不是合法的 base64。") from exc
        if blob[:4] != key.key_id:
            continue
        if key.verify(blob[4:], text.encode()):
            return text
        raise NoteError("签名验证失败：内容已被改动或签名无效。")
    raise NoteError("没有找到该公钥的签名。")


# --- checkpoints (c2sp.org/tlog-checkpoint) ----------------------------------------------


def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def parse_checkpoint(text: str) -> tuple[str, int, bytes]:
    lines = text.split("\n")
    if len(lines) < 4 or not lines[1].isdigit():
        raise NoteError("检查点格式不正确。")
    root = base64.b64decode(lines[2], validate=True)
    if len(root) != 32:
        raise NoteError("检查点中的根哈希长度不正确。")
    return lines[0], int(lines[1]), root


# --- the server's key --------------------------------------------------------------------


def _key_file() -> Path:
    return Path(settings.LEDGER_KEY_DIR) / "signing.key"


def _generate(path: Path, name: str) -> None:
    """Write a new key without ever replacing an existing one: write a temp file (0600,
    fsynced), then hard-link it into place, which fails if another process got there first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = SigningKey(name, os.urandom(32))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, (key.signer_key + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


@lru_cache(maxsize=4)
def _load(origin: str, configured: str, path: str) -> SigningKey:
    _check_name(origin)
    if configured:
        key = SigningKey.parse(configured, origin)
    else:
        file = Path(path)
        if not file.exists():
            _generate(file, origin)
        key = SigningKey.parse(file.read_text(), origin)
    if key.name != origin:
        raise ImproperlyConfigured(
            f"账本签名密钥名称“{key.name}”与 ZHIFA_LEDGER_ORIGIN“{origin}”不一致，"
            "请使用与日志标识相同名称的密钥。"
        )
    return key


def server_key() -> SigningKey:
    """The log's signing key: from ZHIFA_LEDGER_SIGNING_KEY, else the data dir (made once)."""
    key = _load(settings.LEDGER_ORIGIN, settings.LEDGER_SIGNING_KEY, str(_key_file()))
    _remember(key.public, str(_public_keys_file()))
    return key


# --- keys that signed earlier checkpoints (key rotation) ----------------------------------


def _public_keys_file() -> Path:
    return Path(settings.LEDGER_KEY_DIR) / "public-keys.txt"


@lru_cache(maxsize=8)
def _remember(key: PublicKey, path: str) -> None:
    """Keep the verifier key of every key this data dir has used (once per process), so a
    checkpoint signed before a key rotation can still be checked."""
    file = Path(path)
    line = key.verifier_key
    # Best effort (a read-only data dir, say): ZHIFA_LEDGER_PUBLIC_KEYS can name keys too.
    with contextlib.suppress(OSError):
        if file.exists() and line in file.read_text().split():
            return
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(file, "a", encoding="ascii") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())


def known_keys() -> dict[str, PublicKey]:
    """Public keys by key ID (hex): the current key, those the data dir has used and those
    configured in ZHIFA_LEDGER_PUBLIC_KEYS. A malformed configured key is an error."""
    current = server_key().public
    keys = {}
    file = _public_keys_file()
    kept = file.read_text().split() if file.exists() else []
    for text in [*kept, *settings.LEDGER_PUBLIC_KEYS.split()]:
        try:
            key = PublicKey.from_verifier_key(text)
        except NoteError as exc:
            raise ImproperlyConfigured(f"公钥“{text[:40]}”格式不正确：{exc}") from exc
        keys[key.key_id.hex()] = key
    keys[current.key_id.hex()] = current
    return keys


def key_of(checkpoint) -> PublicKey:
    """The public key that signed ``checkpoint``: after a key rotation, the latest checkpoint
    may still be one signed by the previous key (until the log grows)."""
    key = known_keys().get(checkpoint.key_id)
    if key is None:
        raise NoteError(
            f"检查点由未知密钥 {checkpoint.key_id} 签名：请把该密钥的公钥加入 "
            "ZHIFA_LEDGER_PUBLIC_KEYS。"
        )
    return key
