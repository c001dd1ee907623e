"""Precision and recall of near dedup on a near-duplicate set with known edits, and its speed and memory at 100k.

    .venv/bin/python bench/dedup_eval.py [--bases 2000] [--rate 1.0] [--records 100000] [--compare]

The set comes from bench/dedup_data.py (seeded). Precision and recall are over pairs: a predicted pair is two
texts in one `near_duplicate_groups` group, a true pair two texts from one base. Recall by edit kind and by
language counts the copies grouped with their base. The speed line runs exact and near grouping on `--records`
short texts (10-40 words or characters, same generator) in a separate process (run first,
since a process inherits its parent's peak RSS), and reports records/s and that process's peak RSS.
`--compare` also times MinHash signatures for those texts with datasketch and rensa from the same shingle sets.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from dedup_data import EDITS, make_set  # noqa: E402

from tunesmith.data.similarity import exact_groups, near_duplicate_groups, near_key  # noqa: E402

SETTINGS = [
    (0.5, 5),
    (0.6, 5),
    (0.7, 5),
    (0.8, 5),
    (0.9, 5),
    (0.8, 3),
]  # (threshold, ngram); the defaults are 0.8 and 5


def pairs_of(groups) -> set[tuple[int, int]]:
    """Every unordered pair of indices inside one group."""
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


def true_groups(items: list[dict]) -> list[list[int]]:
    by_cluster: dict[int, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        by_cluster[item["cluster"]].append(i)
    return list(by_cluster.values())


def copies_found(items: list[dict], groups: list[list[int]]) -> dict[str, tuple[int, int]]:
    """(found, total) copies grouped with their base, overall, by language and by edit kind."""
    group_of = {i: g for g, group in enumerate(groups) for i in group}
    base_of = {item["cluster"]: i for i, item in enumerate(items) if item["role"] == "base"}
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, item in enumerate(items):
        if item["role"] != "copy":
            continue
        found = i in group_of and group_of[i] == group_of.get(base_of[item["cluster"]])
        for key in ["all", item["lang"], *item["edits"]]:
            tally[key][0] += found
            tally[key][1] += 1
    return {key: (found, total) for key, (found, total) in tally.items()}


def negatives_merged(items: list[dict], groups: list[list[int]]) -> tuple[int, int]:
    """(hard negatives grouped with their base or its copies, hard negatives)."""
    group_of = {i: g for g, group in enumerate(groups) for i in group}
    base_of = {item["cluster"]: i for i, item in enumerate(items) if item["role"] == "base"}
    negatives = [(i, item["cluster"] - len(base_of)) for i, item in enumerate(items) if item["role"] == "negative"]
    merged = sum(i in group_of and group_of[i] == group_of.get(base_of[c]) for i, c in negatives)
    return merged, len(negatives)


def quality(bases: int, rate: float) -> None:
    items = make_set(bases=bases, rate=rate)
    texts = [item["text"] for item in items]
    truth = pairs_of(true_groups(items))
    roles = defaultdict(int)
    for item in items:
        roles[item["role"]] += 1
    print(f"near-duplicate set: {len(items):,} texts ({bases:,} bases, half English, half Chinese; "
          f"{roles['copy']:,} copies at an edit rate of {rate:g} per 100 characters; "
          f"{roles['negative']:,} hard negatives); "
          f"{len(truth):,} true pairs; num_perm 128\n")  # fmt: skip
    print("| threshold | ngram | precision | recall | F1 | copies found: en / zh | negatives merged | records/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for threshold, ngram in SETTINGS:
        started = time.perf_counter()
        groups = near_duplicate_groups(texts, threshold=threshold, num_perm=128, ngram=ngram)
        rate_s = len(texts) / (time.perf_counter() - started)
        found = pairs_of(groups)
        hits = len(found & truth)
        precision, recall = hits / max(len(found), 1), hits / len(truth)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        copies = copies_found(items, groups)
        merged, negatives = negatives_merged(items, groups)
        label = f"{threshold:g}" + (" (default)" if (threshold, ngram) == (0.8, 5) else "")
        print(f"| {label} | {ngram} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {_share(copies['en'])} / "
              f"{_share(copies['zh'])} | {merged} of {negatives} | {rate_s:,.0f} |")  # fmt: skip
        if (threshold, ngram) == (0.8, 5):
            default = copies
    print("\ncopies found with their base at the defaults, by edit kind: "
          + ", ".join(f"{kind} {_share(default[kind])}" for kind in EDITS))  # fmt: skip


def _share(counts: tuple[int, int]) -> str:
    return f"{counts[0] / max(counts[1], 1):.3f}"


def short_texts(count: int) -> list[str]:
    """`count` short texts (10-40 words or characters) with near copies, from the same generator."""
    items = make_set(bases=count * 2 // 5 + 10, min_size=10, max_size=40, seed=1)
    return [item["text"] for item in items[:count]]


def speed(count: int, compare: bool) -> None:
    """Exact and near grouping of `count` short texts: seconds, records/s and this process's peak RSS."""
    texts = short_texts(count)
    before = _peak_mib()
    print(f"{len(texts):,} short texts ({sum(map(len, texts)) / len(texts):.0f} characters on average), "
          f"{platform.processor() or platform.machine()}, 1 process")  # fmt: skip
    for name, fn in [("exact_groups", exact_groups), ("near_duplicate_groups", near_duplicate_groups)]:
        started = time.perf_counter()
        groups = fn(texts)
        seconds = time.perf_counter() - started
        print(f"{name}: {seconds:.1f} s, {len(texts) / seconds:,.0f} records/s, {len(groups):,} groups, "
              f"{sum(len(g) - 1 for g in groups):,} duplicates")  # fmt: skip
    print(f"peak RSS {_peak_mib():,.0f} MiB (before grouping, with the texts generated: {before:,.0f} MiB)")
    if compare:
        _compare(texts)


def _compare(texts: list[str]) -> None:
    """Seconds to MinHash every text's 5-shingle set (128 permutations) with datasketch and with rensa."""
    from datasketch import MinHash
    from rensa import RMinHash

    from tunesmith.data.similarity import minhash_signatures

    sets = [{key[i : i + 5] for i in range(max(1, len(key) - 4))} for key in map(near_key, texts)]
    started = time.perf_counter()
    RMinHash.digests_from_token_sets(sets, 128, 42)
    rensa_s = time.perf_counter() - started
    started = time.perf_counter()
    minhash_signatures(texts)
    ours_s = time.perf_counter() - started
    encoded = [[s.encode("utf-8") for s in shingles] for shingles in sets]
    started = time.perf_counter()
    MinHash.bulk(encoded, num_perm=128)
    datasketch_s = time.perf_counter() - started
    print(f"MinHash signatures, same shingle sets: datasketch {datasketch_s:.1f} s, rensa {rensa_s:.1f} s; "
          f"tunesmith (numpy shingle hashes + rensa, shingling included) {ours_s:.1f} s")  # fmt: skip


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--speed-only", action="store_true", help=argparse.SUPPRESS)  # the fresh speed process
    args = parser.parse_args()
    if args.speed_only:
        speed(args.records, args.compare)
        return
    # Run first (and alone): a child process inherits its parent's peak RSS, so the parent must still be small.
    command = [sys.executable, __file__, "--speed-only", "--records", str(args.records)]
    timing = subprocess.run(command + ["--compare"] * args.compare, capture_output=True, text=True, check=True)
    quality(args.bases, args.rate)
    print("\n" + timing.stdout, end="")


if __name__ == "__main__":
    main()
