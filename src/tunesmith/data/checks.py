"""The report's five checks; each returns one JSON-ready dict with its figure, threshold and pass/fail.

A check that the data cannot support (no dates, no domain criteria, no records) is "skipped" with the reason in
`detail`, never a silent pass. Checks that call a model per record run on the report's seeded sample, and say so.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from datetime import date, datetime
from typing import Any

from tunesmith.data.records import prompt_of, texts

EXAMPLES = 3  # examples shown per check
SNIPPET = 200  # characters of a text shown in an example


def result(name: str, figure: str, threshold: str, status: str, detail: str, **extra: Any) -> dict:
    """One check's outcome: `figure` and `threshold` are display strings, numbers go in `extra` (value, limit)."""
    return {"name": name, "figure": figure, "threshold": threshold, "status": status, "detail": detail, **extra}


def skipped(name: str, threshold: str, why: str) -> dict:
    """A check the data cannot support, with the reason."""
    return result(name, "-", threshold, "skipped", why)


def domain_relevance(rows: list[dict], total: int, cfg, ctx) -> dict:
    """Share of records that the `domain` criteria (select's) call on-domain; at least `min_on_domain` passes."""
    name, threshold = "domain relevance", f"≥ {cfg.min_on_domain:.0%}"
    if cfg.domain is None:
        return skipped(name, threshold, "no domain criteria: set report.domain (the select op's options)")
    if not rows:
        return skipped(name, threshold, "no records")
    from tunesmith.data.ops.select import content, on_domain

    flags = on_domain(rows, cfg.domain, ctx)
    share = sum(flags) / len(rows)
    off = [_snippet(content(row)) for row, ok in zip(rows, flags) if not ok][:EXAMPLES]
    detail = f"{sum(flags):,} of {len(rows):,} records on-domain{_sampled(len(rows), total)}"
    if cfg.domain.perplexity is not None:  # a quantile of this data's own perplexities passes that share by design
        detail += f"; the perplexity criterion is relative (its {cfg.domain.perplexity.quantile:g} quantile here)"
    status = "pass" if share >= cfg.min_on_domain else "fail"
    figure = f"{share:.1%}{_sampled(len(rows), total)}"
    return result(name, figure, threshold, status, detail, value=share, limit=cfg.min_on_domain, examples=off)


def category_counts(metas: list[dict], cfg) -> dict | None:
    """The task-category distribution (meta[category]) when at least 90% of records carry one, else None."""
    if cfg.category is None or not metas:
        return None
    found = [str(m[cfg.category]) for m in metas if m.get(cfg.category) not in (None, "")]
    if len(found) < 0.9 * len(metas):
        return None
    return {"source": f"meta.{cfg.category}", "counts": _sorted(Counter(found)), "missing": len(metas) - len(found)}


def cluster_counts(rows: list[dict], total: int, cfg, ctx) -> dict:
    """Sizes of k-means clusters (seeded) of the prompts' sentence embeddings: categories for uncategorised data."""
    if not rows:
        return {"source": "none", "counts": {}}
    prompts = [prompt_of(row) for row in rows]
    labels, k = _clusters(prompts, cfg.clusters, ctx.seed)
    ranked = [label for label, _ in Counter(labels).most_common()]  # cluster 1 is the largest
    counts = {f"cluster {rank}": labels.count(label) for rank, label in enumerate(ranked, start=1)}
    examples = {f"cluster {rank}": _snippet(prompts[labels.index(label)]) for rank, label in enumerate(ranked, start=1)}
    return {
        "source": "embedding clusters",
        "k": k,
        "sample": len(rows),
        "of": total,
        "counts": counts,
        "examples": examples,
    }


