"""Combine several runs' LoRA adapters into one (PEFT's `add_weighted_adapter`), written as a new run directory.

The result is a run like any other (`recipe.yaml` naming the base model, `final/` holding the adapter and its
tokenizer), so chat, eval, serve, `export merge` and the other exports take it unchanged; `combined.json` beside the
recipe says how it was made. Every refusal happens before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from tunesmith.atomic import atomic_dir, write_text
from tunesmith.config import dump_recipe, validate_recipe
from tunesmith.errors import InputError
from tunesmith.export.combine_sources import Source, check_sources
from tunesmith.models.loading import load_model, load_tokenizer
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir
from tunesmith.schema import unknown_name

COMBINED_FILE = "combined.json"

# Our name -> PEFT's combination_type. Task arithmetic (Ilharco et al. 2023: base + Σ wᵢ·ΔWᵢ) is PEFT's `cat`: it
# stacks the weighted A and B matrices, so the combined B·A is exactly Σ wᵢ·sᵢ·Bᵢ·Aᵢ (its rank is Σ rᵢ). PEFT's
# `linear` is not that sum: it adds the A's and the B's separately, (Σ √(wᵢsᵢ)·Bᵢ)(Σ √(wᵢsᵢ)·Aᵢ), which brings in
# cross terms Bᵢ·Aⱼ; it, ties, dare_* and magnitude_prune work on A and B separately and so need equal r. The
# `*_svd` forms apply their rule to the full ΔWᵢ and cut the result back to the largest r by SVD (`svd` alone: the
# task-arithmetic sum, truncated). ties and dare_ties elect each entry's sign from every source whatever its weight
# and average the agreeing ones, so a weight of 0 does not leave a source out.
COMBINATIONS = {
    "task_arithmetic": "cat",
    "svd": "svd",
    "linear": "linear",
    "ties": "ties",
    "ties_svd": "ties_svd",
    "dare_linear": "dare_linear",
    "dare_linear_svd": "dare_linear_svd",
    "dare_ties": "dare_ties",
    "dare_ties_svd": "dare_ties_svd",
    "magnitude_prune": "magnitude_prune",
    "magnitude_prune_svd": "magnitude_prune_svd",
}
SAME_RANK = ("linear", "ties", "dare_linear", "dare_ties", "magnitude_prune")
NEEDS_DENSITY = ("ties", "ties_svd", "dare_linear", "dare_linear_svd", "dare_ties", "dare_ties_svd")
NEEDS_DENSITY += ("magnitude_prune", "magnitude_prune_svd")
ELECTS_SIGN = ("ties", "ties_svd", "dare_ties", "dare_ties_svd")
SIGN_METHODS = ("total", "frequency")
COMBINED_ADAPTER = "default"  # PEFT saves the adapter named "default" at the folder's top level


@dataclass(frozen=True)
class Combination:
    """How to combine: the rule (a COMBINATIONS name), one weight per run (None: 1 each) and the rule's settings."""

    name: str = "task_arithmetic"
    weights: list[float] | None = None
    density: float | None = None  # ties/dare/magnitude_prune: the share of each adapter's entries kept
    majority_sign_method: str | None = None  # ties, dare_ties: "total" (PEFT's default) or "frequency"
    seed: int = 0  # DARE drops entries at random: the same seed gives the same adapter

    def weights_for(self, runs: int) -> list[float]:
        return list(self.weights) if self.weights is not None else [1.0] * runs

    def check(self, runs: int) -> None:
        """Refuse a rule, weights or settings that cannot combine `runs` adapters."""
        if self.name not in COMBINATIONS:
            hint = "; PEFT's 'cat' is called task_arithmetic here" if self.name == "cat" else ""
            raise InputError("--combine", unknown_name("combination", self.name, COMBINATIONS) + hint)
        if runs < 2:
            raise InputError(
                "runs", "combining needs two or more runs; to merge one run into its base, leave out --combine"
            )
        if self.weights is not None and len(self.weights) != runs:
            raise InputError("--weights", f"expected {runs} weights, one per run in order; got {len(self.weights)}")
        if self.name in NEEDS_DENSITY and self.density is None:
            raise InputError("--density", f"{self.name} keeps this share of each adapter's entries; give one in (0, 1]")
        if self.name not in NEEDS_DENSITY and self.density is not None:
            raise InputError("--density", f"{self.name} uses no density; only {', '.join(NEEDS_DENSITY)} do")
        if self.density is not None and not 0 < self.density <= 1:
            raise InputError("--density", f"expected a share in (0, 1]; got {self.density}")
        if self.majority_sign_method is not None:
            if self.name not in ELECTS_SIGN:
                raise InputError("--majority-sign-method", f"only {', '.join(ELECTS_SIGN)} elect a sign")
            if self.majority_sign_method not in SIGN_METHODS:
                raise InputError("--majority-sign-method", f"expected one of {', '.join(SIGN_METHODS)}")


@dataclass
class CombineResult:
    """The combined run directory, what made it, and (when asked) its scores beside the sources'."""

    run_dir: Path
    combination: str
    weights: list[float]
    r: int
    sources: list[str]
    evaluation: Any = None  # tunesmith.export.combine_eval.CombineEval
    report: Path | None = None  # combine_report.md, when evaluated


