"""Training objectives, one module each: `build_trainer(...)` returns a ready TRL/transformers trainer."""
