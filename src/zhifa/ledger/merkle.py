"""Merkle tree hashing and proofs of RFC 9162 (Certificate Transparency 2.0), section 2.1.

Pure functions, no database. Proof generation takes a callable ``subtree(a, b)`` that returns
the Merkle Tree Hash (MTH) of the leaves ``[a, b)``, so a caller backed by stored subtree
hashes answers in O(log n) reads, and tests can hand in a naive recomputation.

Leaf indexes and tree sizes are 0-based the way RFC 9162 counts them: leaf ``i`` is the
``i``-th leaf appended, starting at 0.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
SubtreeHash = Callable[[int, int], bytes]

# RFC 9162 §2.1.1: the hash of an empty list is the hash of an empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0))."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: an interior node is SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two k with k < n <= 2k (RFC 9162 §2.1.1); n must be > 1."""
    if n < 2:
        raise ValueError("split_point needs n > 1")
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of a list of leaf hashes, in O(n) without recursion.

    Pairing level by level and carrying a lone last node up unchanged gives exactly the
    RFC's recursive definition (the left subtree is always the largest power of two).
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def naive_subtree(leaf_hashes: Sequence[bytes]) -> SubtreeHash:
    """A ``subtree(a, b)`` callable over an in-memory list (for tests and small trees)."""

    def subtree(a: int, b: int) -> bytes:
        return root(leaf_hashes[a:b])

    return subtree


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """The audit path PATH(m, D[n]) of RFC 9162 §2.1.3.1, leaf-side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    lo, hi = 0, size
    # Walk from the root down; the recursive definition appends the sibling *after* the
    # deeper part of the path, so the collected siblings are reversed at the end.
    while hi - lo > 1:
        mid = lo + split_point(hi - lo)
        if index < mid:
            path.append(subtree(mid, hi))
            hi = mid
        else:
            path.append(subtree(lo, mid))
            lo = mid
    path.reverse()
    return path


def consistency_proof(first: int, second: int, subtree: SubtreeHash) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1.

    A proof from the empty tree is refused: every tree is trivially consistent with it, so
    such a "proof" would assert nothing.
    """
    if first <= 0:
        raise ValueError("a consistency proof from tree size 0 is refused")
    if first > second:
        raise ValueError(f"first size {first} is larger than second size {second}")
    if first == second:
        return []
    proof: list[bytes] = []
    lo, hi, m, whole = 0, second, first, True
    while True:
        n = hi - lo
        if m == n:
            # SUBPROOF(m, D[m], b): nothing when D[0:m] is the old tree itself (b true),
            # else the hash of this subtree.
            if not whole:
                proof.append(subtree(lo, hi))
            break
        k = split_point(n)
        if m <= k:
            proof.append(subtree(lo + k, hi))
            hi = lo + k
        else:
            proof.append(subtree(lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    proof.reverse()
    return proof


def _well_formed(hashes: Iterable[bytes]) -> bool:
    return all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` put leaf hash ``leaf`` at ``index`` under ``root_hash``?"""
    if not 0 <= index < size or not _well_formed([leaf, root_hash, *proof]):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, root_hash)


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree ``second_root`` (size ``second``) an append-only
    extension of ``first_root`` (size ``first``)? A first size of 0 is refused (False)."""
    if first <= 0 or first > second or not _well_formed([first_root, second_root, *proof]):
        return False
    if first == second:
        return not proof and hmac.compare_digest(first_root, second_root)
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # first is an exact power of two
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(fr, first_root) and hmac.compare_digest(sr, second_root)


# --- stored subtrees --------------------------------------------------------------------
# A complete subtree is addressed as (level, index): it covers leaves
# [index * 2**level, (index + 1) * 2**level). The store keeps every complete subtree, so any
# range that proofs ask for is a right fold of at most log2(n) stored nodes.


def perfect_subtrees(a: int, b: int) -> list[tuple[int, int]]:
    """The complete subtrees covering ``[a, b)``, largest first.

    Only ranges that RFC 9162 proofs and roots ask for are accepted: ``a`` must be a
    multiple of the smallest power of two >= ``b - a`` (then the MTH of the range is the
    right fold of these nodes).
    """
    n = b - a
    if n <= 0 or a < 0:
        raise ValueError(f"empty or negative range [{a}, {b})")
    if a % (1 << (n - 1).bit_length()):
        raise ValueError(f"range [{a}, {b}) is not aligned to a subtree boundary")
    nodes: list[tuple[int, int]] = []
    while a < b:
        level = (b - a).bit_length() - 1
        nodes.append((level, a >> level))
        a += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Combine complete subtrees (largest first) into the MTH of the range they cover."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def new_nodes(index: int) -> list[tuple[int, int]]:
    """The complete subtrees that appending leaf ``index`` completes, bottom-up, starting with
    the leaf itself at level 0: one more per trailing 1-bit of ``index``."""
    nodes = [(0, index)]
    level, i = 0, index
    while i & 1:
        level, i = level + 1, i >> 1
        nodes.append((level, i))
    return nodes
