"""Groups of duplicate texts: exact (normalized hash), near (MinHash LSH on character shingles), semantic (cosine).

Each function takes a list of texts and returns the groups of indices (size ≥ 2, each sorted, groups ordered by
their first index) that are duplicates of each other; the dedup op keeps one record per group, the data report's
label-consistency check looks for groups whose answers disagree.

What counts as the same:
- exact: the text after Unicode NFKC, case folding and whitespace collapsing ("Hello  World" = "hello world",
  "ＡＢＣ" = "abc"); punctuation counts ("Done?" ≠ "Done.").
- near: the estimated Jaccard similarity of the sets of character `ngram`-shingles of the text's letters and digits
  only (NFKC, case-folded, whitespace and punctuation dropped, so spacing and punctuation edits are free). Character
  shingles, not words, so Chinese and Japanese (no spaces) work like English; a shingle that starts with a CJK
  character is (ngram + 1) // 2 characters long, since one such character says as much as two or three letters
  (see `shingle_hashes`). Signatures are rensa's R-MinHash (`num_perm` permutations; rensa signed 100k short
  texts about 2-3x faster than datasketch in bench/dedup_eval.py --compare); the locality-sensitive hashing bands
  are chosen so a pair at exactly `threshold` becomes a candidate with ≥ 95% probability; every candidate pair is
  then verified (estimated Jaccard ≥ `threshold`) and verified pairs are joined into groups (connected components
  of the pair graph, which is what union-find computes).
- semantic: cosine similarity ≥ `threshold` of all-MiniLM-L6-v2 sentence embeddings, joined the same way.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict

import numpy as np

SEED = 42  # MinHash permutation seed: fixed, so groups are reproducible
CHUNK = 4096  # texts signed at a time: bounds the temporary memory of shingle hashing
BUCKET_WINDOW = 32  # later rows of the same LSH bucket each row is compared with (see _band_candidates)
PAIR_CHUNK = 16_384  # candidate pairs verified at a time
ROW_CHUNK = 256  # embedding rows compared at a time (256 × n cosines in memory)
MIN_CATCH = 0.95  # chance a pair at exactly `threshold` shares at least one LSH band
_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")
_MUL = np.uint64(0x100000001B3)  # polynomial rolling-hash multiplier (the FNV 64-bit prime)
# Han (with extensions and compatibility forms), kana and Hangul syllables: the scripts written without spaces
_CJK_RANGES = [
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
]


def exact_key(text: str) -> str:
    """The text as exact dedup compares it: NFKC, case-folded, whitespace collapsed and stripped."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def near_key(text: str) -> str:
    """The text as near dedup shingles it: NFKC, case-folded, letters and digits only."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def exact_groups(texts: list[str]) -> list[list[int]]:
    """Groups of texts equal after `exact_key` (compared by a 128-bit BLAKE2 hash)."""
    by_hash: dict[bytes, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        by_hash[hashlib.blake2b(exact_key(text).encode("utf-8"), digest_size=16).digest()].append(i)
    return sorted(group for group in by_hash.values() if len(group) > 1)


def near_duplicate_groups(
    texts: list[str], threshold: float = 0.8, num_perm: int = 128, ngram: int = 5
) -> list[list[int]]:
    """Groups of texts whose estimated Jaccard similarity of character `ngram`-shingles is ≥ `threshold`."""
    if len(texts) < 2:
        return []
    signatures = minhash_signatures(texts, num_perm, ngram)
    # Texts with identical signatures (by a 64-bit fingerprint) are one node: a thousand copies of one text must
    # not make half a million candidate pairs. Nodes are numbered in `first` order (their first text's row).
    _, first, inverse = np.unique(_row_keys(signatures), return_index=True, return_inverse=True)
    bands, rows = lsh_bands(threshold, num_perm)
    roots = np.arange(len(first))
    for band in range(bands):
        a, b = _band_candidates(signatures[first, band * rows : (band + 1) * rows])
        apart = roots[a] != roots[b]  # pairs already joined need no check
        a, b = a[apart], b[apart]
        keep = _verified(signatures, first[a], first[b], threshold)
        roots = _join(roots, a[keep], b[keep])
    labels = roots[inverse.reshape(-1)]
    return _groups(labels)


def semantic_groups(texts: list[str], threshold: float = 0.95) -> list[list[int]]:
    """Groups of texts whose sentence embeddings have cosine similarity ≥ `threshold`."""
    if len(texts) < 2:
        return []
    from tunesmith.data.embed import embed

    distinct, inverse = np.unique(np.array(texts, dtype=object), return_inverse=True)  # embed each text once
    vectors = embed(list(distinct))
    roots = np.arange(len(vectors))
    for start in range(0, len(vectors), ROW_CHUNK):
        cosines = vectors[start : start + ROW_CHUNK] @ vectors[start:].T
        a, b = np.nonzero(cosines >= threshold)
        later = b > a  # each pair once, not a text with itself
        roots = _join(roots, a[later] + start, b[later] + start)
    labels = roots[inverse.reshape(-1)]
    return _groups(labels)


def minhash_signatures(texts: list[str], num_perm: int = 128, ngram: int = 5) -> np.ndarray:
    """One R-MinHash signature per text (n × num_perm uint32) over its `near_key` character shingles."""
    from rensa import RMinHash

    signatures = np.empty((len(texts), num_perm), dtype=np.uint32)
    for start in range(0, len(texts), CHUNK):
        hashes, offsets = shingle_hashes(texts[start : start + CHUNK], ngram)
        matrix = RMinHash.digest_matrix_from_flat_token_hashes(hashes, offsets, num_perm, SEED)
        signatures[start : start + CHUNK] = matrix.to_rows()
    return signatures


def shingle_hashes(texts: list[str], ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every text's character shingles, flat, and each text's start offset (n + 1 of them).

    A shingle is `ngram` characters, or `(ngram + 1) // 2` when it starts with a CJK character (one of which says
    about as much as two or three letters), so a one-character edit in short Chinese text costs a similar share
    of shingles as in English. Texts shorter than `ngram` (after `near_key`) are padded to it.
    """
    keys = [near_key(text).ljust(ngram, "\0") for text in texts]  # "\0" never survives near_key
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    codes = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    short = (ngram + 1) // 2
    cjk = np.zeros(len(codes), dtype=bool)
    for low, high in _CJK_RANGES:
        cjk |= (codes >= low) & (codes <= high)
    width = np.where(cjk, short, ngram)
    ends = np.repeat(np.cumsum(lengths), lengths)
    at = np.flatnonzero(np.arange(len(codes)) + width <= ends)  # shingles inside one text only
    hashes = np.empty(len(at), dtype=np.uint64)
    starts_cjk = cjk[at]
    hashes[starts_cjk] = _rolling(codes, short)[at[starts_cjk]]
    hashes[~starts_cjk] = _rolling(codes, ngram)[at[~starts_cjk]]
    counts = np.bincount(np.repeat(np.arange(len(keys)), lengths)[at], minlength=len(keys))
    return hashes, np.concatenate([[0], np.cumsum(counts)]).astype(np.uint64)


