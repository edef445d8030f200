"""The gate every paid create passes, in order: an identical recent request, the price, the limits, the person's
consent, then one atomic reservation in the journal (dedup, daily limit and one-time consent checked together).

Used by the shared task path (`tools.tasks.run_task`) only; nothing here sends a create. A refusal raises
`SpendRefused` (an `isError` result: nothing was created); `consent.InputRequired` ends a 2026-07-28 round.
"""

from __future__ import annotations

import time as wallclock
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcp_server.spend.budget import (
    Hold,
    Limits,
    SessionLedger,
    SpendRefused,
    day_start,
    over_day,
    over_session,
    spent_text,
)
from mcp_server.spend.consent import Consent, Question, main_parameters
from mcp_server.spend.dedup import settle
from mcp_server.spend.fingerprint import fingerprint
from mcp_server.spend.pricing import quote, usd

if TYPE_CHECKING:
    from mcp_server.client import UnificallyClient
    from mcp_server.journal import Journal
    from mcp_server.localfiles import LocalFiles, ReadOnce
    from mcp_server.settings import Settings
    from mcp_server.timebase import TimeBase

UNPRICED = ("The API quoted no price for this request, so it cannot be checked against the spending limits or "
            "the confirmation threshold; nothing was created.")
ASK_IN_CHAT = "Ask the person whether to spend {price} on it; only if they agree, call again with confirm_spend: true."
REFUSALS = {
    "decline": "The person declined spending {price} on this {model} task; nothing was created. Do not retry "
               "unless they ask for it.",
    "cancel": "The confirmation of {price} for this {model} task was dismissed; nothing was created. Do not retry "
              "unless the person asks for it.",
    "timeout": "No answer to the confirmation of {price} for this {model} task within {timeout:g} s "
               "(UNIFICALLY_CONFIRM_TIMEOUT); nothing was created.",
    "unsupported": "This {model} task costs {price}, above the confirmation threshold of {threshold} "
                   "(UNIFICALLY_CONFIRM_ABOVE), and this client cannot show a confirmation form; nothing was "
                   "created. " + ASK_IN_CHAT,
    "failed": "The confirmation of {price} for this {model} task could not be shown (the client answered with an "
              "error); nothing was created. " + ASK_IN_CHAT,
}
NO_FORM = ("unsupported", "failed")  # outcomes where confirm_spend: true stands in for the form
CONSENT_USED = ("This confirmation was already used for a task; nothing new was created. Call again without it "
                "to be asked again.")


@dataclass(frozen=True)
class Request:
    """One logical request: the input as given (before uploads) and its fingerprint."""

    model: str
    given: dict[str, Any]
    fingerprint: str
    callback_url: str | None = None


@dataclass
class Admitted:
    """A reserved create (`row`, with its price held), or the identical request found instead (`duplicate`)."""

    row: int | None = None
    price: float | None = None
    duplicate: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    hold: Hold | None = None

    def release(self) -> None:
        """The API provably created nothing: give the session spend back (the journal row is discarded)."""
        if self.hold is not None:
            self.hold.release()


