"""Training: methods decide what is trainable, stages decide the objective, `run.train` ties them together."""