def diversity(distribution: dict, cfg) -> dict:
    """Shannon entropy in bits of the category (or cluster) distribution; more than `min_diversity_bits` passes."""
    name, threshold = "diversity", f"> {cfg.min_diversity_bits:g} bits"
    counts = list(distribution["counts"].values())
    if not counts:
        return skipped(name, threshold, "no records")
    n = sum(counts)
    bits = max(0.0, -sum(c / n * math.log2(c / n) for c in counts))
    if distribution["source"] == "embedding clusters":
        k = distribution["k"]
        over = f"{len(counts)} k-means clusters (k = {k}) of prompt embeddings"
        ceiling = f"max log2({k}) = {math.log2(k):.2f} bits"
        scope = note = _sampled(distribution["sample"], distribution["of"])
    else:
        over = f"{len(counts)} categories in {distribution['source']}"
        ceiling = f"max log2({len(counts)}) = {math.log2(len(counts)):.2f} bits"
        missing = distribution["missing"]
        scope, note = "", f"; {_n(missing, 'record')} lack a category" if missing else ""
    status = "pass" if bits > cfg.min_diversity_bits else "fail"
    detail = f"entropy over {over} ({ceiling}){note}"
    return result(name, f"{bits:.2f} bits{scope}", threshold, status, detail, value=bits, limit=cfg.min_diversity_bits)


def label_consistency(prompts: list[str], answers: list[str], cfg) -> dict:
    """Records in groups of near-identical prompts whose answers disagree; at most `max_inconsistent` of all."""
    name, threshold = "label consistency", f"≤ {cfg.max_inconsistent:.1%} of records"
    if not prompts:
        return skipped(name, threshold, "no records")
    if not any(answers):
        return skipped(name, threshold, "no record has an answer (text records): nothing to disagree")
    from tunesmith.data.similarity import near_duplicate_groups

    groups = near_duplicate_groups(prompts, threshold=cfg.consistency_threshold, num_perm=128, ngram=5)
    bad = [g for g in groups if len({_normal(answers[i]) for i in g}) > 1]
    in_bad = sum(len(g) for g in bad)
    share = in_bad / len(prompts)
    examples = [
        {"prompt": _snippet(prompts[g[0]]), "records": len(g), **_distinct([answers[i] for i in g])}
        for g in sorted(bad, key=len, reverse=True)[:EXAMPLES]
    ]
    detail = (
        f"{_n(len(groups), 'group')} of near-identical prompts (MinHash Jaccard ≥ {cfg.consistency_threshold:g}) "
        f"hold {_n(sum(len(g) for g in groups), 'record')}; {_n(len(bad), 'group')} disagree on the answer"
    )
    status = "pass" if share <= cfg.max_inconsistent else "fail"
    figure = f"{_n(in_bad, 'record')} ({share:.1%})"
    extra = {"value": share, "limit": cfg.max_inconsistent, "groups": len(groups), "inconsistent_groups": len(bad)}
    return result(name, figure, threshold, status, detail, examples=examples, **extra)


def timeliness(metas: list[dict], cfg) -> dict:
    """Share of dated records whose meta[date_field] is an ISO date inside [since, until]."""
    name = "timeliness"
    if cfg.since is None and cfg.until is None:
        threshold = f"≥ {cfg.min_timely:.0%} in a date window"
        return skipped(name, threshold, "no date window: set report.since and/or until")
    window = _window(cfg.since, cfg.until)
    threshold = f"≥ {cfg.min_timely:.0%} dated {window}"
    values = [m.get(cfg.date_field) for m in metas]
    dated = [v for v in values if v not in (None, "")]
    if len(dated) < 0.5 * max(len(values), 1) or not dated:
        why = f"only {len(dated):,} of {len(values):,} records carry meta.{cfg.date_field}; need at least half"
        return skipped(name, threshold, why)
    parsed = [parse_date(v) for v in dated]
    inside = [d is not None and (cfg.since or d) <= d <= (cfg.until or d) for d in parsed]
    share = sum(inside) / len(dated)
    outside = [str(v) for v, ok in zip(dated, inside) if not ok][:EXAMPLES]
    unparsed = sum(d is None for d in parsed)
    detail = f"{sum(inside):,} of {len(dated):,} dated records fall {window}"
    detail += f"; {_n(len(values) - len(dated), 'undated record')} not counted" if len(dated) < len(values) else ""
    detail += f"; {_n(unparsed, 'date')} not in ISO format (counted as outside)" if unparsed else ""
    status = "pass" if share >= cfg.min_timely else "fail"
    return result(name, f"{share:.1%}", threshold, status, detail, value=share, limit=cfg.min_timely, examples=outside)


