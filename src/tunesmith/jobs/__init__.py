"""Fine-tuning jobs: a persistent queue of training requests with events and checkpoints, one runner for the
fine-tuning API (OpenAI's, self-hosted), the CLI and the UI."""
