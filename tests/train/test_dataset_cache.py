"""Training rows live on disk by content hash, so a second run reuses their tokenization."""

from __future__ import annotations

from transformers import TrainerCallback

from tunesmith.data.cache import cache_root, content_hash, on_disk
from tunesmith.train.run import train


class TrainFiles(TrainerCallback):
    """The Arrow files the trainer's (tokenized) training set is read from."""

    def on_train_begin(self, args, state, control, train_dataloader=None, **kwargs):
        self.files = [f["filename"] for f in train_dataloader.dataset.cache_files]


def _cache_files() -> dict[str, float]:
    return {str(p): p.stat().st_mtime_ns for p in cache_root().rglob("cache-*.arrow")}


def test_a_second_run_reads_the_first_runs_tokenization(make_recipe, tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESMITH_HOME", str(tmp_path / "home"))
    first, second, longer = TrainFiles(), TrainFiles(), TrainFiles()
    train(make_recipe(train={"max_steps": 1}, output={"dir": str(tmp_path / "a")}), callbacks=[first])
    written = _cache_files()
    assert written and set(first.files) <= set(written)  # the tokenized set lives in the content-addressed folder
    train(make_recipe(train={"max_steps": 1}, output={"dir": str(tmp_path / "b")}), callbacks=[second])
    assert second.files == first.files and _cache_files() == written  # read back, nothing redone
    shorter = make_recipe(train={"max_steps": 1, "max_length": 64}, output={"dir": str(tmp_path / "c")})
    train(shorter, callbacks=[longer])
    assert set(longer.files) != set(first.files)  # another truncation is another transform: new files


def test_the_folder_is_named_by_content(tmp_path, monkeypatch):
    from datasets import Dataset

    monkeypatch.setenv("TUNESMITH_HOME", str(tmp_path))
    rows = Dataset.from_dict({"text": ["a", "b", "c"]})
    same = Dataset.from_dict({"text": ["a", "b", "c"]})
    assert content_hash(rows) == content_hash(same) != content_hash(Dataset.from_dict({"text": ["a", "b", "d"]}))
    assert content_hash(rows.select([2, 0])) == content_hash(Dataset.from_dict({"text": ["c", "a"]}))
    loaded = on_disk(rows)
    assert loaded["text"] == ["a", "b", "c"] and loaded.cache_files[0]["filename"].startswith(str(cache_root()))
    assert on_disk(same).cache_files == loaded.cache_files
    assert not [p for p in cache_root().iterdir() if p.name.endswith(".tmp")]
