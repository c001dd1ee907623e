"""`tunesmith data report FILE`: the validation report for a dataset that no pipeline produced."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tunesmith.data.ops import OpContext
from tunesmith.data.sources import read_dataset
from tunesmith.yaml_file import read_mapping


def report_file(path: Path, settings: Path | None, out: Path) -> dict:
    """Check `path` with report settings from `settings` (report keys, or a pipeline's `report:`); write to `out`."""
    from tunesmith.atomic import atomic_dir
    from tunesmith.data.report import ReportConfig, build_report, write_report
    from tunesmith.schema import validate

    raw = _settings(settings) if settings else {}
    config = validate(ReportConfig, raw, f"{settings}: report" if settings else "report")
    base_dir = settings.parent if settings else Path(".")
    with tempfile.TemporaryDirectory(prefix="tunesmith-report-") as work:
        dataset = read_dataset(path, cache_dir=Path(work))
        report = build_report({"data": dataset}, [], config, OpContext(base_dir=base_dir))
    with atomic_dir(out) as tmp:
        write_report(tmp, report)
    return report


def _settings(path: Path) -> dict:
    """Report keys from a YAML file: the `report:` section of a pipeline, or the whole mapping."""
    raw = read_mapping(path, "report settings", "a mapping of report settings")
    return raw.get("report", {}) if "ops" in raw or "inputs" in raw else raw
