"""The steps `train()` takes before it fits: checks that need nothing loaded, the plan, the tokenizer and the
model (with its method applied), and the run directory (made only once everything before it has worked)."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.config import Recipe, dump_recipe
from tunesmith.data.lengths import LengthLimit
from tunesmith.data.training import Chat, TrainingData, load_training_data
from tunesmith.errors import InputError
from tunesmith.models.loading import load_tokenizer
from tunesmith.models.resolve import resolve_model
from tunesmith.models.size import parameter_count
from tunesmith.models.templates import training_template
from tunesmith.progress import Progress
from tunesmith.runs import RunDir, checkpoint_step, read_jsonl
from tunesmith.train import auto, distributed
from tunesmith.train.methods import Method, TrainingPlan
from tunesmith.train.precision import frozen_weights, has_cuda, resolve_precision, trainable_in_float32
from tunesmith.train.sharding import check_gpu_only
from tunesmith.train.speedups.allocator import fix_mmap_threshold
from tunesmith.train.speedups.attention import attention_implementation
from tunesmith.train.stages import Stage, find_stage


def check_before_loading(
    recipe: Recipe, method: Method, resume: bool, overwrite: bool, progress: Progress
) -> tuple[Recipe, RunDir, str]:
    """Fail fast on what this machine or run directory cannot do; (recipe as it will run, run dir, precision)."""
    check_inputs(recipe)
    method.preflight(recipe.method)  # e.g. QLoRA without a GPU: say so before loading anything
    if not method.checkpoints_reload(recipe.method):
        if resume:
            raise InputError(
                "--resume",
                f"method '{recipe.method.name}' cannot resume from its checkpoints; start again with --overwrite",
            )
        if recipe.train.keep_best:
            progress.note(
                f"train.keep_best is off: PEFT cannot load '{recipe.method.name}' checkpoints back (peft#2256)"
            )
            recipe = recipe.model_copy(update={"train": recipe.train.model_copy(update={"keep_best": False})})
    run = RunDir(recipe.run_dir)
    if distributed.is_main() and run.root.exists() and any(run.root.iterdir()) and not (resume or overwrite):
        raise InputError(
            f"output '{run.root}'",
            "run directory already exists; pass --resume to continue it, --overwrite to replace it, "
            "or set output.name=NEW",
        )
    precision = resolve_precision(recipe.train.precision)
    check_gpu_only(recipe.train, has_cuda())
    if recipe.train.return_freed_memory:
        fix_mmap_threshold()  # freed activations go back to the system (speedups/allocator.py)
    return recipe, run, precision


def check_inputs(recipe: Recipe) -> None:
    """Every file the recipe reads exists; if not, the error names the recipe, the key and where it looked."""
    d = recipe.data
    named = [("data.train", d.train), ("data.validation", d.validation)]
    named += [(f"data.tasks[{i}]", task) for i, task in enumerate(d.tasks)]
    named += [("forgetting.replay_data", recipe.forgetting.replay_data), ("eval.file", recipe.eval.file)]
    for key, path in named:
        if path is not None and not Path(path).exists():
            raise InputError(
                f"{recipe.source}: key '{key}'",
                f"{Path(path).absolute()} not found (a relative path in a recipe file is read from that file's "
                "folder; in a key=value override, from the current directory)",
            )


def load_stage_data(recipe: Recipe, stage: Stage | None = None, lengths: LengthLimit | None = None) -> TrainingData:
    """The recipe's data in the shape its stage needs (tunesmith.data.training reads it); with `lengths`, chat
    records over `train.max_length` are reported and truncated, dropped or refused (`train.overlong`)."""
    stage = stage or find_stage(recipe.stage.name)
    rows = lengths
    shape = stage.needs(recipe.stage, recipe)
    if recipe.data.rag is not None and not isinstance(shape, Chat):
        problem = f"retrieved context (RAFT) is for chat SFT data, not the {recipe.stage.name} stage"
        raise InputError(f"{recipe.source}: key 'data.rag'", problem)
    if recipe.data.rag is not None:  # RAFT: retrieved context goes in first, so lengths are counted with it
        from tunesmith.rag.raft import raft_rows

        raft = raft_rows(recipe.data.rag, recipe.train.seed)
        rows = raft if lengths is None else (lambda file, found: lengths(file, raft(file, found)))
    return load_training_data(recipe.data, shape, recipe.train.seed, rows)


def length_limit(recipe: Recipe, tokenizer, progress: Progress) -> LengthLimit:
    """What the run does with chat records longer than `train.max_length` tokens of `tokenizer`."""
    return LengthLimit(tokenizer, recipe.train.max_length, recipe.train.overlong, progress)


def with_auto_values(recipe: Recipe, train_examples: int, lengths: LengthLimit, progress: Progress) -> Recipe:
    """The recipe with its `auto` train values resolved (train/auto.py); each value and its reasons are noted, and
    the run directory's recipe.yaml gets the numbers."""
    t = recipe.train
    if "auto" not in (t.learning_rate, t.batch_size, t.epochs):
        return recipe
    parameters = parameter_count(resolve_model(recipe.model, progress))
    work = auto.workload(recipe, parameters, train_examples, lengths.mean_tokens(), has_cuda())
    recipe, notes = auto.resolve(recipe, work)
    for note in notes:
        progress.note(note)
    return recipe


