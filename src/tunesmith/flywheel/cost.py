"""The cost table: the tokens the teacher served (the store's counts) priced per million for teacher and student.

The student is priced on the same token counts: the same requests, answered at about the same length, by a
model whose price is a self-hosting estimate (set `prices.student` to what your serving costs you).
"""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.config.prices import TokenPrice, token_cost
from tunesmith.flywheel.config import PricesConfig
from tunesmith.serve.store import LoggedRequest


@dataclass
class CostRow:
    """One model serving the logged traffic: its tokens, prices per million and total cost."""

    role: str  # "teacher" or "student"
    model: str
    requests: int
    input_tokens: int
    output_tokens: int
    price_input: float
    price_output: float
    cost: float


@dataclass
class CostTable:
    currency: str
    teacher: CostRow
    student: CostRow

    @property
    def saving(self) -> float:
        """What serving the traffic with the student instead of the teacher saves."""
        return self.teacher.cost - self.student.cost

    @property
    def saving_share(self) -> float:
        """The saving as a share of the teacher's cost (0 when the teacher cost nothing)."""
        return self.saving / self.teacher.cost if self.teacher.cost else 0.0


def cost_table(served: list[LoggedRequest], prices: PricesConfig, teacher: str, student: str) -> CostTable:
    """The cost of the `served` requests' tokens at the teacher's and at the student's prices."""
    tokens_in = sum(entry.prompt_tokens for entry in served)
    tokens_out = sum(entry.completion_tokens for entry in served)

    def row(role: str, model: str, per_million: TokenPrice) -> CostRow:
        cost = token_cost(tokens_in, tokens_out, per_million)
        return CostRow(role, model, len(served), tokens_in, tokens_out, per_million.input, per_million.output, cost)

    return CostTable(prices.currency, row("teacher", teacher, prices.teacher), row("student", student, prices.student))
