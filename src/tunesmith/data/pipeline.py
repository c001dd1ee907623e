"""`tunesmith data run`: read inputs, apply ops in order, write the dataset and its report atomically.

A pipeline file lists `inputs`, an `output` folder, `ops` (each `- name: {options}` or just `- name`) and
optional `report` settings. The output folder receives `data.jsonl` (or `train.jsonl` + `validation.jsonl`
after a split), `report.json` and `report.html`; it appears whole or not at all.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasets import Dataset
from pydantic import Field, field_validator

from tunesmith.atomic import atomic_dir
from tunesmith.data.ops import OpContext, op_module
from tunesmith.data.records import to_output
from tunesmith.data.sources import InputSpec, combine, read_input
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.schema import Strict, validate
from tunesmith.yaml_file import read_mapping


class Pipeline(Strict):
    inputs: list[InputSpec]
    output: Path
    ops: list[Any] = Field(default_factory=list)
    num_proc: int = Field(1, ge=1)
    seed: int = 0
    report: dict = Field(default_factory=dict)

    @field_validator("inputs", mode="before")
    @classmethod
    def _inputs_as_list(cls, value: Any) -> Any:
        """`inputs: file.jsonl` and a list of paths are shorthands for [{path: file.jsonl}]."""
        value = value if isinstance(value, list) else [value]
        return [{"path": item} if isinstance(item, str) else item for item in value]


@dataclass
class Step:
    """One op of a pipeline: its name and validated options."""

    name: str
    config: Strict


@dataclass
class PipelineResult:
    """Where the output went, records per output file, and the report (as written to report.json)."""

    output: Path
    records: dict[str, int]
    report: dict


def load_pipeline(path: str | Path) -> tuple[Pipeline, list[Step], Any]:
    """Read and validate a pipeline file: the pipeline, its steps, and the report settings."""
    from tunesmith.data.report import ReportConfig

    path = Path(path)
    raw = read_mapping(path, "pipeline", "a mapping with inputs, output and ops")
    pipeline = validate(Pipeline, raw, str(path))
    steps = [parse_step(entry, f"{path}: ops[{i}]") for i, entry in enumerate(pipeline.ops)]
    for i, step in enumerate(steps[:-1]):
        if step.name == "split":
            raise InputError(f"{path}: ops[{i}]", "split must be the last op; it ends the pipeline in two datasets")
    return pipeline, steps, validate(ReportConfig, pipeline.report, f"{path}: report")


def run_pipeline(path: str | Path, progress: Progress = SILENT) -> PipelineResult:
    """Run the pipeline in `path`; paths inside it are read relative to its folder."""
    pipeline, steps, report_config = load_pipeline(path)
    base_dir = Path(path).parent
    output = pipeline.output if pipeline.output.is_absolute() else base_dir / pipeline.output
    with tempfile.TemporaryDirectory(prefix="tunesmith-pipeline-") as work:
        ctx = OpContext(num_proc=pipeline.num_proc, progress=progress, base_dir=base_dir, seed=pipeline.seed)
        progress.start("read inputs", len(pipeline.inputs))
        datasets = [read_input(spec, base_dir, Path(work)) for spec in pipeline.inputs]
        progress.finish("read inputs")
        outputs, summaries = apply_steps(combine(datasets), steps, ctx)
        from tunesmith.data.report import build_report, write_report

        progress.start("report")
        report = build_report(outputs, summaries, report_config, ctx)
        progress.finish("report")
        with atomic_dir(output) as tmp:
            for name, dataset in outputs.items():
                write_dataset(dataset, tmp / f"{name}.jsonl")
            write_report(tmp, report)
    return PipelineResult(output, {name: len(ds) for name, ds in outputs.items()}, report)


def apply_steps(dataset: Dataset, steps: list[Step], ctx: OpContext) -> tuple[dict[str, Dataset], list[dict]]:
    """Apply each step in order; return the output dataset(s) by name and one JSON-ready summary per step."""
    summaries = []
    outputs = {"data": dataset}
    for index, step in enumerate(steps, start=1):
        label = f"{index}/{len(steps)} {step.name}"
        ctx.progress.start(label)
        started = time.perf_counter()
        result = op_module(step.name).run(dataset, step.config, ctx)
        summaries.append(
            {
                "op": step.name,
                "options": step.config.model_dump(mode="json", exclude_defaults=True),
                "records_in": len(dataset),
                "kept": result.kept,
                "changed": result.changed,
                "added": result.added,
                "removed": result.removed,
                "examples": result.examples,
                "stats": result.stats,
                "seconds": round(time.perf_counter() - started, 3),
            }
        )
        ctx.progress.finish(label)
        dataset = result.dataset
        outputs = result.splits or {"data": dataset}
    return outputs, summaries


def write_dataset(dataset: Dataset, path: Path) -> None:
    """Write canonical records as JSON lines (meta as an object), streaming batch by batch."""
    with path.open("w", encoding="utf-8") as f:
        for batch in dataset.iter(batch_size=1000):
            for row in (dict(zip(batch, values)) for values in zip(*batch.values())):
                f.write(json.dumps(to_output(row), ensure_ascii=False) + "\n")


def parse_step(entry: Any, where: str) -> Step:
    """A step from `- name`, `- name: {options}` or `- name:` (no options)."""
    if isinstance(entry, str):
        name, options = entry, {}
    elif isinstance(entry, dict) and len(entry) == 1:
        name, options = next(iter(entry.items()))
        options = {} if options is None else options
    else:
        raise InputError(where, "expected an op name or a one-key mapping such as `- dedup: {method: near}`")
    if not isinstance(options, dict):
        raise InputError(f"{where} ({name})", f"options must be a mapping, got {type(options).__name__}")
    module = op_module(str(name), where)
    return Step(str(name), validate(module.Config, options, f"{where} ({name})"))
