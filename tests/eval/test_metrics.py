"""Hand-computed expectations for the generation metrics."""

import json

import pytest

from tunesmith.errors import InputError
from tunesmith.eval import metrics


def test_exact_match_strips_whitespace():
    assert metrics.exact_match([" yes\n", "no", "Maybe"], ["yes", "no ", "maybe"]) == {"exact_match": 2 / 3}


def test_classification_macro_scores_by_hand():
    refs = ["cat", "cat", "dog", "dog", "bird"]
    preds = [" Cat", "dog", "dog", "fish", "BIRD"]
    # cat: P=1/1 R=1/2 F=2/3; dog: P=1/2 R=1/2 F=1/2; bird: P=R=F=1; "fish" is simply wrong.
    scores = metrics.classification(preds, refs)
    assert scores["accuracy"] == pytest.approx(3 / 5)
    assert scores["macro_precision"] == pytest.approx((1 + 0.5 + 1) / 3)
    assert scores["macro_recall"] == pytest.approx((0.5 + 0.5 + 1) / 3)
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 0.5 + 1) / 3)


def test_extract_json_handles_fences_and_surrounding_text():
    assert metrics.extract_json('```json\n{"a": 1}\n```') == {"a": 1}
    assert metrics.extract_json('Sure! Here it is: {"a": {"b": [1, 2]}} Hope that helps {"c": 3}') == {
        "a": {"b": [1, 2]}
    }
    assert metrics.extract_json('use {curly} braces, then {"a": "}"}') == {"a": "}"}
    assert metrics.extract_json("no json here") is None
    assert metrics.extract_json("[1, 2, 3]") is None
    assert metrics.extract_json('{"a": 1') is None


def test_json_fields_one_invalid_and_one_wrong_field():
    refs = [
        '{"name": "Ann", "age": 30, "city": "Paris"}',
        '{"name": "Bob", "age": 41, "city": "Roma"}',
        '{"name": "Cy", "age": 52, "city": "Oslo"}',
        '{"name": "李雷", "age": 25, "city": null}',
    ]
    preds = [
        '```json\n{"name": "ＡＮＮ ", "age": "30", "city": "PARIS"}\n```',  # width, case, number as string
        'Here you go: {"name": "Bob", "age": 41.0, "city": "Rome"} done',  # city wrong
        "Sorry, I cannot help with that.",  # invalid: zero on every field
        '{"name": "李雷", "age": 25, "city": null}',
    ]
    scores = metrics.json_fields(preds, refs)
    assert scores == {
        "json_valid": 0.75,
        "field_accuracy": 8 / 12,
        "field_accuracy/name": 0.75,
        "field_accuracy/age": 0.75,
        "field_accuracy/city": 0.5,
    }


def test_json_fields_explicit_fields_and_missing_keys():
    refs = ['{"a": 1, "b": null}', '{"a": 2, "b": "x"}']
    preds = ['{"a": 1}', '{"a": 3, "b": "X", "extra": true}']
    # b is missing from the first prediction, which is not the same as null.
    assert metrics.json_fields(preds, refs, fields=["b"]) == {
        "json_valid": 1.0,
        "field_accuracy": 0.5,
        "field_accuracy/b": 0.5,
    }
    assert metrics.json_fields(preds, refs)["field_accuracy/a"] == 0.5


def test_json_fields_value_types_are_not_confused():
    refs = ['{"v": true}', '{"v": 1}', '{"v": null}', '{"v": "0"}']
    preds = ['{"v": 1}', '{"v": true}', '{"v": "null"}', '{"v": 0.0}']
    assert metrics.json_fields(preds, refs)["field_accuracy"] == 0.25


def test_json_fields_rejects_a_reference_that_is_not_json():
    with pytest.raises(InputError, match="reference 0"):
        metrics.json_fields(["{}"], ["not json"])


def test_rouge_l_scores_chinese_by_character():
    assert metrics.rouge_l(["今天天气很好"], ["今天天气很好"]) == {"rouge_l": pytest.approx(1.0)}
    # LCS 今天天气 = 4 of 6 characters on each side: P = R = F = 2/3.
    assert metrics.rouge_l(["今天天气不错"], ["今天天气很好"])["rouge_l"] == pytest.approx(2 / 3)
    assert metrics.rouge_l(["the cat sat", "完全不同"], ["The cat ran", "今天天气"])["rouge_l"] == pytest.approx(
        (2 / 3 + 0) / 2
    )


