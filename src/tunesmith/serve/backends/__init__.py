"""Backends the app serves through: transformers (here); an upstream proxy and vLLM implement the same Backend."""
