"""The data report: five checks (figure, threshold, status), charts and steps in a self-contained, escaped page."""

from __future__ import annotations

import json
import math
import re
import struct

import pytest
from datasets import Dataset

from tunesmith.data import charts
from tunesmith.data.ops import OpContext
from tunesmith.data.report import ReportConfig, build_report, failed_checks, write_report
from tunesmith.errors import InputError
from tunesmith.schema import validate

NAMES = ["domain relevance", "diversity", "label consistency", "timeliness", "PII residue"]
TOPICS = ["router", "thermostat", "camera", "doorbell", "plug", "bulb", "lock", "speaker", "sensor", "hub"]


def chat(prompt: str, answer: str, **meta) -> dict:
    turns = [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    return {"messages": turns, "meta": json.dumps(meta)}


def support_rows(n: int, categories: int = 20, **meta) -> list[dict]:
    """n distinct support chats spread evenly over `categories` categories."""
    return [
        chat(
            f"Ticket {i}: my {TOPICS[i % 10]} number {i * 7919} shows error E{i % 13} after update {i % 5}.",
            f"Restart the {TOPICS[i % 10]}; error E{i % 13} clears after {i % 4 + 1} minutes.",
            category=f"cat{i % categories}",
            **meta,
        )
        for i in range(n)
    ]


def report_of(rows: list[dict], steps: list[dict] | None = None, **settings) -> dict:
    config = ReportConfig(**{"pii": False, **settings})
    return build_report({"data": Dataset.from_list(rows)}, steps or [], config, OpContext(seed=1))


def check(report: dict, name: str) -> dict:
    return next(c for c in report["checks"] if c["name"] == name)


def test_diversity_is_entropy_in_bits_over_categories():
    even = report_of(support_rows(40, categories=20))
    assert [c["name"] for c in even["checks"]] == NAMES
    found = check(even, "diversity")
    assert found["status"] == "pass" and found["value"] == pytest.approx(math.log2(20))
    assert found["figure"] == "4.32 bits" and "20 categories in meta.category" in found["detail"]
    two = check(report_of(support_rows(40, categories=2)), "diversity")
    assert two["status"] == "fail" and two["value"] == pytest.approx(1.0)
    assert even["categories"]["counts"]["cat0"] == 2 and even["categories"]["source"] == "meta.category"


def test_diversity_clusters_prompt_embeddings_when_records_lack_categories():
    themes = [
        "How do I reset my wifi router password?",
        "Give me a recipe for chocolate chip cookies.",
        "Who won the football world cup final?",
    ]
    rows = [chat(f"{theme} (asked {i} times)", "ok") for theme in themes for i in range(4)]
    report = report_of(rows, clusters=3)
    found = check(report, "diversity")
    assert report["categories"]["source"] == "embedding clusters"
    assert sorted(report["categories"]["counts"].values()) == [4, 4, 4]
    assert found["value"] == pytest.approx(math.log2(3)) and found["status"] == "fail"
    assert "max log2(3) = 1.58 bits" in found["detail"]


def test_timeliness_counts_dated_records_inside_the_window():
    dates = ["2024-03-01", "2024-06-30T12:00:00Z", "2024-12-31", "2023-12-31", "last week"]
    rows = [chat(f"q{i}", "a", date=d) for i, d in enumerate(dates)]
    found = check(report_of(rows, since="2024-01-01", until="2024-12-31", min_timely=0.6), "timeliness")
    assert (found["status"], found["value"], found["figure"]) == ("pass", 0.6, "60.0%")
    assert found["examples"] == ["2023-12-31", "last week"] and "1 date not in ISO format" in found["detail"]
    assert check(report_of(rows, since="2024-04-01"), "timeliness")["status"] == "fail"


def test_timeliness_is_skipped_without_a_window_or_without_enough_dates():
    rows = [chat(f"q{i}", "a", date="2024-05-05") for i in range(2)] + [chat(f"u{i}", "a") for i in range(3)]
    assert "no date window" in check(report_of(rows), "timeliness")["detail"]
    skipped = check(report_of(rows, since="2024-01-01"), "timeliness")
    assert skipped["status"] == "skipped" and "only 2 of 5 records carry meta.date" in skipped["detail"]


def test_domain_relevance_uses_select_criteria_and_states_the_sample():
    rows = support_rows(18) + [chat(f"Best pasta recipe number {i}?", "Boil it.") for i in range(2)]
    keywords = {"keywords": {"terms": ["error"]}}
    passed = check(report_of(rows, domain=keywords), "domain relevance")
    assert (passed["status"], passed["figure"], passed["value"]) == ("pass", "90.0%", 0.9)
    assert passed["examples"] == ["Best pasta recipe number 0? Boil it.", "Best pasta recipe number 1? Boil it."]
    failed = check(report_of(rows, domain=keywords, min_on_domain=0.95), "domain relevance")
    assert failed["status"] == "fail"
    sampled = check(report_of(rows, domain=keywords, sample=10), "domain relevance")
    assert "seeded sample of 10 of 20" in sampled["figure"] and "of 10 records on-domain" in sampled["detail"]
    assert check(report_of(rows), "domain relevance")["status"] == "skipped"


def test_label_consistency_finds_near_identical_prompts_with_different_answers():
    prompt = "What is the warranty period for the HomeCam 2K security camera bought in the online shop?"
    rows = support_rows(20) + [chat(prompt, "Two years."), chat(prompt + " ", "One year."), chat(prompt, " two YEARS.")]
    found = check(report_of(rows, max_inconsistent=0.0), "label consistency")
    assert found["status"] == "fail" and found["inconsistent_groups"] == 1
    assert found["figure"] == "3 records (13.0%)"
    assert found["examples"][0]["records"] == 3 and sorted(found["examples"][0]["answers"]) == [
        "One year.",
        "Two years.",
    ]
    agreeing = [chat(prompt, "Two years."), chat(prompt, "two  years.")]
    assert check(report_of(support_rows(20) + agreeing, max_inconsistent=0.0), "label consistency")["status"] == "pass"


def test_pii_residue_fails_on_a_planted_email_and_masks_it():
    rows = support_rows(10) + [chat("Please write to jane.doe@example.com about my order.", "Done.")]
    report = report_of(rows, pii=True)
    found = check(report, "PII residue")
    assert found["status"] == "fail" and found["value"] >= 1 and failed_checks(report) == ["PII residue"]
    example = next(e for e in found["examples"] if e["type"] == "EMAIL")
    assert "jane.doe@example.com" not in json.dumps(found["examples"]) and "[EMAIL]" in example["context"]
    assert example["record"] == 10 and example["value"] == "j******************m"
    assert check(report_of(support_rows(10), pii=True), "PII residue")["status"] == "pass"


def test_pii_examples_mask_every_finding_in_their_context_even_when_cut_by_the_window():
    text = "Reach me on +1 415 555 0134 or, if that fails, by mail: jane.doe@example.com; thanks."
    found = check(report_of([chat(text, "ok")], pii=True), "PII residue")
    assert [e["type"] for e in found["examples"]] == ["PHONE", "EMAIL"]
    assert all("0134" not in e["context"] and "jane" not in e["context"] for e in found["examples"])
    assert (
        found["examples"][1]["context"] == "[PHONE] or, if that fails, by mail: [EMAIL]; thanks."
    )  # one text at a time


def test_html_is_self_contained_escaped_and_shows_checks_charts_and_steps(tmp_path):
    rows = support_rows(30) + [chat("<script>alert('x')</script> how do I reset?", "Hold the <b>button</b>.")]
    steps = [
        {
            "op": "dedup",
            "options": {"method": "near"},
            "records_in": 40,
            "kept": 31,
            "changed": 1,
            "added": 0,
            "removed": {"near duplicate": 9},
            "examples": {
                "changed": [{"before": {"text": "<i>old</i>"}, "after": {"text": "new"}}],
                "removed: near duplicate": [{"text": "<script>dup()</script>"}],
            },
            "stats": {"groups": 4},
            "seconds": 0.2,
        }
    ]
    report = report_of(rows, steps, domain={"keywords": {"terms": ["error"]}})  # the planted record is off-domain
    write_report(tmp_path, report)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["records"] == {"data": 31}
    for name in NAMES:
        assert name in page
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 4  # lengths, categories, steps, removed by reason
    assert "<script>" not in page and "&lt;script&gt;alert(" in page and "&lt;script&gt;dup()" in page
    assert "<i>old</i>" not in page and "<b>button</b>" not in page
    assert "near duplicate: 9" in page and "removed: near duplicate" in page and "before: {" in page
    assert "http" not in page and "<link" not in page  # self-contained: nothing fetched from elsewhere


def test_charts_are_small_pngs_drawn_from_the_report():
    steps = [{"op": "dedup", "kept": 8, "removed": {"exact duplicate": 2, "near $5 duplicate$": 1}}]
    png, caption = charts.removed_chart(steps)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and caption == "Records removed, by step and reason."
    width, height = struct.unpack(">II", png[16:24])
    assert width == 600 and 150 <= height <= 300
    assert charts.removed_chart([{"op": "split", "kept": 8, "removed": {}}]) == (None, "")
    report = {"lengths": {}, "categories": {"source": "meta.category", "counts": {f"c{i}": 1 for i in range(40)}}}
    assert [c["title"] for c in charts.charts(report)] == ["Categories"]


def test_settings_are_validated_with_errors_naming_the_key():
    with pytest.raises(InputError, match="did you mean 'min_on_domain'"):
        validate(ReportConfig, {"min_ondomain": 0.5}, "report")
    with pytest.raises(InputError, match="since .* is after until"):
        validate(ReportConfig, {"since": "2024-05-01", "until": "2024-01-01"}, "report")
    with pytest.raises(InputError, match="domain.keywords"):
        validate(ReportConfig, {"domain": {"keywords": {"min_hits": 1}}}, "report")
    assert ReportConfig().max_inconsistent == 0.01


def test_empty_dataset_skips_every_check(tmp_path):
    report = build_report({"data": Dataset.from_list([])}, [], ReportConfig(), OpContext())
    assert {c["status"] for c in report["checks"]} == {"skipped"} and failed_checks(report) == []
    write_report(tmp_path, report)
    assert "No check failed" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_checks_run_over_all_splits_together():
    train = Dataset.from_list(support_rows(8, date="2024-02-02"))
    validation = Dataset.from_list([chat("Write to me at jane.doe@example.com", "Sure.", date="2021-01-01")])
    config = ReportConfig(since="2024-01-01", min_timely=0.8)
    report = build_report({"train": train, "validation": validation}, [], config, OpContext())
    assert report["records"] == {"train": 8, "validation": 1} and report["total"] == 9
    assert check(report, "timeliness")["figure"] == "88.9%"
    assert check(report, "PII residue")["examples"][0]["record"] == 8
