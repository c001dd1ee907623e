"""A whole recipe queued as a job (the UI's Train page): checked, forced into its job folder, counted in steps, and
reported with the learning rate in each step's metrics."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from tests.jobs.conftest import chat_rows, jsonl
from tunesmith.config import validate_recipe
from tunesmith.jobs.create import JobRequestError, Trainer, create_recipe_job
from tunesmith.jobs.folder import job_folder
from tunesmith.jobs.spec import recipe_method_object, recipe_total_steps
from tunesmith.jobs.store import JobStore
from tunesmith.jobs.worker import SHOWN_NAMES, JobEvents


def recipe(path: Path, **sections):
    return validate_recipe({"model": "base", "data": {"train": str(path)}, **sections})


@pytest.fixture
def trainer(tmp_path):
    store = JobStore(f"sqlite:///{tmp_path / 'jobs.db'}")
    yield Trainer(store, tmp_path / "ft", "base", str(tmp_path / "base-model"), tokenizer=None)
    store.close()


def test_method_object_keeps_openai_shape(tiny_model_dir):
    cfg = recipe(Path("t.jsonl"), train={"epochs": 2, "batch_size": 4, "learning_rate": 1e-4})
    cfg.model = str(tiny_model_dir)  # the served base: the multiplier is of LoRA's auto rate for its size (2e-3)
    method = recipe_method_object(cfg)
    assert method["type"] == "supervised"
    hyperparameters = {"n_epochs": 2, "batch_size": 4, "learning_rate_multiplier": pytest.approx(0.05)}
    assert method["supervised"]["hyperparameters"] == hyperparameters
    auto = recipe_method_object(recipe(Path("t.jsonl")))["supervised"]["hyperparameters"]
    assert auto == {"n_epochs": "auto", "batch_size": "auto", "learning_rate_multiplier": "auto"}  # the run resolves
    assert method["tunesmith"] == {"method": "lora", "stage": "sft", "max_steps": -1}
    dpo = recipe_method_object(recipe(Path("t.jsonl"), stage={"name": "dpo", "beta": 0.2}))
    assert dpo["type"] == "dpo" and dpo["dpo"]["hyperparameters"]["beta"] == 0.2


def test_total_steps_follow_max_steps_or_epochs_after_the_split():
    assert recipe_total_steps(recipe(Path("t.jsonl"), train={"max_steps": 7}), 100) == 7
    # 24 examples, 10% held out (3): 21 train, batch 4 -> 6 batches an epoch, 2 epochs
    assert recipe_total_steps(recipe(Path("t.jsonl"), train={"epochs": 2, "batch_size": 4}), 24) == 12
    whole = {"train": "t.jsonl", "validation_split": 0.0}
    assert recipe_total_steps(recipe(Path("t.jsonl"), data=whole, train={"batch_size": 8, "epochs": 1}), 24) == 3
    # auto: batch at most a tenth of the 24 examples (2), epochs to show about 2,000 examples (at most 10)
    assert recipe_total_steps(recipe(Path("t.jsonl"), data=whole), 24) == 120


def test_recipe_job_is_queued_with_its_run_in_the_job_folder(tmp_path, trainer):
    train = tmp_path / "work" / "data" / "chat.jsonl"
    train.parent.mkdir(parents=True)
    train.write_bytes(jsonl(chat_rows(20)))
    cfg = recipe(train, train={"max_steps": 5}, output={"dir": "/elsewhere", "name": "x"})
    job = create_recipe_job(trainer, cfg, "key-1", shown={str(train): "data/chat.jsonl"}, suffix="ui")
    assert job.status == "queued" and job.total_steps == 5 and job.meta == {"data.train": "data/chat.jsonl"}
    stored = trainer.store.get_file(job.training_file, "key-1")
    assert stored.filename == "data/chat.jsonl" and stored.examples == 20
    folder = job_folder(trainer.root, job.id)
    written = yaml.safe_load(folder.recipe.read_text())
    assert written["model"] == trainer.base_path and written["data"]["train"] == str(train)
    assert Path(written["output"]["dir"]) / written["output"]["name"] == folder.run
    names = json.loads((folder.root / SHOWN_NAMES).read_text())
    assert names[str(train)] == "data/chat.jsonl" and names[str(folder.root)] == "the job"
    assert [e.message for e in trainer.store.events(job.id, limit=10)[0]][-1].startswith("Recipe validated")


def test_recipe_job_for_another_model_is_refused_and_leaves_nothing(tmp_path, trainer):
    train = tmp_path / "chat.jsonl"
    train.write_bytes(jsonl(chat_rows(20)))
    with pytest.raises(JobRequestError) as refused:
        create_recipe_job(trainer, recipe(train).model_copy(update={"model": "other"}), None, shown={})
    assert refused.value.param == "model" and "this server fine-tunes 'base'" in refused.value.message
    assert trainer.store.list_jobs(None, None, 10)[0] == []


class FakeStore:
    def __init__(self):
        self.events: list[tuple[str, dict]] = []

    def add_event(self, job_id, message, **data):
        self.events.append((message, data))

    def update_job(self, job_id, **values):
        return True


def test_step_events_carry_the_learning_rate_and_keep_openai_fields():
    store = FakeStore()
    job = SimpleNamespace(id="ftjob-x", total_steps=10)
    callback = JobEvents(store, job, folder=None)
    state = SimpleNamespace(global_step=3, max_steps=10)
    callback.on_log(None, state, None, logs={"loss": 1.5, "learning_rate": 1e-4, "mean_token_accuracy": 0.5})
    callback.on_log(None, state, None, logs={"eval_loss": 1.25})
    (_, train), (_, valid) = store.events
    assert train["metrics"] == {
        "step": 3, "train_loss": 1.5, "total_steps": 10, "train_mean_token_accuracy": 0.5, "learning_rate": 1e-4,
    }  # fmt: skip
    assert valid["metrics"] == {"step": 3, "valid_loss": 1.25, "total_steps": 10}
