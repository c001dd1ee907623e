"""Recipe loading: overrides, typed validation, and errors that name the key and suggest the fix."""

from pathlib import Path

import pytest

from tunesmith.config import dump_recipe, load_recipe, validate_recipe
from tunesmith.errors import InputError
from tunesmith.train.methods.lora import Config as LoraConfig

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_overrides_parse_values_and_reach_method_params(tmp_path):
    path = write(tmp_path, "data: {train: d.jsonl}\nmethod: lora\n")
    recipe = load_recipe(path, ["train.learning_rate=1e-4", "method.r=8", "train.packing=true", "output.name=x"])
    assert recipe.train.learning_rate == pytest.approx(1e-4)
    assert isinstance(recipe.method, LoraConfig) and recipe.method.r == 8
    assert recipe.train.packing is True
    assert recipe.run_dir == Path("runs/x")


def test_run_name_defaults_to_train_file_stem():
    assert validate_recipe({"data": {"train": "data/support.jsonl"}}).run_dir == Path("runs/support")


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        ("data: {train: d.jsonl}\ntrain: {learning_rat: 1}\n", "train.learning_rat", "did you mean 'learning_rate'"),
        ("data: {train: d.jsonl}\nmethod: {name: lora, rr: 2}\n", "method.rr", "did you mean 'r'"),
        ("data: {train: d.jsonl}\nmethod: lorra\n", "method", "did you mean 'lora'"),
        ("dat: {train: d.jsonl}\n", "dat", "did you mean 'data'"),
        ("data: {train: d.jsonl}\ntrain: {learning_rate: fast}\n", "train.learning_rate", "valid number"),
        ("data: {train: d.jsonl}\ntrain: {batch_size: 0}\n", "train.batch_size", "greater than or equal to 1"),
        ("model: x\n", "data", "required key is missing"),
    ],
)
def test_bad_recipes_name_the_key(tmp_path, text, where, expected):
    with pytest.raises(InputError) as err:
        load_recipe(write(tmp_path, text))
    assert f"key '{where}'" in str(err.value)
    assert expected in str(err.value)


def test_bad_override_value_is_an_input_error(tmp_path):
    path = write(tmp_path, "data: {train: d.jsonl}\n")
    with pytest.raises(InputError, match="train.learning_rate"):
        load_recipe(path, ["train.learning_rate=abc"])
    with pytest.raises(InputError, match="section.key=value"):
        load_recipe(path, ["learning_rate"])


def test_invalid_yaml_names_the_line(tmp_path):
    with pytest.raises(InputError, match=r"recipe.yaml:\d+: not valid YAML"):
        load_recipe(write(tmp_path, "data:\n  train: a\n  bad: [\n"))


def test_missing_recipe_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_recipe(tmp_path / "nope.yaml")


