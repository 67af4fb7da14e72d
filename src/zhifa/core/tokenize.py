"""Chinese tokenisation for the portal search (jieba).

Three steps, shared by indexing and querying so both sides see the same words:

1. `normalise`: NFKC (full-width letters and digits become half-width), lower case, and every
   character that is not a letter or a digit becomes a space. So 宁发改罚〔2026〕12号 becomes
   ``宁发改罚 2026 12号``: its parts are separate "chunks".
2. `index_tokens`: jieba's search mode on every chunk — the words plus the dictionary words
   inside them (有限公司 → 有限, 公司, 有限公司), so a two-character word inside a longer one
   is found. A short chunk that jieba splits (宁发改罚 → 宁发, 改罚; 12号 → 12, 号) is also kept
   whole, so a decision number is found whole and by its parts.
3. `parse_query`: the user's text → a list of groups that must all match (AND). A group is
   one chunk of the query, matched either as that whole chunk or as all of jieba's words of it
   (``12号`` → ``"12号" OR ("12" AND "号")``). Every index token used as a query finds its text.

jieba is initialised lazily, once per process; its dictionary cache is written under
``DATA_DIR/jieba/`` (tests: the temporary data dir), never into the current directory or
``/tmp`` at random. Words can be added with the setting ``SEARCH_USER_DICT`` (a jieba user
dictionary file: ``word [freq [tag]]`` per line) on top of the built-in domain words below.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from pathlib import Path

MAX_TOKEN = 64  # longer runs (e.g. pasted hashes) are not indexed; PostgreSQL lexemes are bounded
WHOLE_CHUNK = 8  # chunks up to this length are also indexed whole
MAX_GROUPS = 16  # a query longer than this is cut: its first groups already narrow it down
MAX_QUERY = 200  # characters of the query that are read

# Words of the domain jieba's general dictionary lacks; agency short names in decision numbers.
DOMAIN_WORDS = [
    "发改",
    "市监",
    "综合执法",
    "行政执法",
    "决定书",
    "文书号",
    "统一社会信用代码",
    "双公示",
    "执法证",
    "随机抽查",
    "服务指南",
]

_NOT_WORD = re.compile(r"[\W_]+")
_PIECES = re.compile(r"[0-9a-z]+|[^0-9a-z]+")
_lock = threading.Lock()
_tokenizer = None


def _cache_dir() -> Path:
    from django.conf import settings

    path = Path(getattr(settings, "DATA_DIR", None) or Path.cwd() / "var") / "jieba"
    path.mkdir(parents=True, exist_ok=True)
    return path


def tokenizer():
    """The process's jieba tokenizer, initialised on first use (about a second)."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba
            from django.conf import settings

            jieba.setLogLevel(logging.WARNING)
            made = jieba.Tokenizer()
            made.tmp_dir = str(_cache_dir())
            made.cache_file = "zhifa-jieba.cache"
            made.initialize()
            for word in DOMAIN_WORDS:
                made.add_word(word)
            extra = getattr(settings, "SEARCH_USER_DICT", "")
            if extra:
                made.load_userdict(str(extra))
            _tokenizer = made
    return _tokenizer


def _char(ch: str) -> str:
    out = fold(ch)
    return "".join(c if unicodedata.category(c)[0] in "LN" else " " for c in out)


def fold(text: str) -> str:
    """Full-width → half-width and lower case (NFKC, lower, NFKC again), punctuation kept.
    A token (letters and digits only) occurs in `fold(text)` exactly where it occurs in
    `normalise(text)`, so substring tests can skip the punctuation step."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text or "").lower())


def normalise(text: str) -> str:
    """Full-width → half-width, lower case, punctuation and symbols → spaces (everything but
    letters and digits; the same result as `_char` per character, computed in C)."""
    return _NOT_WORD.sub(" ", fold(text))


class _CharTable(dict):
    """`_char` of each character met so far, by code point, for `str.translate`; the
    characters whose normal form is not one character are also kept in `wide`."""

    def __init__(self):
        super().__init__()
        self.wide: set[str] = set()

    def __missing__(self, code: int) -> str:
        if len(self) > 65_536:  # bodies hold a few thousand distinct characters at most
            self.clear()
        value = self[code] = _char(chr(code))
        if len(value) != 1:
            self.wide.add(chr(code))
        return value


_chars = _CharTable()


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """`normalise`, plus for each character of the result its index in `text` (highlighting)."""
    text = text or ""
    norm = text.translate(_chars)
    if not _chars.wide or _chars.wide.isdisjoint(text):
        # One character for each (nearly always): the map is the identity, built in C.
        return norm, list(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        piece = _chars[ord(ch)]
        out.append(piece)
        where.extend([i] * len(piece))
    return "".join(out), where


@functools.lru_cache(maxsize=300_000)
def _piece_tokens(piece: str) -> tuple[str, ...]:
    return tuple(w for w in tokenizer().cut_for_search(piece) if w.strip())


@functools.lru_cache(maxsize=100_000)
def _chunk_index_tokens(chunk: str) -> tuple[str, ...]:
    # Runs of ASCII letters/digits and of other characters are cut separately: dates, amounts
    # and numbers inside a clause then leave the rest of it identical (and cached) across texts.
    words = [w for piece in _PIECES.findall(chunk) for w in _piece_tokens(piece)]
    if len(chunk) <= WHOLE_CHUNK and words != [chunk]:
        words.append(chunk)
    return tuple(w for w in words if len(w) <= MAX_TOKEN)


@functools.lru_cache(maxsize=20_000)
def _chunk_query_words(chunk: str) -> tuple[str, ...]:
    words = [w for piece in _PIECES.findall(chunk) for w in tokenizer().cut(piece)]
    return tuple(w for w in words if w.strip() and len(w) <= MAX_TOKEN)


def index_tokens(text: str) -> list[str]:
    """Tokens to index for `text`, in order, repeated as often as they occur (for ranking)."""
    tokens: list[str] = []
    for chunk in normalise(text).split():
        tokens.extend(_chunk_index_tokens(chunk))
    return tokens


# A query: groups (AND); each group: alternatives (OR); each alternative: tokens (AND).
Query = list[list[tuple[str, ...]]]


def parse_query(text: str | None) -> Query:
    """The user's query → groups of alternatives (see the module doc). Never raises; an empty
    or punctuation-only query gives no groups."""
    groups: Query = []
    seen: set[tuple] = set()
    for chunk in normalise(str(text or "")[:MAX_QUERY]).split():
        alternatives: list[tuple[str, ...]] = []
        if len(chunk) <= MAX_TOKEN:
            alternatives.append((chunk,))
        words = _chunk_query_words(chunk)
        if words and words != (chunk,):
            alternatives.append(words)
        key = tuple(alternatives)
        if alternatives and key not in seen:
            seen.add(key)
            groups.append(alternatives)
        if len(groups) >= MAX_GROUPS:
            break
    return groups


def query_terms(query: Query) -> set[str]:
    """Every token a query can match (for highlighting)."""
    return {token for group in query for alternative in group for token in alternative}


def matches(query: Query, tokens: set[str] | list[str]) -> bool:
    """Whether a document with these index tokens satisfies the query (the same logic the
    databases apply; used by tests)."""
    present = set(tokens)
    return bool(query) and all(
        any(all(t in present for t in alternative) for alternative in group) for group in query
    )
