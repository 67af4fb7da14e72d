"""RFC 9162 Merkle hashing and proofs: published vectors and properties against a naive
recomputation straight from the RFC's recursive definitions."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.ledger import merkle

# --- published test vectors ---------------------------------------------------------------
# Source: transparency-dev/merkle, proof/verify_test.go and rfc6962/rfc6962_test.go (the same
# tree appears in google/certificate-transparency cpp/merkletree/merkle_tree_test.cc). Their
# `inclusionProofs` table counts leaves from 1; below the index is converted to RFC 9162's
# 0-based leaf index (their leaf 1 is our index 0). ROOTS[i] is the root of the first i + 1
# leaves of LEAVES.
LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
# (1-based leaf as published, tree size, audit path)
INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (first size, second size, consistency path); sizes are counts, not indexes.
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
LEAF_HASHES = [merkle.leaf_hash(d) for d in LEAVES]
SUBTREE = merkle.naive_subtree(LEAF_HASHES)


def test_hasher_vectors():
    # rfc6962_test.go: empty tree, empty leaf, a leaf and a node.
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert merkle.leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert merkle.node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_published(size):
    assert merkle.root(LEAF_HASHES[:size]) == ROOTS[size - 1]


@pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION)
def test_inclusion_vectors(leaf, size, path):
    index = leaf - 1  # published 1-based, RFC 9162 0-based
    expected = [bytes.fromhex(h) for h in path]
    assert merkle.inclusion_proof(index, size, SUBTREE) == expected
    assert merkle.verify_inclusion(index, size, LEAF_HASHES[index], expected, ROOTS[size - 1])


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_vectors(first, second, path):
    expected = [bytes.fromhex(h) for h in path]
    assert merkle.consistency_proof(first, second, SUBTREE) == expected
    assert merkle.verify_consistency(first, second, ROOTS[first - 1], ROOTS[second - 1], expected)


@pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION[1:])
def test_corrupted_inclusion_proofs_fail(leaf, size, path):
    index, proof, root = leaf - 1, [bytes.fromhex(h) for h in path], ROOTS[size - 1]
    lh = LEAF_HASHES[index]
    some = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
    bad = [
        (index + 1, size, lh, proof, root),
        (index ^ 2, size, lh, proof, root),
        (index, size * 2, lh, proof, root),
        (index, size // 2, lh, proof, root),
        (index, size, merkle.leaf_hash(b"WrongLeaf"), proof, root),
        (index, size, lh, proof, merkle.EMPTY_ROOT),
        (index, size, lh, proof, some),
        (index, size, lh, [*proof, root], root),
        (index, size, lh, [root, *proof], root),
        (index, size, lh, proof[:-1], root),
        (index, size, lh, [proof[0], some, *proof[1:]], root),
    ]
    if index > 0:
        bad.append((index - 1, size, lh, proof, root))
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        bad.append((index, size, lh, flipped, root))
    for args in bad:
        assert not merkle.verify_inclusion(*args), args


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY[1:])
def test_corrupted_consistency_proofs_fail(first, second, path):
    proof = [bytes.fromhex(h) for h in path]
    r1, r2 = ROOTS[first - 1], ROOTS[second - 1]
    bad = [
        (first - 1, second, r1, r2, proof),
        (first + 1, second, r1, r2, proof),
        (first ^ 2, second, r1, r2, proof),
        (first, second * 2, r1, r2, proof),
        (first, second // 2, r1, r2, proof),
        (first, second, r2, r1, proof),
        (first, second, r1, r2, []),
        (first, second, r1, r2, [*proof, r1]),
        (first, second, r1, r2, [r2, *proof]),
        (first, second, r1, r2, [proof[0], *proof]),
        (first, second, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        bad.append((first, second, r1, r2, flipped))
    for args in bad:
        assert not merkle.verify_consistency(*args), args


def test_consistency_from_empty_tree_is_refused():
    with pytest.raises(ValueError, match="size 0"):
        merkle.consistency_proof(0, 5, SUBTREE)
    assert not merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, ROOTS[4], [])
    assert not merkle.verify_consistency(0, 0, merkle.EMPTY_ROOT, merkle.EMPTY_ROOT, [])


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_proof(3, 3, SUBTREE)
    with pytest.raises(ValueError):
        merkle.consistency_proof(5, 4, SUBTREE)
    assert not merkle.verify_inclusion(0, 0, LEAF_HASHES[0], [], ROOTS[0])
    assert not merkle.verify_inclusion(0, 1, b"short", [], ROOTS[0])


# --- properties against the RFC's recursive definitions -----------------------------------


def rfc_mth(leaves: list[bytes]) -> bytes:
    """MTH exactly as RFC 9162 §2.1.1 writes it, recursively (over leaf hashes)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = merkle.split_point(n)
    return merkle.node_hash(rfc_mth(leaves[:k]), rfc_mth(leaves[k:]))