def parse_weights(text: str) -> list[float]:
    """`--weights 0.7,0.3` as numbers; anything else is an InputError."""
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise InputError(
            "--weights", f"expected comma-separated numbers, one per run, e.g. 0.7,0.3; got '{text}'"
        ) from None


def combine_runs(
    runs: list[str | Path],
    out: str | Path,
    how: Combination = Combination(),
    overwrite: bool = False,
    evaluate: bool = False,
    probe: bool = True,
    limit: int | None = None,
    progress: Progress = SILENT,
) -> CombineResult:
    """Combine the runs' LoRA adapters into the run directory `out` (atomically); with `evaluate`, score it and
    every source on each source's eval file (and the forgetting probe, with `probe`), reported beside it."""
    how.check(len(runs))
    out = Path(out)
    sources = check_sources(runs, how.name in SAME_RANK, progress)
    _check_out(out, sources, overwrite)
    weights = how.weights_for(len(sources))
    with atomic_dir(out) as tmp:
        run = RunDir(tmp)
        config = _write_adapter(sources, how, weights, run.final, progress)
        write_text(run.recipe, _recipe(sources, config, out))
        made = _provenance(how, weights, config.r, sources)
        write_text(tmp / COMBINED_FILE, json.dumps(made, indent=2) + "\n")
        result = CombineResult(out, how.name, weights, config.r, [s.label for s in sources])
        if evaluate:
            from tunesmith.export.combine_eval import REPORT_MD, evaluate_combination, write_combine_report

            result.evaluation = evaluate_combination(tmp, [(s.label, s.run) for s in sources], limit, probe, progress)
            write_combine_report(tmp, result.evaluation, made)
            result.report = out / REPORT_MD
    progress.note(f"Combined adapter ({how.name}, r={config.r}) written to {out}")
    return result


def _check_out(out: Path, sources: list[Source], overwrite: bool) -> None:
    """Refuse to write over a source run, or over anything already there unless `overwrite`."""
    for source in sources:
        if out.resolve() == source.run.resolve() or source.run.resolve() in out.resolve().parents:
            raise InputError(str(out), f"is (inside) the source run {source.run}; write the combination elsewhere")
    if out.exists() and (out.is_file() or any(out.iterdir())) and not overwrite:
        raise InputError(str(out), "already exists; choose another --out, or pass --overwrite to replace it")


def _write_adapter(sources: list[Source], how: Combination, weights: list[float], final: Path, progress: Progress):
    """Load the base with every source adapter, combine them with PEFT and save the result into `final`; returns
    the combined adapter's PEFT config."""
    import torch
    from peft import PeftModel

    progress.note(f"Combining {len(sources)} adapters with {how.name} (weights {weights})")
    names = [f"source-{i}" for i in range(len(sources))]
    model = PeftModel.from_pretrained(load_model(sources[0].base), str(sources[0].adapter), adapter_name=names[0])
    for name, source in zip(names[1:], sources[1:]):
        model.load_adapter(str(source.adapter), adapter_name=name)
    options = {"density": how.density, "majority_sign_method": how.majority_sign_method or "total"}
    with torch.random.fork_rng(devices=[]):  # DARE's random drops follow the seed, and leave the caller's RNG alone
        torch.manual_seed(how.seed)
        try:
            model.add_weighted_adapter(names, weights, COMBINED_ADAPTER, COMBINATIONS[how.name], **options)
        except ValueError as exc:  # what PEFT refuses and we did not foresee, said in its words
            raise InputError("--combine", f"PEFT cannot combine these adapters with {how.name}: {exc}") from None
    config = model.peft_config[COMBINED_ADAPTER]
    # PEFT folds each source's own scaling into the combined A and B and sets lora_alpha = r, meaning scaling 1, but
    # copies the first source's use_rslora, under which that scaling would be √r: the saved adapter says plain LoRA.
    config.use_rslora = False
    model.save_pretrained(str(final), selected_adapters=[COMBINED_ADAPTER])
    load_tokenizer(str(sources[0].adapter)).save_pretrained(str(final))
    return config


def _provenance(how: Combination, weights: list[float], r: int, sources: list[Source]) -> dict:
    """What `combined.json` records: the rule (ours and PEFT's name), its settings, the result's r, the sources."""
    settings = {k: v for k, v in asdict(how).items() if k not in ("name", "weights")}
    made = {"combination": how.name, "peft_combination_type": COMBINATIONS[how.name], "weights": weights, **settings}
    return made | {"r": r, "sources": [str(s.run.resolve()) for s in sources]}


def _recipe(sources: list[Source], config, out: Path) -> str:
    """The first source's recipe, made to describe the combination: plain LoRA at the combined r on the union of
    target modules, every source's training files listed as its data, and `out` as its run directory."""
    raw = yaml.safe_load(dump_recipe(sources[0].recipe))
    targets = config.target_modules
    raw["method"] = {
        "name": "lora",
        "r": config.r,
        "alpha": config.lora_alpha,
        "dropout": config.lora_dropout,
        "target_modules": targets if isinstance(targets, str) else sorted(targets),
    }
    files = [str(f) for s in sources for f in [s.recipe.data.train, *s.recipe.data.tasks]]
    raw["data"]["tasks"] = [f for f in dict.fromkeys(files) if f != str(sources[0].recipe.data.train)]
    raw["output"] = {"dir": str(out.parent.absolute()), "name": out.name}
    return dump_recipe(validate_recipe(raw, source=str(out / "recipe.yaml")))