def test_dumped_recipe_round_trips(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recipe = validate_recipe({"data": {"train": "d.jsonl"}, "method": {"name": "freeze", "trainable_layers": 3}})
    import yaml

    again = validate_recipe(yaml.safe_load(dump_recipe(recipe)))
    # relative paths are written out absolute, so a run's recipe.yaml means the same wherever it is read from
    assert again.data.train == tmp_path / "d.jsonl" and again.output.dir == tmp_path / "runs"
    assert again.model_dump(exclude={"data", "output"}) == recipe.model_dump(exclude={"data", "output"})
    assert yaml.safe_load(dump_recipe(recipe))["method"] == {"name": "freeze", **again.method.model_dump()}
    assert again.method.trainable_layers == 3
    assert type(again.method) is type(recipe.method)


# pipelines, flywheel recipes, rag settings, arena files and lm-eval tasks: validated by their own tests
NOT_RECIPES = (
    "examples/data/", "examples/flywheel/", "examples/knowledge/manuals.yaml", "examples/arena/",
    "examples/benchmarks/", "examples/federated/FED.yaml",
)  # fmt: skip
SHIPPED_RECIPES = sorted(p for p in ROOT.glob("examples/**/*.yaml") if not any(d in p.as_posix() for d in NOT_RECIPES))


@pytest.mark.parametrize("path", SHIPPED_RECIPES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_recipe_validates(path):
    from tunesmith.train.chain import is_chain, load_chain

    for recipe in load_chain(path) if is_chain(path) else [load_recipe(path)]:
        assert (ROOT / recipe.data.train).exists()  # a file, or a folder of documents (pretrain)
        if recipe.eval.file:
            assert (ROOT / recipe.eval.file).is_file()


def test_a_recipe_without_a_method_gets_lora_with_its_own_keys():
    recipe = validate_recipe({"data": {"train": "d.jsonl"}})
    assert recipe.method.name == "lora" and recipe.method.r == 16 and recipe.method.alpha == 32


def test_stage_defaults_to_sft_and_unknown_stage_suggests():
    assert validate_recipe({"data": {"train": "d.jsonl"}}).stage.name == "sft"
    assert validate_recipe({"data": {"train": "d.jsonl"}, "stage": "sft"}).stage.name == "sft"
    with pytest.raises(InputError, match="unknown stage 'sfd'; did you mean 'sft'"):
        validate_recipe({"data": {"train": "d.jsonl"}, "stage": "sfd"})
    with pytest.raises(InputError, match="key 'stage.beta': unknown key"):
        validate_recipe({"data": {"train": "d.jsonl"}, "stage": {"name": "sft", "beta": 0.1}})


def test_every_problem_is_shown_each_with_its_key(tmp_path):
    text = "data: {trian: d.jsonl}\ntrain: {learning_rat: 1, batch_size: 0, deepspeed: 5}\n"
    with pytest.raises(InputError) as err:
        load_recipe(write(tmp_path, text))
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'recipe.yaml'}: 5 problems:")
    assert "more problem" not in message
    lines = message.splitlines()[1:]
    assert [line.split("'")[1] for line in lines] == [
        "data.trian",
        "train.learning_rat",
        "data.train",
        "train.batch_size",
        "train.deepspeed",
    ]
    assert "did you mean 'train'" in lines[0] and "did you mean 'learning_rate'" in lines[1]
    assert "valid dictionary or instance of ZeroConfig or a valid string, got 5" in lines[4]


def test_relative_paths_are_read_from_the_recipe_folder_and_overrides_from_the_current_directory(tmp_path, monkeypatch):
    folder = tmp_path / "project" / "recipes"
    folder.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = write(
        folder, "data: {train: data/t.jsonl, tasks: [../more.jsonl]}\neval: {file: e.jsonl}\noutput: {dir: out}\n"
    )

    recipe = load_recipe(path, ["data.validation=v.jsonl"])
    assert recipe.data.train == folder / "data" / "t.jsonl"
    assert recipe.data.tasks == [tmp_path / "project" / "more.jsonl"]
    assert recipe.eval.file == folder / "e.jsonl" and recipe.run_dir == folder / "out" / "t"
    assert recipe.data.validation == Path("v.jsonl")  # typed on the command line: the current directory
    assert validate_recipe({"data": {"train": "d.jsonl"}}).run_dir == Path("runs/d")  # the default: here too


def test_a_chain_reads_its_paths_from_its_folder(tmp_path, monkeypatch):
    from tunesmith.train.chain import load_chain

    folder = tmp_path / "chain"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    text = "data: {train: sft.jsonl}\nstages:\n  - stage: sft\n  - {stage: dpo, data: {train: pairs.jsonl}}\n"
    first, second = load_chain(write(folder, text))
    assert first.data.train == folder / "sft.jsonl" and second.data.train == folder / "pairs.jsonl"


def test_a_missing_data_file_names_the_recipe_the_key_and_where_it_looked(tmp_path, monkeypatch, capsys):
    import sys

    from tunesmith.cli.main import main

    folder = tmp_path / "recipes"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    path = write(folder, "data: {train: data/train.jsonl}\n")
    monkeypatch.setattr(sys, "argv", ["tunesmith", "train", str(path)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{path}: key 'data.train': {folder / 'data' / 'train.jsonl'} not found" in err
    assert "read from that file's folder" in err
    assert not (tmp_path / "runs").exists()


def test_a_run_recipe_is_read_as_training_wrote_it(tmp_path, monkeypatch):
    from tunesmith.eval.compare import eval_config_for

    monkeypatch.chdir(tmp_path)
    run = tmp_path / "runs" / "old"
    run.mkdir(parents=True)
    # a run written before recipes recorded absolute paths: relative to where training ran (here)
    (run / "recipe.yaml").write_text("data: {train: d.jsonl}\neval: {file: data/eval.jsonl}\n", encoding="utf-8")
    assert eval_config_for(run).file == Path("data/eval.jsonl")
