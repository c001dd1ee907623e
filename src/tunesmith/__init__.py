"""tunesmith: turn a generalist LLM into a specialist — data, training, evaluation, serving."""

__version__ = "0.1.0"
