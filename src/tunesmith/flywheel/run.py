"""One turn of the flywheel: logged traffic → curated data → trained student → compared → promoted (or not).

Every step leaves its artifact in the flywheel folder, each written atomically:

    recipe.yaml      the resolved flywheel recipe
    export.jsonl     training requests as SFT rows (corrections replace answers)
    holdout.jsonl    held-out requests: prompt, the teacher's answer (reference), any correction
    curated.jsonl    the export after the curate ops; curate.json says what each op did
    run/             the training run directory (its adapter is what gets registered)
    answers.jsonl    every candidate's answer to each held-out prompt
    decision.json    promoted or not, and why
    report.json, report.md   counts, curation, training, scores, the decision and the cost table
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from tunesmith.atomic import write_text
from tunesmith.errors import InputError
from tunesmith.eval.judge import check_key
from tunesmith.flywheel.compare import Comparison, compare, scorable
from tunesmith.flywheel.cost import CostTable, cost_table
from tunesmith.flywheel.curate import Curated, curate, write_jsonl
from tunesmith.flywheel.plan import CURATED, FlywheelPlan
from tunesmith.flywheel.promote import Decision, decide, register
from tunesmith.flywheel.report import write_report
from tunesmith.flywheel.server import ServerClient
from tunesmith.flywheel.traffic import Traffic, collect, holdout_rows
from tunesmith.progress import SILENT, Progress
from tunesmith.schema import dump_yaml
from tunesmith.train.run import TrainResult


@dataclass
class FlywheelResult:
    """What one turn did: where it wrote, the data counts, training, scores, the decision and the costs."""

    folder: Path
    counts: dict[str, int]
    curated: Curated
    trained: TrainResult
    comparison: Comparison
    decision: Decision
    costs: CostTable


def run_flywheel(
    plan: FlywheelPlan, overwrite: bool = False, dry_run: bool = False, progress: Progress = SILENT
) -> FlywheelResult:
    """Run the turn `plan` describes; with `dry_run` the decision is made but nothing is registered."""
    from tunesmith.train.run import train

    recipe, folder = plan.recipe, plan.folder
    _check_folder(folder, overwrite)
    traffic = _traffic(plan)
    rows, skipped = scorable(holdout_rows(traffic.holdout), recipe.compare)
    if not rows:
        raise InputError(f"{plan.source}: key 'compare.metrics'", "no held-out reference is a JSON object; drop json")
    if recipe.compare.judge is not None:
        check_key(recipe.compare.judge, f"{plan.source}: key 'compare.judge.api_key_env'")
    client = _server(plan)  # an unreachable server fails now, not after training
    current = client is not None and _registered(client, recipe.promote.adapter_name, plan.source)

    if overwrite:
        shutil.rmtree(folder, ignore_errors=True)
    curated = _write_data(plan, traffic, rows, progress)
    trained = train(plan.train, progress=progress)
    run_dir = Path(trained.run_dir)
    answers = _answers(plan, rows, run_dir, client if current else None, progress)
    write_jsonl(
        folder / "answers.jsonl", [{**row, **{k: v[i] for k, v in answers.items()}} for i, row in enumerate(rows)]
    )
    comparison = compare(rows, answers, recipe.compare, skipped)

    decision = _promote(decide(comparison, recipe.decision_metric, recipe.promote), client, run_dir, current, dry_run)
    if client is not None:
        client.close()
    write_text(folder / "decision.json", json.dumps({**asdict(decision), "dry_run": dry_run}, indent=2))
    costs = cost_table(traffic.served, recipe.prices, recipe.teacher_model, recipe.promote.adapter_name)
    result = FlywheelResult(
        folder, _counts(traffic, rows, skipped, curated), curated, trained, comparison, decision, costs
    )
    write_report(folder, result, recipe)
    return result


def _traffic(plan: FlywheelPlan) -> Traffic:
    from tunesmith.serve.store import open_store

    where = plan.recipe.store
    if "://" not in where and not Path(where).expanduser().is_file():
        expected = "expected the SQLite file (or a SQLAlchemy URL) that `tunesmith serve --store` writes"
        raise InputError(f"{plan.source}: key 'store'", f"no request log at {where}; {expected}")
    store = open_store(where, must_exist=True)
    try:
        return collect(store, plan.where, plan.recipe.holdout.share, plan.recipe.holdout.seed, plan.source)
    finally:
        store.close()


def recipe_yaml(plan: FlywheelPlan) -> str:
    """The flywheel recipe as run, its curate ops as validated: a secret in one (the pii op's salt) shows as
    `**********`, as in the data studio's report, never as written."""
    raw = yaml.safe_load(dump_yaml(plan.recipe))
    raw["curate"] = [{s.name: s.config.model_dump(mode="json", exclude_defaults=True)} for s in plan.steps]
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


def _write_data(plan: FlywheelPlan, traffic: Traffic, rows: list[dict], progress: Progress) -> Curated:
    """The recipe, the export, the held-out slice and the curated training data, in the flywheel folder."""
    from tunesmith.serve.export import sft_rows

    folder = plan.folder
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / "recipe.yaml", recipe_yaml(plan))
    write_jsonl(folder / "export.jsonl", sft_rows(traffic.train))
    write_jsonl(folder / "holdout.jsonl", rows)
    progress.note(f"{len(traffic.served)} logged requests: {len(traffic.train)} to train on, {len(rows)} held out")
    seed = plan.recipe.holdout.seed
    curated = curate(folder / "export.jsonl", plan.steps, folder / CURATED, seed, progress, f"{plan.source}: curate")
    write_text(folder / "curate.json", json.dumps(curated.ops, indent=2, ensure_ascii=False, default=str))
    return curated


