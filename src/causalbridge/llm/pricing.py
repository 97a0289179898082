"""A small price table so every usage report can show a cost estimate where the model is known.

Prices are USD per million tokens (input, output) from the providers' public pages as of 2025-05; they change,
so treat them as estimates. Dated snapshots (``gpt-4o-mini-2024-07-18``) match their family by longest prefix.
Unknown models get no estimate (``None``) rather than a wrong one; local models cost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Price:
    input_per_million: float
    output_per_million: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million) / 1e6


FREE = Price(0.0, 0.0)

PRICES: dict[str, Price] = {
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4-turbo": Price(10.00, 30.00),
    "gpt-3.5-turbo": Price(0.50, 1.50),
    "o3-mini": Price(1.10, 4.40),
    "o4-mini": Price(1.10, 4.40),
}


def price_for(model: str) -> Price | None:
    """The price of ``model`` (exact name or a dated snapshot of a known family), or None if unknown."""
    if model in PRICES:
        return PRICES[model]
    family = max((name for name in PRICES if model.startswith(name + "-")), key=len, default=None)
    return PRICES[family] if family else None