def training_plan(recipe: Recipe, train_examples: int) -> TrainingPlan:
    """The optimizer steps this run will take (as the trainer counts them) and its optimizer settings."""
    t = recipe.train
    if t.max_steps > 0:
        steps = t.max_steps
    else:
        per_epoch = max(1, math.ceil(train_examples / t.batch_size) // t.gradient_accumulation)
        steps = max(1, math.ceil(per_epoch * t.epochs))
    return TrainingPlan(total_steps=steps, learning_rate=t.learning_rate, weight_decay=t.weight_decay)


def with_replay(data: TrainingData, recipe: Recipe, progress: Progress) -> TrainingData:
    """The training data with `forgetting.replay` general examples mixed in (none asked: unchanged)."""
    if recipe.forgetting.replay == 0:
        return data
    if "messages" not in data.train.column_names:
        raise InputError(
            "forgetting.replay", f"replay mixes in chat examples; stage '{recipe.stage.name}' trains on other data"
        )
    from tunesmith.train.replay import add_replay

    model_path = resolve_model(recipe.model, progress)
    return TrainingData(add_replay(data.train, recipe, model_path, progress), data.validation)


def load_tokenizer_for(recipe: Recipe, stage: Stage, start_from: Path | None, progress: Progress):
    """(tokenizer, its own chat template): with `loss_on: assistant` a chat stage trains with a template that
    marks the assistant's tokens; the model's own template goes back before the tokenizer is saved."""
    source = str(RunDir(start_from).final) if start_from else resolve_model(recipe.model, progress)
    tokenizer = load_tokenizer(source)
    own_template = tokenizer.chat_template
    if recipe.train.loss_on == "assistant" and stage.uses_training_template:
        template = training_template(tokenizer)
        if template is None:
            raise InputError(
                f"model '{recipe.model}'",
                "its chat template has no {% generation %} markers and tunesmith ships none that matches it; "
                "set train.loss_on=all to train on every token",
            )
        tokenizer.chat_template = template
    return tokenizer, own_template


def load_model_for(
    recipe: Recipe, stage: Stage, method: Method, plan: TrainingPlan, precision: str, start_from, progress: Progress
):
    """The starting model, loaded as the stage and method need, with the method applied (or an earlier stage's
    adapter trained on). Adapter methods keep the frozen base in bf16 when training in bf16, adapters in fp32."""
    from transformers import set_seed

    set_seed(recipe.train.seed)  # adapter initialisation is part of the run: same recipe, same start
    quantization = method.quantization_config(recipe.method)
    frozen = frozen_weights(recipe.train.frozen_weights, precision, method.trains_base, quantization is not None)
    dtype = "bfloat16" if frozen == "bf16" else "float32"
    attention = attention_implementation(recipe.train.attention)
    model_path = resolve_model(recipe.model, progress)
    if start_from is not None and RunDir(start_from).is_adapter():
        model = _continue_adapter(stage.load_model(model_path, dtype=dtype, attn_implementation=attention), start_from)
    else:
        start = str(RunDir(start_from).final) if start_from else model_path
        base = stage.load_model(start, dtype=dtype, quantization_config=quantization, attn_implementation=attention)
        model = method.apply(base, recipe.method, plan)
    if dtype == "bfloat16":
        trainable_in_float32(model)
    return model


def _continue_adapter(base, start_from: Path):
    """The previous stage's PEFT adapter on the base, trainable: the next stage trains the same adapter on."""
    previous = RunDir(start_from)
    if not (previous.final / "adapter_config.json").is_file():
        raise InputError(str(previous.root), "only PEFT adapters (or full models) can start a later stage")
    from peft import PeftModel

    return PeftModel.from_pretrained(base, previous.final, is_trainable=True)


@contextmanager
def open_run_dir(run: RunDir, recipe: Recipe, resume: bool, overwrite: bool) -> Iterator[Path | None]:
    """The run directory, ready (recipe written, metrics cut back to the checkpoint); yields that checkpoint.

    Rank 0 owns it under torchrun. If building the trainer fails, a directory made here is removed again."""
    main = distributed.is_main()
    if overwrite and not resume and main:
        shutil.rmtree(run.root, ignore_errors=True)
    created = main and not run.root.exists()
    if main:
        run.root.mkdir(parents=True, exist_ok=True)
    try:
        checkpoint = run.last_checkpoint() if resume else None
        if main:
            write_text(run.recipe, dump_recipe(recipe))
            _drop_metrics_after(run, checkpoint)
        distributed.barrier()  # the other ranks start once rank 0 has the run directory ready
        yield checkpoint
    except BaseException:
        if created:  # nothing trained yet: leave no half-made run directory behind
            shutil.rmtree(run.root, ignore_errors=True)
        raise


def _drop_metrics_after(run: RunDir, checkpoint: Path | None) -> None:
    """On resume, forget metrics logged after the checkpoint (they will be logged again); else start empty."""
    rows = read_jsonl(run.metrics)
    kept = [] if checkpoint is None else [r for r in rows if r.get("step", 0) <= checkpoint_step(checkpoint)]
    write_text(run.metrics, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept))


