"""Continued pretraining on raw text (domain adaptation): next-token loss on every token, packed by default.

`data.train` is a document file or folder (txt, md, html, pdf, docx, read by the data studio's readers) or a
JSON/JSONL file of records with a `text` field. Packing (TRL's `bfd_split`) fills `train.max_length` windows with
the texts, per-document attention, and splits a text longer than a window across several windows, so no token of
a long document is dropped and no compute is spent on padding. Unpacked, each text keeps its first `max_length`
tokens, as SFT does.
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
        packing_strategy="bfd_split",  # "bfd" would keep only each document's first max_length tokens
        dataset_text_field="text",
    )
    job.model.config.use_cache = False
    return make_trainer(SFTTrainer, job, args)


STAGE = Stage(needs=lambda cfg, recipe: Text(min_characters=cfg.min_characters), build_trainer=build_trainer)
