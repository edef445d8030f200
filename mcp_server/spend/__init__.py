"""Spending safety: know the price first, never pay twice, never blow the budget.

Every paid create passes one gate (`gate.Gate`, called by the shared task path `tools.tasks.run_task`):

- `fingerprint`: the request's identity, files compared by content before anything is uploaded;
- `dedup`: an identical request within `UNIFICALLY_DEDUP_SECONDS` returns the task the first one created;
- `pricing`: the price, from the API's dry run (the same request `dry_run: true` sends), and 402 wording;
- `budget`: per-task, per-session (this process, per owner) and per-day (journal) limits, reserved atomically;
- `consent`: above `UNIFICALLY_CONFIRM_ABOVE`, the person's explicit accept (elicitation, or the 2026-07-28
  input-required round trip under sealed, single-use state); everything else is a no.
"""

from mcp_server.spend.budget import Limits, SessionLedger, SpendRefused, account_spending
from mcp_server.spend.consent import (
    Consent,
    ElicitConsent,
    InputRequired,
    NoConsent,
    RoundTripConsent,
    can_show_forms,
    state_security,
    uses_round_trip,
)
from mcp_server.spend.gate import Admitted, Gate, Request
from mcp_server.spend.pricing import explain_insufficient, quote

__all__ = ["Admitted", "Consent", "ElicitConsent", "Gate", "InputRequired", "Limits", "NoConsent", "Request",
           "RoundTripConsent", "SessionLedger", "SpendRefused", "account_spending", "can_show_forms",
           "explain_insufficient", "quote", "state_security", "uses_round_trip"]