def test_bleu_range_and_chinese():
    assert metrics.bleu(["the quick brown fox jumps"], ["the quick brown fox jumps"]) == {"bleu": 1.0}
    assert metrics.bleu(["今天天气很好，我们去公园吧"], ["今天天气很好，我们去公园吧"]) == {"bleu": 1.0}
    assert metrics.bleu(["zzz yyy xxx www"], ["the quick brown fox"])["bleu"] == 0.0
    partial = metrics.bleu(["今天天气很好，我们去公园散步"], ["今天天气很好，我们去公园吧"])["bleu"]
    assert 0.0 < partial < 1.0


def test_compute_merges_chosen_metrics():
    refs = ['{"label": "a"}', '{"label": "b"}']
    scores = metrics.compute(["exact_match", "json"], refs, refs, json_fields=["label"])
    assert scores == {
        "exact_match": 1.0,
        "json_valid": 1.0,
        "field_accuracy": 1.0,
        "field_accuracy/label": 1.0,
    }
    all_scores = metrics.compute(list(metrics.METRICS), refs, refs)
    assert {"exact_match", "accuracy", "macro_f1", "json_valid", "rouge_l", "bleu"} <= all_scores.keys()


def test_compute_rejects_unknown_names_and_mismatched_lengths():
    with pytest.raises(InputError, match="rouge_l") as err:
        metrics.compute(["exact", "bleu"], ["a"], ["a"])
    assert err.value.where == "eval.metrics" and "unknown metric 'exact'; did you mean 'exact_match'?" in str(err.value)
    with pytest.raises(ValueError, match="2 predictions for 1 references"):
        metrics.compute(["exact_match"], ["a", "b"], ["a"])
    with pytest.raises(ValueError):
        metrics.exact_match(["a"], [])


def test_empty_inputs_score_zero():
    assert metrics.compute(list(metrics.METRICS), [], [])["exact_match"] == 0.0


def _call(name: str, **arguments) -> str:
    return f"<tool_call>\n{json.dumps({'name': name, 'arguments': arguments})}\n</tool_call>"


def test_tool_call_scores_function_arguments_and_needless_calls():
    from tunesmith.eval.metrics import tool_call

    refs = [_call("get_weather", city="Paris", unit="C"), _call("get_weather", city="Oslo", unit="C"), "Hello!", "Hi"]
    preds = [
        _call("get_weather", city="Paris", unit="C"),  # right
        _call("get_weather", city="oslo", unit="F"),  # right function, one field right (case-insensitive)
        _call("get_time", zone="UTC"),  # a call where none is needed
        "<tool_call>{not json</tool_call>",  # tried to call, did not parse: counts as no call, invalid
    ]
    scores = tool_call(preds, refs)
    assert scores["tool_call_accuracy"] == 0.5  # the first and the fourth (no parsed call, none needed)
    assert scores["tool_name_accuracy"] == 1.0
    assert scores["tool_args_exact"] == 0.5
    assert scores["tool_args_field_accuracy"] == 0.75
    assert scores["tool_args_valid"] == 0.75
    assert scores["tool_no_call_accuracy"] == 0.5


def test_tool_call_wrong_function_scores_no_fields():
    from tunesmith.eval.metrics import tool_call

    scores = tool_call([_call("b", x=1)], [_call("a", x=1)])
    assert scores["tool_name_accuracy"] == 0.0 and scores["tool_args_field_accuracy"] == 0.0


def test_contains_finds_a_short_answer_in_a_longer_reply():
    from tunesmith.eval.metrics import contains

    preds = ["The warranty is 27  Months.", "It holds 1.35 litres", "２７ months", "33 months"]
    refs = ["27 months", "1.35 litres.", "27 months", "27 months"]
    assert contains(preds, refs) == {"contains": 0.75}  # case, width, spaces and a final stop are ignored


def test_per_example_scores_average_to_the_headline():
    from tunesmith.eval.metrics import compute, per_example

    refs = ['{"name": "Ann", "age": 3}', '{"name": "Bo", "age": 4}']
    preds = ['{"name": "Ann", "age": 3}', '{"name": "Bo", "age": 5}']
    scores = per_example("json", preds, refs)
    assert scores == [1.0, 0.5]
    assert sum(scores) / 2 == compute(["json"], preds, refs)["field_accuracy"]
    assert per_example("json", preds, refs, score="json_valid") == [1.0, 1.0]
