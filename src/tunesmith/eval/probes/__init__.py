"""The forgetting probe's data (`instruction_following.jsonl`) and the deterministic builder that writes it."""