def rfc_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = merkle.split_point(n)
    if m < k:
        return [*rfc_path(m, leaves[:k]), rfc_mth(leaves[k:])]
    return [*rfc_path(m - k, leaves[k:]), rfc_mth(leaves[:k])]


def rfc_subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [rfc_mth(leaves)]
    k = merkle.split_point(n)
    if m <= k:
        return [*rfc_subproof(m, leaves[:k], b), rfc_mth(leaves[k:])]
    return [*rfc_subproof(m - k, leaves[k:], False), rfc_mth(leaves[:k])]


def leaves_of(n: int) -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=300))
def test_root_matches_recursive_definition(n):
    leaves = leaves_of(n)
    assert merkle.root(leaves) == rfc_mth(leaves)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=300).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n - 1))
    )
)
def test_inclusion_matches_recursive_definition(case):
    n, m = case
    leaves = leaves_of(n)
    proof = merkle.inclusion_proof(m, n, merkle.naive_subtree(leaves))
    assert proof == rfc_path(m, leaves)
    assert merkle.verify_inclusion(m, n, leaves[m], proof, merkle.root(leaves))
    if n > 1:
        assert not merkle.verify_inclusion((m + 1) % n, n, leaves[m], proof, merkle.root(leaves))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=300).flatmap(
        lambda n: st.tuples(st.integers(min_value=1, max_value=n), st.just(n))
    )
)
def test_consistency_matches_recursive_definition(case):
    m, n = case
    leaves = leaves_of(n)
    proof = merkle.consistency_proof(m, n, merkle.naive_subtree(leaves))
    assert proof == rfc_subproof(m, leaves, True)
    old, new = merkle.root(leaves[:m]), merkle.root(leaves)
    assert merkle.verify_consistency(m, n, old, new, proof)
    if m < n:
        # A different history of the same size must not verify.
        forged = merkle.root([merkle.leaf_hash(b"x"), *leaves[1:m]])
        assert not merkle.verify_consistency(m, n, forged, new, proof)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=1, max_value=200).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n - 1), st.just(n))
    )
)
def test_stored_subtrees_answer_every_proof_range(case):
    """Every range a proof asks for is a fold of stored complete subtrees."""
    m, n = case
    leaves = leaves_of(n)
    stored = {}
    for i, h in enumerate(leaves):  # what the store writes as leaves arrive
        for level, index in merkle.new_nodes(i):
            lo = index << level
            stored[level, index] = rfc_mth(leaves[lo : lo + (1 << level)])
            assert level == 0 or stored[level, index] == merkle.node_hash(
                stored[level - 1, 2 * index], stored[level - 1, 2 * index + 1]
            )
        assert h == stored[0, i]

    def from_store(a, b):
        return merkle.fold([stored[node] for node in merkle.perfect_subtrees(a, b)])

    assert merkle.inclusion_proof(m, n, from_store) == rfc_path(m, leaves)
    if m > 0:
        assert merkle.consistency_proof(m, n, from_store) == rfc_subproof(m, leaves, True)
    assert from_store(0, n) == rfc_mth(leaves)


def test_unaligned_range_is_refused():
    with pytest.raises(ValueError):
        merkle.perfect_subtrees(1, 3)
