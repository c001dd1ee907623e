"""Evaluation: task metrics over generated outputs, judges, probes and the arena."""
