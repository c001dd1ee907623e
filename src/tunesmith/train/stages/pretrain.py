"""Continued pretraining on raw text (domain adaptation): next-token loss on every token, packed by default.

`data.train` is a document file or folder (txt, md, html, pdf, docx, read by the data studio's readers) or a
JSON/JSONL file of records with a `text` field. Packing concatenates the texts into `train.max_length`
windows with per-document attention, so no compute is spent on padding.
"""

from __future__ import annotations

from tunesmith.config.stages import PretrainConfig as Config
from tunesmith.data.training import Text
from tunesmith.train.job import TrainJob
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages.base import Stage


def build_trainer(job: TrainJob, cfg: Config):
    """TRL's SFTTrainer in language-modelling mode: the `text` column, loss on every token."""
    from trl import SFTConfig, SFTTrainer

    args = SFTConfig(
        **training_args(job, SFTConfig),
        max_length=job.recipe.train.max_length,
        packing=cfg.packing,
        packing_strategy="bfd",
        dataset_text_field="text",
    )
    job.model.config.use_cache = False
    return make_trainer(SFTTrainer, job, args)


STAGE = Stage(needs=lambda cfg, recipe: Text(min_characters=cfg.min_characters), build_trainer=build_trainer)
