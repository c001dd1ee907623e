"""The cost table: tokens from the store times price per million, for the teacher and the student."""

from __future__ import annotations

import pytest

from tunesmith.config.prices import TokenPrice, token_cost
from tunesmith.flywheel.config import PricesConfig
from tunesmith.flywheel.cost import cost_table
from tunesmith.flywheel.report import cost_rows
from tunesmith.serve.store import LoggedRequest


def served(prompt_tokens: int, completion_tokens: int) -> LoggedRequest:
    return LoggedRequest(
        id=f"r{prompt_tokens}", endpoint="chat", model="big", output="", prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )  # fmt: skip


def test_cost_is_tokens_times_price_per_million_for_each_side():
    requests = [served(600_000, 200_000), served(400_000, 300_000)]  # 1M input, 0.5M output tokens
    table = cost_table(requests, PricesConfig(), "big", "small")
    assert (table.teacher.requests, table.teacher.input_tokens, table.teacher.output_tokens) == (2, 1_000_000, 500_000)
    assert table.teacher.cost == pytest.approx(1.0 * 2.50 + 0.5 * 10.00)  # 7.50
    assert table.student.cost == pytest.approx(1.0 * 0.05 + 0.5 * 0.20)  # 0.15
    assert table.saving == pytest.approx(7.35) and table.saving_share == pytest.approx(0.98)
    header, rows = cost_rows(table)
    assert header[-1] == "cost (USD)"
    assert rows == [
        ["teacher", "big", "2", "1,000,000", "500,000", "2.5", "10", "7.5000"],
        ["student", "small", "2", "1,000,000", "500,000", "0.05", "0.2", "0.1500"],
        ["saving", "", "", "", "", "", "", "7.3500 (98.0%)"],
    ]


def test_prices_are_configurable_and_a_free_teacher_saves_nothing():
    prices = PricesConfig(currency="EUR", teacher=TokenPrice(input=0, output=0), student=TokenPrice(input=1, output=3))
    table = cost_table([served(250_000, 100_000)], prices, "big", "small")
    assert table.student.cost == pytest.approx(0.25 * 1 + 0.1 * 3)
    assert table.saving == pytest.approx(-0.55) and table.saving_share == 0.0
    assert token_cost(0, 0, TokenPrice(input=5, output=5)) == 0.0
