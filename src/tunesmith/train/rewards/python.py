"""OpenAI's python grader: the config's `grade(sample, item)` scores each completion (None where it raises).

`sample` is `{"output_text": …}`, `item` the record's `item_fields`. This runs arbitrary code in the training
process; the jobs API refuses it unless the server was started with `--allow-code-graders`.
"""

from __future__ import annotations

from tunesmith.config.rewards import PythonConfig as Config
from tunesmith.train.rewards import text_of
from tunesmith.train.rewards.base import RewardKind


def columns(cfg: Config) -> list[str]:
    return list(cfg.item_fields)


def build(cfg: Config):
    namespace: dict = {"__name__": "tunesmith_python_grader"}
    exec(compile(cfg.source, "<python grader>", "exec"), namespace)  # noqa: S102 - the point of this grader
    grade = namespace["grade"]

    def python(prompts, completions, **kwargs) -> list[float | None]:
        scores: list[float | None] = []
        for i, completion in enumerate(completions):
            item = {field: kwargs[field][i] for field in cfg.item_fields}
            try:
                scores.append(float(grade({"output_text": text_of(completion)}, item)))
            except Exception:  # noqa: BLE001 - a grader that fails on one completion leaves it unscored
                scores.append(None)
        return scores

    return python


REWARD = RewardKind(build=build, columns=columns)
