"""Token prices, shared by the flywheel's cost table and the arena's cost columns."""

from __future__ import annotations

from pydantic import Field

from tunesmith.schema import Strict


class TokenPrice(Strict):
    """Price per million tokens, input (prompt) and output (completion) apart."""

    input: float = Field(ge=0.0)
    output: float = Field(ge=0.0)


def token_cost(input_tokens: float, output_tokens: float, per_million: TokenPrice) -> float:
    """Tokens × price per million tokens, input and output priced apart."""
    return (input_tokens * per_million.input + output_tokens * per_million.output) / 1_000_000