def pii_residue(rows: list[dict], positions: list[int], total: int, cfg, ctx) -> dict:
    """PII findings left in the records' text (`find_pii`); any finding fails. Examples are masked.

    `positions` are the rows' indices in the report's data (all splits in order), which the examples name.
    """
    name, threshold = "PII residue", "0 findings"
    if not cfg.pii:
        return skipped(name, threshold, "turned off (report.pii: false)")
    if not rows:
        return skipped(name, threshold, "no records")
    from tunesmith.data.pii import find_pii_many

    types: Counter = Counter()
    examples, records_hit = [], 0
    ctx.progress.start("report: PII residue", total=len(rows))
    for done, (index, row) in enumerate(zip(positions, rows), start=1):
        # text by text, as the pii op looks at them, so the check and the op agree on what a name is
        pieces = texts(row)
        found_in = find_pii_many(pieces)
        records_hit += any(found_in)
        for text, findings in zip(pieces, found_in):
            types.update(f.type for f in findings)
            examples += [_masked(text, f, findings, index) for f in findings[: max(0, EXAMPLES - len(examples))]]
        if done % 100 == 0:
            ctx.progress.update("report: PII residue", done)
    ctx.progress.finish("report: PII residue")
    found = sum(types.values())
    scope = _sampled(len(rows), total)
    detail = f"{_n(found, 'finding')} in {records_hit:,} of {_n(len(rows), 'record')}{scope}"
    detail += ": " + ", ".join(f"{t} {n:,}" for t, n in types.most_common()) if found else ""
    status = "pass" if found == 0 else "fail"
    figure = f"{_n(found, 'finding')}{scope}"
    return result(name, figure, threshold, status, detail, value=found, types=dict(types), examples=examples)


def parse_date(value: Any) -> date | None:
    """An ISO date or date-time (a trailing Z is UTC) as a date; None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for parse in (date.fromisoformat, lambda s: datetime.fromisoformat(re.sub(r"Z$", "+00:00", s)).date()):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _window(since: date | None, until: date | None) -> str:
    if since and until:
        return f"from {since} to {until}"
    return f"on or after {since}" if since else f"on or before {until}"


def _clusters(texts: list[str], clusters: int, seed: int) -> tuple[list[int], int]:
    """K-means labels (seeded) of the texts' sentence embeddings, with k = min(clusters, distinct texts)."""
    from sklearn.cluster import KMeans

    from tunesmith.data.embed import embed

    k = max(1, min(clusters, len(set(texts))))
    vectors = embed(texts)
    with warnings.catch_warnings():  # near-identical vectors may still give fewer distinct clusters; that is the point
        warnings.simplefilter("ignore")
        labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(vectors)
    return [int(label) for label in labels], k


def _masked(text: str, finding: Any, findings: list, index: int) -> dict:
    """A finding's type, place and context, with every finding in the context replaced by its [TYPE]."""
    lo, hi = max(0, finding.start - 40), min(len(text), finding.end + 40)
    context, cut = "", lo
    for other in sorted(findings, key=lambda f: f.start):
        if other.end <= cut or other.start >= hi:
            continue
        context += text[cut : max(cut, other.start)] + f"[{other.type}]"  # a finding cut by the window is masked too
        cut = other.end
    context += text[cut:hi]
    value = finding.text
    starred = value[:1] + "*" * max(len(value) - 2, 1) + value[-1:] if len(value) > 2 else "*" * len(value)
    where = {"record": index, "start": finding.start, "end": finding.end}
    return {"type": finding.type, **where, "value": starred, "context": context.replace("\n", " ")}


def _normal(text: str) -> str:
    """An answer as compared: NFKC, case-folded, whitespace collapsed (as exact dedup compares texts)."""
    from tunesmith.data.similarity import exact_key

    return exact_key(text)


def _distinct(answers: list[str]) -> dict:
    """How many answers differ after normalising, and up to EXAMPLES of them as snippets."""
    seen: dict[str, str] = {}
    for answer in answers:
        seen.setdefault(_normal(answer), answer)
    return {"distinct_answers": len(seen), "answers": [_snippet(a) for a in list(seen.values())[:EXAMPLES]]}


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _n(count: int, noun: str) -> str:
    """'1 record', '2 records'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _sampled(size: int, total: int) -> str:
    return f" (seeded sample of {size:,} of {total:,})" if size < total else ""


def _sorted(counts: Counter) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