def _rolling(codes: np.ndarray, n: int) -> np.ndarray:
    """A mixed 64-bit hash of codes[i : i + n] for every start i (polynomial, wrapping uint64, tagged with n)."""
    width = len(codes) - n + 1
    rolling = np.full(width, n, dtype=np.uint64)
    for k in range(n):
        rolling = rolling * _MUL + codes[k : k + width]
    return _mix(rolling)


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band): the most rows (fewest false candidates) that catch a pair at `threshold` ≥ 95%."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= MIN_CATCH:
            best = (bands, rows)
    return best


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: spreads the rolling hashes' bits before MinHash permutes them."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _row_keys(matrix: np.ndarray) -> np.ndarray:
    """A 64-bit fingerprint of every row of a uint32 matrix."""
    key = np.zeros(len(matrix), dtype=np.uint64)
    for column in matrix.T:
        key = _mix(key ^ column.astype(np.uint64))
    return key


def _band_candidates(band: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows whose band (a slice of their signatures) is equal, as two index arrays.

    In a bucket of rows with equal bands, each row is paired with the next `BUCKET_WINDOW` rows (by index): all
    pairs in ordinary buckets, and a bounded number in huge ones (ten thousand templated texts that differ in one
    number share buckets; all their pairs would be fifty million per band). The members of a huge bucket are
    mostly duplicates of each other, so the chain of verified pairs still joins them.
    """
    key = _row_keys(band)
    order = np.argsort(key, kind="stable")
    key = key[order]
    shared = np.flatnonzero(np.r_[key[1:] == key[:-1], False] | np.r_[False, key[1:] == key[:-1]])
    order, key = order[shared], key[shared]  # only rows that share their bucket
    firsts, seconds = [], []
    for step in range(1, min(len(key), BUCKET_WINDOW + 1)):
        same = np.flatnonzero(key[step:] == key[:-step])
        if not len(same):
            break
        firsts.append(order[same])
        seconds.append(order[same + step])
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def _verified(signatures: np.ndarray, a: np.ndarray, b: np.ndarray, threshold: float) -> np.ndarray:
    """Which row pairs have an estimated Jaccard similarity (share of equal signature slots) ≥ `threshold`."""
    keep = np.zeros(len(a), dtype=bool)
    for start in range(0, len(a), PAIR_CHUNK):
        end = start + PAIR_CHUNK
        agree = (signatures[a[start:end]] == signatures[b[start:end]]).mean(axis=1)
        keep[start:end] = agree >= threshold - 1e-9
    return keep


def _join(roots: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Node groups after also joining the pairs (a[k], b[k]): each node's root, the smallest node of its group.

    `roots` holds the groups so far in the same form, so the graph has at most one edge per node plus the new
    pairs (memory stays linear however many pairs were joined before); scipy labels its connected components.
    """
    if not len(a):
        return roots
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(roots)
    rows, cols = np.concatenate([np.arange(n), a]), np.concatenate([roots, b])
    graph = coo_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n, n)).tocsr()
    _, first, inverse = np.unique(
        connected_components(graph, directed=False)[1], return_index=True, return_inverse=True
    )
    return first[inverse.reshape(-1)]


def _groups(labels: np.ndarray) -> list[list[int]]:
    """Indices sharing a label, for labels held by ≥ 2 indices; each group sorted, groups by first index."""
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    groups = [g.tolist() for g in np.split(order, bounds) if len(g) > 1]
    return sorted(groups)
