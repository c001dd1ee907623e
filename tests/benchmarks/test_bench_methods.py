"""`tunesmith bench methods`: each method trains in its own process and lands as one row of figures."""

import pytest

from tunesmith.benchmarks.methods import bench_methods, markdown_table
from tunesmith.config import dump_recipe
from tunesmith.errors import InputError


def test_each_method_gets_its_own_measured_row(make_recipe, tmp_path):
    recipe_file = tmp_path / "recipe.yaml"
    recipe_file.write_text(dump_recipe(make_recipe()))
    rows = bench_methods(recipe_file, ["lora", "ia3"], tmp_path / "bench", steps=2, eval_limit=2, metric="exact_match")
    lora, ia3 = rows
    # auto's rates: the reference rates (lora 1e-3, ia3 1e-2) ×2, the bound for a model far below 135M parameters
    assert (lora.method, lora.learning_rate, ia3.learning_rate) == ("lora", 2e-3, 2e-2)
    per_layer = (32 + 32) + (32 + 16) * 2 + (32 + 32) + (32 + 64) * 2 + (64 + 32)  # in+out: q, k, v, o, gate, up, down
    assert lora.trainable == 2 * 4 * per_layer  # 2 layers, the recipe's r=4
    assert ia3.trainable < lora.trainable
    for row in rows:
        assert row.note == "" and row.val_loss > 0 and 0 <= row.task_metric <= 1
        assert row.peak_rss_mib > 100 and 0 < row.size_mib < 5 and row.seconds_per_step > 0
    table = markdown_table(rows, "exact_match")
    assert table.splitlines()[0].startswith("| method | lr | trainable") and "| ia3 | 0.02 |" in table


def test_unknown_methods_are_named(make_recipe, tmp_path):
    recipe_file = tmp_path / "recipe.yaml"
    recipe_file.write_text(dump_recipe(make_recipe()))
    with pytest.raises(InputError, match="unknown method\\(s\\) \\['loar'\\]"):
        bench_methods(recipe_file, ["loar"], tmp_path / "bench", steps=2, eval_limit=2, metric="exact_match")
