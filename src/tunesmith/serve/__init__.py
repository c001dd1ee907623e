"""Serving: an OpenAI-compatible API over a base model and its adapters, with a request log (the store)."""
