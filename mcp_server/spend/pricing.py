"""Prices: learned one way only (the API's dry run, the same request `dry_run: true` sends), and written one way.

A 402 answer is reworded here with what the person needs to decide: the balance and the price of the request.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from mcp_server import errors as E

if TYPE_CHECKING:
    from mcp_server.client import UnificallyClient

log = logging.getLogger(__name__)
TOP_UP = "https://unifically.com/dashboard"


def usd(value: float | None) -> str:
    """Money as the person reads it: $0.40, $0.035, $12.00."""
    if value is None:
        return "an unknown amount"
    text = f"{value:,.4f}".rstrip("0")
    whole, _, cents = text.partition(".")
    return f"${whole}.{cents.ljust(2, '0')}"


def as_price(value: Any) -> float | None:
    """A quoted cost as a number, or None when the API gave none (or nonsense)."""
    if isinstance(value, bool):
        return None
    try:
        price = float(value)
    except (TypeError, ValueError):
        return None
    return price if math.isfinite(price) and price >= 0 else None


async def quote(client: UnificallyClient, model: str, api_input: dict[str, Any],
                callback_url: str | None = None) -> float | None:
    """The price of exactly this request, from the API's dry run (nothing is created or charged). A dry run the
    API refuses says so: a 402 with the balance, anything else as the pricing that failed, never as a create."""
    try:
        return await _dry_run(client, model, api_input, callback_url)
    except E.InsufficientBalance as error:
        await explain_insufficient(error, client, model, api_input, None, requote=False)
        raise
    except E.UnificallyError as error:
        error.message = f"Pricing the request (dry run) failed: {error.message.rstrip('.')}. Nothing was created."
        raise


async def _dry_run(client: UnificallyClient, model: str, api_input: dict[str, Any],
                   callback_url: str | None = None) -> float | None:
    data = await client.create_task(model, api_input, callback_url=callback_url, dry_run=True)
    return as_price(data.get("cost") if isinstance(data, dict) else None)


async def explain_insufficient(error: E.InsufficientBalance, client: UnificallyClient, model: str,
                               api_input: dict[str, Any], price: float | None, *, requote: bool = True) -> None:
    """Reword a 402 with the balance (from the account) and the request's price (quoted now if unknown, unless
    the 402 answered the dry run itself); a look-up that fails leaves that part out. Nothing was created, and
    the create is not retried."""
    balance = None
    try:
        account = await client.get_account()
        balance = as_price(account.get("balance_usd")) if isinstance(account, dict) else None
    except E.UnificallyError as exc:
        log.info("402: the balance could not be read: %s", exc.message)
    if price is None and requote:
        try:
            price = await _dry_run(client, model, api_input)
        except E.UnificallyError as exc:
            log.info("402: the request could not be priced: %s", exc.message)
    said = error.message.split(" Top up", 1)[0]  # the API's own words, without the generic advice
    costs = f"This {model} request costs {usd(price)}" if price is not None else \
        f"The price of this {model} request is not known"
    has = f"the balance is {usd(balance)}" if balance is not None else "the balance could not be read"
    error.message = (f"{said} {costs}; {has}. Nothing was created and it was not retried. Top up at {TOP_UP}, "
                     "then call again.")