class Gate:
    def __init__(self, settings: Settings, journal: Journal, client: UnificallyClient, ledger: SessionLedger, *,
                 owner: str, time: TimeBase, patience: float) -> None:
        self.settings, self.journal, self.client, self.ledger = settings, journal, client, ledger
        self.owner, self.time, self.patience = owner, time, patience
        self.limits = Limits.of(settings)

    async def request(self, model: str, given: dict[str, Any], callback_url: str | None,
                      references: Iterable[tuple[str, str]], files: LocalFiles | ReadOnce) -> Request:
        digest = await fingerprint(model, given, owner=self.owner, callback_url=callback_url, references=references,
                                   files=files, cap=self.settings.max_upload_bytes, account=self.client.account)
        return Request(model, given, digest, callback_url)

    def dedup_since(self, allow_duplicate: bool) -> float | None:
        if allow_duplicate or self.settings.dedup_seconds <= 0:
            return None
        return wallclock.time() - self.time.real(self.settings.dedup_seconds)

    async def duplicate(self, request: Request, allow_duplicate: bool) -> dict[str, Any] | None:
        """An identical request within the window (waited for while its create is in flight), or None."""
        since = self.dedup_since(allow_duplicate)
        if since is None:
            return None
        found = await self.journal.find_duplicate(request.fingerprint, owner=self.owner, since=since)
        return await self._settle(found, request, since)

    async def admit(self, request: Request, sent: dict[str, Any], *, consent: Consent, confirmed: bool,
                    allow_duplicate: bool) -> Admitted:
        """Price `sent` (the input with uploads done), check the limits, ask when above the threshold, reserve."""
        limits, price = self.limits, None
        if limits.priced:
            price = await quote(self.client, request.model, sent, request.callback_url)
            if price is None:
                raise SpendRefused(UNPRICED)
        session = self.ledger.spent(self.owner)
        today = await self.journal.spent(owner=self.owner, since=day_start()) if limits.per_day is not None else None
        token = None
        if price is not None:
            limits.check(request.model, price, session, today)
            if limits.needs_consent(price):
                token = await self._confirm(request, price, consent, spent_text(session, today), confirmed)
        hold = self.ledger.hold(self.owner, price, limits.per_session)
        if hold is None:
            assert price is not None and limits.per_session is not None
            raise SpendRefused(over_session(request.model, price, self.ledger.spent(self.owner), limits.per_session))
        try:
            admitted = await self._reserve(request, sent, price, token, allow_duplicate)
        except BaseException:
            hold.release()
            raise
        if admitted.row is None:
            hold.release()
        else:
            admitted.hold = hold
        return admitted

    async def _confirm(self, request: Request, price: float, consent: Consent, spent: str, confirmed: bool
                       ) -> str | None:
        """The person's accept (its one-time token), or SpendRefused. `confirmed` (confirm_spend: the person
        agreed in chat) stands in for the form only where none can be shown: a client that can show one is asked
        all the same, so an agent cannot talk its way past the question."""
        question = Question(request.model, price, request.fingerprint, main_parameters(request.given), spent)
        decision = await consent.ask(question, self.settings.confirm_timeout)
        if decision.outcome == "accept":
            return decision.token
        if confirmed and decision.outcome in NO_FORM:
            return None
        raise SpendRefused(REFUSALS[decision.outcome].format(
            price=usd(price), model=request.model, timeout=self.settings.confirm_timeout,
            threshold=usd(self.limits.confirm_above)))

    async def _reserve(self, request: Request, sent: dict[str, Any], price: float | None, token: str | None,
                       allow_duplicate: bool) -> Admitted:
        per_day = self.limits.per_day
        for _ in range(3):  # an identical create in flight that ends refused leaves room: reserve again
            since = self.dedup_since(allow_duplicate)
            reservation = await self.journal.reserve(
                request.model, sent, owner=self.owner, fingerprint=request.fingerprint, price=price,
                dedup_since=since, day_since=day_start() if per_day is not None else None, day_limit=per_day,
                consent=token)
            if reservation.row is not None:
                return Admitted(row=reservation.row, price=price, notes=self._notes(price, reservation.spent))
            if reservation.refused == "day_limit":
                assert price is not None and per_day is not None
                raise SpendRefused(over_day(request.model, price, reservation.spent, per_day))
            if reservation.refused == "consent_used":
                raise SpendRefused(CONSENT_USED)
            assert since is not None
            if (settled := await self._settle(reservation.duplicate, request, since)) is not None:
                return Admitted(duplicate=settled)
        raise SpendRefused("Identical requests sent at the same time keep being refused by the API; nothing was "
                           "created. Call again.")

    async def _settle(self, found: dict[str, Any] | None, request: Request, since: float) -> dict[str, Any] | None:
        return await settle(self.journal, found, request.fingerprint, owner=self.owner, since=since,
                            time=self.time, budget=self.patience)

    def _notes(self, price: float | None, spent_before_today: float) -> list[str]:
        """What this task costs and what has been spent with it (the session hold already counts it)."""
        if price is None:
            return []
        today = spent_before_today + price if self.limits.per_day is not None else None
        return [f"Quoted price {usd(price)}; spent so far: {spent_text(self.ledger.spent(self.owner), today)}."]
