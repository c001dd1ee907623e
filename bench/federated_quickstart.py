"""Federated LoRA on the quickstart task: centralised vs FedAvg vs FedProx (vs with DP) vs each client alone.

    python bench/federated_quickstart.py [--out runs/bench-federated] [--rounds 5] [--local-steps 6]

The quickstart's 1,000 training records are split across 4 clients, non-IID by language and by field mix, by
examples/federated/split_clients.py (the example's own sites): `en_male` and `en_female` (English records with every
field, by the person's gender), `zh` (Chinese records with every field) and `gaps` (records of both languages with a
missing phone or city). The 200 eval records are split by the same rule, so each client is scored on records like
its own, and every model on all 200 (`overall`).

Each client trains `rounds × local_steps` steps in every arm (its own data alone, or in the federation); the
centralised run trains the same number of steps on the pooled data. Everything else is the quickstart recipe
(LoRA r16 on all linear layers, batch 8, learning rate 1e-3 with cosine decay), without its validation split.
Field accuracy comes with a 95% percentile-bootstrap interval over the eval records of each column. Each arm is
cached in `--out` (delete its folder to re-run it), so an interrupted bench resumes.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "examples" / "quickstart"


def _split_clients():
    """examples/federated/split_clients.py as a module: the one home of the non-IID rule."""
    path = ROOT / "examples" / "federated" / "split_clients.py"
    spec = importlib.util.spec_from_file_location("federated_split_clients", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SPLIT = _split_clients()
CLIENTS, client_of = SPLIT.SITES, SPLIT.site_of


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def split(out: Path) -> dict[str, dict[str, Path]]:
    """Per client (and `all`): its train and eval files under out/data."""
    files: dict[str, dict[str, Path]] = {}
    for part in ("train", "eval"):
        rows = read_jsonl(QUICKSTART / "data" / f"{part}.jsonl")
        for name in CLIENTS:
            mine = [r for r in rows if client_of(r) == name]
            files.setdefault(name, {})[part] = write_jsonl(out / "data" / name / f"{part}.jsonl", mine)
        files.setdefault("all", {})[part] = write_jsonl(out / "data" / "all" / f"{part}.jsonl", rows)
    return files


def overrides(train_file: Path, steps: int, out: Path, name: str) -> list[str]:
    """The quickstart recipe, changed only where the bench must: data, steps, no validation split, output."""
    return [
        f"data.train={train_file}",
        "data.validation_split=0.0",
        f"train.max_steps={steps}",
        "eval.forgetting_probe=false",
        f"output.dir={out}",
        f"output.name={name}",
    ]


def train_arm(train_file: Path, steps: int, out: Path, name: str) -> Path:
    """A centralised or single-client LoRA run (skipped when its folder already holds a finished run)."""
    from tunesmith.config import load_recipe
    from tunesmith.train.run import train

    recipe = load_recipe(QUICKSTART / "recipe.yaml", overrides(train_file, steps, out, name))
    result = train(recipe, resume=True)
    return Path(result.run_dir)


def federated_arm(files, out: Path, name: str, rounds: int, local_steps: int, extra: dict) -> tuple[Path, dict]:
    """A federation over the 4 clients (resumed after its last finished round); its last round's run and summary."""
    import yaml

    from tunesmith.config import dump_recipe, load_recipe
    from tunesmith.federate import federate, load_fed_config

    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    recipe = folder / "recipe.yaml"
    quick = load_recipe(QUICKSTART / "recipe.yaml", overrides(files["all"]["train"], local_steps, out, name))
    recipe.write_text(dump_recipe(quick), encoding="utf-8")
    fed = {
        "recipe": str(recipe),
        "clients": [{"name": c, "data": str(files[c]["train"])} for c in CLIENTS],
        "rounds": rounds,
        "local_steps": local_steps,
        "output": {"dir": str(folder), "name": "federation"},
        **extra,
    }
    fed_file = folder / "fed.yaml"
    fed_file.write_text(yaml.safe_dump(fed, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = federate(load_fed_config(fed_file))
    sent = [{"round": r.round, "bytes_down": r.bytes_down, "bytes_up": r.bytes_up} for r in result.rounds]
    return Path(result.rounds[-1].run_dir), {"dp": result.dp, "bytes": sent[-1] if sent else None}


def score(run: Path, files) -> dict[str, dict]:
    """Field accuracy with its interval on each client's eval records and on all of them, cached beside the run."""
    from tunesmith.arena.score import interval
    from tunesmith.config import load_run_recipe
    from tunesmith.eval import metrics as metric_fns
    from tunesmith.eval.run import evaluate
    from tunesmith.models.loading import source_for
    from tunesmith.runs import RunDir

    cached = run / "bench-federated-scores.json"
    if cached.is_file():
        return json.loads(cached.read_text(encoding="utf-8"))
    cfg = load_run_recipe(RunDir(run).recipe).eval.model_copy(update={"forgetting_probe": False, "limit": None})
    found = source_for(run)
    result = evaluate(found, files["all"]["eval"], cfg)
    refs = [row["reference"] for row in result.predictions]
    preds = [row["prediction"] for row in result.predictions]
    per = metric_fns.per_example("json", preds, refs, "field_accuracy", cfg.json_fields)
    groups = [client_of(r) for r in read_jsonl(files["all"]["eval"])]
    scores = {"overall": interval(per)}
    for name in CLIENTS:
        scores[name] = interval([s for s, g in zip(per, groups) if g == name])
    cached.write_text(json.dumps(scores, indent=2), encoding="utf-8")
    return scores


def epsilons(noises: list[float], sites: int, rounds: int, delta: float = 1e-5) -> list[tuple[float, float]]:
    """(noise multiplier, ε) as the federation's accountant reports it: client-level, every site every round."""
    from flwr.serverapp import GaussianPrivacyEvent, NeighboringRelation, PrivacyConfig, RdpAccountant, SamplingMethod

    found = []
    for noise in noises:
        privacy = PrivacyConfig(delta, sites, NeighboringRelation.ADD_OR_REMOVE_ONE, SamplingMethod.NO_AMPLIFICATION)
        accountant = RdpAccountant(privacy)
        accountant.compose(GaussianPrivacyEvent(noise, sites, sites), count=rounds)
        found.append((noise, accountant.get_epsilon(delta)))
    return found


def cell(found: dict) -> str:
    return f"{found['mean']:.3f} ({found['low']:.2f}–{found['high']:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/bench-federated"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--local-steps", type=int, default=6)
    parser.add_argument("--proximal-mu", type=float, default=0.1)
    parser.add_argument("--noise", type=float, default=0.001, help="DP arm: Gaussian noise multiplier")
    parser.add_argument("--clip", type=float, default=1.0, help="DP arm: clipping norm of each client's update")
    parser.add_argument("--arms", default="central,alone,fedavg,fedprox,fedavg_dp")
    parser.add_argument("--epsilons", help="only print ε for these comma-separated noise multipliers, and exit")
    args = parser.parse_args()
    if args.epsilons:
        where = f"{len(CLIENTS)} sites, {args.rounds} rounds, δ 1e-5"
        print(f"| noise multiplier | ε ({where}) | noise std on the mean update |")
        print("|---|---|---|")
        for noise, epsilon in epsilons([float(x) for x in args.epsilons.split(",")], len(CLIENTS), args.rounds):
            print(f"| {noise:g} | {epsilon:,.1f} | {noise * args.clip / len(CLIENTS):g} |")
        return
    out = args.out.resolve()
    files = split(out)
    steps = args.rounds * args.local_steps
    arms = args.arms.split(",")
    rows: list[tuple[str, dict]] = []
    if "central" in arms:
        rows.append(("centralised", score(train_arm(files["all"]["train"], steps, out, "central"), files)))
    if "alone" in arms:
        for name in CLIENTS:
            run = train_arm(files[name]["train"], steps, out, f"alone-{name}")
            rows.append((f"{name} alone", score(run, files)))
    fed_arms = {
        "fedavg": {"aggregation": {"strategy": "fedavg", "weighting": "examples"}},
        "fedprox": {"aggregation": {"strategy": "fedprox", "proximal_mu": args.proximal_mu, "weighting": "examples"}},
        "fedavg_dp": {
            "aggregation": {"strategy": "fedavg", "weighting": "equal"},  # Flower's DP wrappers average unweighted
            "dp": {"clipping_norm": args.clip, "noise_multiplier": args.noise},
        },
    }
    summaries = {}
    for arm, extra in fed_arms.items():
        if arm in arms:
            run, summaries[arm] = federated_arm(files, out, arm, args.rounds, args.local_steps, extra)
            rows.append((arm, score(run, files)))
    counts = {name: len(read_jsonl(files[name]["train"])) for name in CLIENTS}
    print(f"command: python bench/federated_quickstart.py {' '.join(sys.argv[1:])}")
    print(f"clients (train records): {counts}; {args.rounds} rounds × {args.local_steps} local steps, batch 8\n")
    print("| arm | overall | " + " | ".join(CLIENTS) + " |")
    print("|---|---|" + "---|" * len(CLIENTS))
    for label, found in rows:
        print(f"| {label} | {cell(found['overall'])} | " + " | ".join(cell(found[c]) for c in CLIENTS) + " |")
    for arm, summary in summaries.items():
        print(f"\n{arm}: {json.dumps(summary, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