def with_tool_format(data: TrainingData, tokenizer, cached: bool) -> TrainingData:
    """Chat data with tools or tool calls, made ready for this tokenizer's template (models/tool_calls.py).

    A template that renders tools itself gets the conversations tokenized here (tool-call arguments as dicts,
    as such templates expect; Arrow cannot hold them so); any other gets them rewritten in the fallback text
    format, which it renders like any chat. Data without tools is returned as it is."""
    if "messages" not in data.train.column_names:
        return data
    return TrainingData(*(_tool_ready(split, tokenizer, cached) for split in data))


def _tool_ready(split, tokenizer, cached: bool):
    from tunesmith.models.tool_calls import as_text, supports_tools

    if split is None or not _has_tools(split):
        return split
    tools = split["tools"] if "tools" in split.column_names else [None] * len(split)
    rows = [
        ([{k: v for k, v in m.items() if v is not None} for m in messages], json.loads(t) if t else None)
        for messages, t in zip(split["messages"], tools)
    ]
    if supports_tools(tokenizer.chat_template):
        from datasets import Dataset

        from tunesmith.models.templates import assistant_token_mask, has_generation_markers

        template = tokenizer.chat_template if has_generation_markers(tokenizer.chat_template) else None
        encoded = [assistant_token_mask(tokenizer, messages, template, t) for messages, t in rows]
        return Dataset.from_dict({"input_ids": [ids for ids, _ in encoded], "assistant_masks": [m for _, m in encoded]})
    from tunesmith.data.loading import to_dataset

    rewritten = to_dataset([{"messages": as_text(messages, t)} for messages, t in rows])
    if not cached:
        return rewritten
    from tunesmith.data.cache import on_disk

    return on_disk(rewritten)


def _has_tools(split) -> bool:
    """Whether a chat split lists functions or holds tool calls or results."""
    if "tools" in split.column_names and any(split["tools"]):
        return True
    return any(m.get("tool_calls") or m["role"] == "tool" for messages in split["messages"] for m in messages)