def _answers(plan: FlywheelPlan, rows: list[dict], run_dir: Path, current: ServerClient | None, progress: Progress):
    """Each candidate's answers to the held-out prompts: the student's, and the registered adapter's if any."""
    cfg = plan.recipe.compare
    conversations = [row["messages"] for row in rows]
    answers = {"student": _student_answers(run_dir, conversations, cfg, progress)}
    if current is not None:
        name = plan.recipe.promote.adapter_name
        progress.note(f"Asking the registered '{name}' on the server for its answers")
        answers["current"] = current.answer(name, conversations, cfg.max_new_tokens)
    return answers


def _check_folder(folder: Path, overwrite: bool) -> None:
    if folder.exists() and any(folder.iterdir()) and not overwrite:
        raise InputError(
            f"output '{folder}'", "flywheel folder already exists; set output.name=NEW or pass --overwrite"
        )


def _server(plan: FlywheelPlan) -> ServerClient | None:
    promote = plan.recipe.promote
    if promote.server is None:
        return None
    return ServerClient(promote.server, promote.api_key_env, promote.timeout, f"{plan.source}: promote")


def _registered(client: ServerClient, name: str, source: str) -> bool:
    """Whether the server already runs an adapter called `name` (the student's rival); its base name is refused."""
    models = client.models()
    if name in models and models[name] is None:
        raise InputError(f"{source}: key 'promote.adapter_name'", f"'{name}' is the server's base model; pick another")
    return name in models


def _student_answers(run_dir: Path, conversations: list[list[dict]], cfg, progress: Progress) -> list[str]:
    """The trained student's greedy replies to the held-out prompts, generated here."""
    from tunesmith.models.generate import generate
    from tunesmith.models.loading import load_for_inference, source_for

    model, tokenizer = load_for_inference(source_for(run_dir, progress))
    return generate(model, tokenizer, conversations, cfg.max_new_tokens, cfg.batch_size, progress=progress)


def _promote(decision: Decision, client: ServerClient | None, run_dir: Path, current: bool, dry_run: bool) -> Decision:
    """Register the student when the decision says so, a server is configured, and this is not a dry run."""
    from tunesmith.runs import RunDir

    if not decision.promote or client is None or dry_run:
        return decision
    if not RunDir(run_dir).is_adapter():
        decision.promote = False
        decision.reason += "; but the run is a full fine-tune and the server registers adapters only"
        return decision
    decision.path = str(run_dir.resolve())
    register(client, decision.adapter_name, decision.path, replace=current)
    decision.registered = True
    return decision


def _counts(traffic: Traffic, rows: list[dict], skipped: int, curated: Curated) -> dict[str, int]:
    return {
        "logged": len(traffic.served),
        "train_requests": len(traffic.train),
        "exported": curated.rows_in,
        "curated": curated.rows_out,
        "held_out": len(rows),
        "held_out_skipped": skipped,
    }
