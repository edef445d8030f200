"""Budgets: a price per task, the spend of this server process per owner (the session), the spend per day.

Spend is the sum of the prices quoted for the tasks actually sent. The session figure lives in this process
(`SessionLedger`, keyed by owner: in HTTP mode each user has their own); the day figure lives in the journal
(it survives restarts and is shared by every server using that journal), counted from local midnight. Both are
reserved before a create is sent, released when the API provably created nothing, and kept when the outcome is
unknown.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mcp_server.errors import UnificallyError
from mcp_server.spend.pricing import usd

if TYPE_CHECKING:
    from mcp_server.journal import Journal
    from mcp_server.settings import Settings

EPSILON = 1e-9  # float sums of cents: a spend exactly at the limit is within it
ONLY_THE_PERSON = "Only the person running the server can change the limit; do not retry."


class SpendRefused(UnificallyError):
    """Refused before anything was sent (a limit, a missing confirmation, an unknown price): nothing was created."""


def day_start(now: datetime.datetime | None = None) -> float:
    """Local midnight of today, as a Unix timestamp (what the daily limit counts from)."""
    now = now or datetime.datetime.now().astimezone()
    return now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


@dataclass(frozen=True)
class Limits:
    per_task: float | None = None
    per_session: float | None = None
    per_day: float | None = None
    confirm_above: float | None = None

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.max_cost_per_task, settings.max_spend_per_session, settings.max_spend_per_day,
                   settings.confirm_above)

    @property
    def priced(self) -> bool:
        """True when a request must be priced before it is sent."""
        return any(value is not None for value in (self.per_task, self.per_session, self.per_day,
                                                   self.confirm_above))

    def needs_consent(self, price: float) -> bool:
        return self.confirm_above is not None and price > self.confirm_above + EPSILON

    def check(self, model: str, price: float, session: float, today: float | None) -> None:
        """Raise SpendRefused when `price` breaks a limit, given what was spent so far."""
        if self.per_task is not None and price > self.per_task + EPSILON:
            raise SpendRefused(f"Refused: this {model} request costs {usd(price)}, above the per-task limit of "
                               f"{usd(self.per_task)} (UNIFICALLY_MAX_COST_PER_TASK). Nothing was created. "
                               f"Spent so far: {spent_text(session, today)}. {ONLY_THE_PERSON}")
        if self.per_session is not None and session + price > self.per_session + EPSILON:
            raise SpendRefused(over_session(model, price, session, self.per_session))
        if self.per_day is not None and today is not None and today + price > self.per_day + EPSILON:
            raise SpendRefused(over_day(model, price, today, self.per_day))


def spent_text(session: float, today: float | None) -> str:
    return f"{usd(session)} this session" + (f", {usd(today)} today" if today is not None else "")


def over_session(model: str, price: float, spent: float, limit: float) -> str:
    return (f"Refused: this {model} request costs {usd(price)}; {usd(spent)} has been spent in this session and "
            f"the session limit is {usd(limit)} (UNIFICALLY_MAX_SPEND_PER_SESSION). Nothing was created. "
            f"{ONLY_THE_PERSON}")


def over_day(model: str, price: float, spent: float, limit: float) -> str:
    return (f"Refused: this {model} request costs {usd(price)}; {usd(spent)} has been spent today (since local "
            f"midnight) and the daily limit is {usd(limit)} (UNIFICALLY_MAX_SPEND_PER_DAY). Nothing was created. "
            f"{ONLY_THE_PERSON}")


class Hold:
    """Session spend reserved for one create; `release` gives it back (once) when nothing was created."""

    def __init__(self, ledger: SessionLedger, owner: str, amount: float) -> None:
        self._ledger, self._owner, self.amount = ledger, owner, amount
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._ledger.add(self._owner, -self.amount)


class SessionLedger:
    """What each owner has spent through this server process (quoted prices of the tasks sent)."""

    def __init__(self) -> None:
        self._spent: dict[str, float] = {}
        self._lock = threading.Lock()

    def spent(self, owner: str) -> float:
        with self._lock:
            return self._spent.get(owner, 0.0)

    def add(self, owner: str, amount: float) -> None:
        with self._lock:
            self._spent[owner] = max(0.0, self._spent.get(owner, 0.0) + amount)

    def hold(self, owner: str, price: float | None, limit: float | None) -> Hold | None:
        """Reserve `price` for `owner`, or None when that would exceed `limit` (check and add are one step)."""
        amount = price or 0.0
        with self._lock:
            current = self._spent.get(owner, 0.0)
            if limit is not None and current + amount > limit + EPSILON:
                return None
            self._spent[owner] = current + amount
        return Hold(self, owner, amount)


async def account_spending(settings: Settings, ledger: SessionLedger, journal: Journal, owner: str
                           ) -> dict[str, Any]:
    """The limits and the spend so far, as `get_account` shows them (today's spend is None when the journal
    cannot be read)."""
    limits = Limits.of(settings)
    try:
        today: float | None = round(await journal.spent(owner=owner, since=day_start()), 6)
    except UnificallyError:
        today = None
    return {"spent_session_usd": round(ledger.spent(owner), 6), "spent_today_usd": today,
            "max_cost_per_task_usd": limits.per_task, "max_spend_per_session_usd": limits.per_session,
            "max_spend_per_day_usd": limits.per_day, "confirm_above_usd": limits.confirm_above,
            "dedup_seconds": settings.dedup_seconds}


def spending_line(spending: dict[str, Any]) -> str:
    """`account_spending` in one sentence."""
    today = spending["spent_today_usd"]
    text = f"Spent through this server: {spent_text(spending['spent_session_usd'], today)} (quoted prices)."
    limits = [f"{label} {usd(spending[key])}" for label, key in (
        ("per task", "max_cost_per_task_usd"), ("per session", "max_spend_per_session_usd"),
        ("per day", "max_spend_per_day_usd"), ("confirm above", "confirm_above_usd")) if spending[key] is not None]
    if limits:
        return text + " Limits: " + ", ".join(limits) + "."
    return text + (" No spending limits are set, so requests are not priced before they are sent and the spend "
                   "above leaves them out (set UNIFICALLY_MAX_SPEND_PER_DAY or another limit to count it).")
