"""Budgets: the price is known first; per-task, per-session and per-day limits refuse with nothing created, are
reserved atomically, released when the API provably created nothing and kept when the outcome is unknown."""

from __future__ import annotations

import anyio
import pytest

from mcp_server.settings import Settings
from mcp_server.simulator import Fault
from mcp_server.spend import SessionLedger
from mcp_server.spend.pricing import usd
from tests import hosted
from tests.conftest import make_sim, text_of
from tests.spend_support import DryRuns, PaidCreates, image, paid, serving, video

pytestmark = pytest.mark.anyio


async def test_dry_run_prices_and_creates_nothing(dirs, sim, mode):
    async with serving(dirs, sim, mode, max_spend_per_session=0.1) as client:
        result = await client.call_tool("create_task", video("a cat", dry_run=True))
        assert not result.is_error and result.structured_content["cost"] == 0.4
        assert "$0.4" in text_of(result)
    assert paid(sim) == [] and sim.created_tasks() == []


async def test_per_task_limit_refuses_with_price_limit_and_spend(dirs, sim):
    async with serving(dirs, sim, max_cost_per_task=0.3) as client:
        refused = await client.call_tool("create_task", video("a cat"))
        assert refused.is_error
        for part in ("$0.40", "$0.30", "UNIFICALLY_MAX_COST_PER_TASK", "$0.00 this session", "Nothing was created"):
            assert part in text_of(refused), part
        assert paid(sim) == []
        cheap = await client.call_tool("create_task", image("a cat"))
        assert not cheap.is_error and cheap.structured_content["cost"] == 0.04
        assert "Quoted price $0.04" in text_of(cheap)
    assert len(paid(sim)) == 1


async def test_per_session_limit_counts_what_was_sent(dirs, sim):
    async with serving(dirs, sim, max_spend_per_session=1.0) as client:
        for prompt in ("one", "two"):
            assert not (await client.call_tool("create_task", video(prompt))).is_error
        refused = await client.call_tool("create_task", video("three"))
        assert refused.is_error and "$0.80 has been spent in this session" in text_of(refused)
        assert "$1.00" in text_of(refused) and "UNIFICALLY_MAX_SPEND_PER_SESSION" in text_of(refused)
        assert not (await client.call_tool("create_task", image("four"))).is_error  # $0.84 still fits
        account = await client.call_tool("get_account", {})
        spending = account.structured_content["spending"]
        assert spending["spent_session_usd"] == pytest.approx(0.84)
        assert spending["max_spend_per_session_usd"] == 1.0 and "per session $1.00" in text_of(account)
    assert len(paid(sim)) == 3


async def test_per_day_limit_survives_a_restart(dirs, sim):
    async with serving(dirs, sim, max_spend_per_day=1.0) as first:
        for prompt in ("one", "two"):
            assert not (await first.call_tool("create_task", video(prompt))).is_error
    async with serving(dirs, sim, max_spend_per_day=1.0) as second:  # a new process: same journal, new session
        refused = await second.call_tool("create_task", video("three"))
        assert refused.is_error and "$0.80 has been spent today" in text_of(refused)
        assert "UNIFICALLY_MAX_SPEND_PER_DAY" in text_of(refused)
        spending = (await second.call_tool("get_account", {})).structured_content["spending"]
        assert spending["spent_today_usd"] == pytest.approx(0.8) and spending["spent_session_usd"] == 0
    assert len(paid(sim)) == 2


async def test_servers_sharing_a_journal_cannot_exceed_the_day_limit_together(dirs, sim):
    results = []
    async with serving(dirs, sim, max_spend_per_day=2.0) as one, serving(dirs, sim, max_spend_per_day=2.0) as two:
        async def create(client, prompt: str) -> None:
            results.append(await client.call_tool("create_task", video(prompt)))

        async with anyio.create_task_group() as group:
            for n in range(6):
                group.start_soon(create, one, f"one {n}")
                group.start_soon(create, two, f"two {n}")
    assert len(paid(sim)) == 5 == sum(not r.is_error for r in results)  # $2.00 at $0.40
    assert all("daily limit" in text_of(r) for r in results if r.is_error)


async def test_a_refused_create_releases_its_reservation(dirs, sim):
    async with serving(dirs, PaidCreates(sim, "refuse"), max_spend_per_session=0.8, max_spend_per_day=0.8) as client:
        refused = await client.call_tool("create_task", video("one"))
        assert refused.is_error and "(400)" in text_of(refused)
        for prompt in ("two", "three"):  # both fit again: the refused one costs nothing
            assert not (await client.call_tool("create_task", video(prompt))).is_error
    assert len(sim.created_tasks()) == 2


async def test_an_unknown_outcome_keeps_its_reservation(dirs, sim):
    async with serving(dirs, PaidCreates(sim, "drop"), max_spend_per_session=0.8) as client:
        lost = await client.call_tool("create_task", video("one"))
        assert lost.is_error and "NOT resent" in text_of(lost)
        assert not (await client.call_tool("create_task", video("two"))).is_error
        refused = await client.call_tool("create_task", video("three"))
        assert refused.is_error and "$0.80 has been spent" in text_of(refused)
    assert len(sim.created_tasks()) == 2 and len(paid(sim)) == 2  # the lost answer was not retried


async def test_an_unknown_outcome_stays_in_the_days_spend_after_a_restart(dirs, sim):
    async with serving(dirs, PaidCreates(sim, "drop"), max_spend_per_day=0.8) as client:
        assert (await client.call_tool("create_task", video("one"))).is_error  # its answer was lost
    async with serving(dirs, sim, max_spend_per_day=0.8) as client:  # a new process: the journal remembers
        assert not (await client.call_tool("create_task", video("two"))).is_error
        refused = await client.call_tool("create_task", video("three"))
        assert refused.is_error and "$0.80 has been spent today" in text_of(refused)
    assert len(paid(sim)) == 2


async def test_insufficient_balance_names_the_balance_and_the_price(dirs):
    sim = make_sim(task_seconds=0.6, balance_usd=0.1)
    async with serving(dirs, sim) as client:
        result = await client.call_tool("create_task", video("a cat"))
    assert result.is_error
    for part in ("Insufficient balance (402", "costs $0.40", "the balance is $0.10", "not retried"):
        assert part in text_of(result), part
    assert len(paid(sim)) == 1 and sim.created_tasks() == []


@pytest.mark.parametrize("answer", ["no price", "refused", "server error", "402"])
async def test_a_request_that_cannot_be_priced_creates_nothing(dirs, sim, answer):
    """The limits need the dry run's price: without one (none quoted, or the dry run failed), nothing is sent."""
    status, data = {"no price": (200, {}), "refused": (400, {"message": "Invalid parameter: prompt"}),
                    "server error": (500, {"message": "Internal"}), "402": (402, {"message": "Insufficient"})}[answer]
    async with serving(dirs, DryRuns(sim, status, data), max_spend_per_day=5.0) as client:
        refused = await client.call_tool("create_task", video("a cat"))
        priced = await client.call_tool("create_task", video("a cat", dry_run=True))
    assert refused.is_error and paid(sim) == [] and sim.created_tasks() == []
    expected = {"no price": "quoted no price", "refused": "Pricing the request (dry run) failed",
                "server error": "Pricing the request (dry run) failed", "402": "the balance is $100.00"}[answer]
    assert expected in text_of(refused) and "othing was created" in text_of(refused), text_of(refused)
    if answer == "no price":
        assert not priced.is_error and "$None" not in text_of(priced) and priced.structured_content["cost"] is None
    else:
        assert priced.is_error and expected in text_of(priced)


async def test_configured_prices_are_quoted(dirs):
    sim = make_sim(task_seconds=0.6, prices={"google/veo-3.1-fast": 1.25})
    async with serving(dirs, sim, max_cost_per_task=1.0) as client:
        refused = await client.call_tool("create_task", video("a cat"))
    assert refused.is_error and "$1.25" in text_of(refused) and paid(sim) == []


async def test_hosted_session_limit_is_per_user_and_server_process(dirs, sim):
    """HTTP mode: each user's spend through this process, whichever MCP session (or reconnection) it came by."""
    async with hosted.serving(hosted.hosted_settings(dirs, api_key=None, max_spend_per_session=0.5), sim,
                              hosted.user_key_http()) as url:
        async with hosted.connect(url, hosted.as_user(hosted.KEY_A)) as alice:
            assert not (await alice.call_tool("create_task", video("one"))).is_error
        async with hosted.connect(url, hosted.as_user(hosted.KEY_A)) as alice_again, \
                hosted.connect(url, hosted.as_user(hosted.KEY_B)) as bob:
            refused = await alice_again.call_tool("create_task", video("two"))
            assert refused.is_error and "$0.40 has been spent in this session" in text_of(refused)
            assert not (await bob.call_tool("create_task", video("three"))).is_error
            spending = (await bob.call_tool("get_account", {})).structured_content["spending"]
            assert spending["spent_session_usd"] == pytest.approx(0.4)
    assert len(paid(sim)) == 2


async def test_get_account_tells_the_limits_and_spend_even_without_a_balance(dirs, sim):
    async with serving(dirs, sim) as client:  # no limits: nothing is priced, so no spend is counted
        await client.call_tool("create_task", video("a cat"))
        assert "requests are not priced" in text_of(await client.call_tool("get_account", {}))
    sim.add_fault(Fault(kind="status", status=400, path="/account", message="Account service down", times=-1))
    async with serving(dirs, sim, max_spend_per_day=5.0) as client:
        await client.call_tool("create_task", video("a dog"))
        account = await client.call_tool("get_account", {})
    assert account.is_error and "Account service down" in text_of(account)
    for part in ("balance could not be read", "$0.40 this session", "per day $5.00"):
        assert part in text_of(account), part


def test_session_spend_is_per_owner_and_held_atomically():
    ledger = SessionLedger()
    held = ledger.hold("alice", 0.6, 1.0)
    assert held is not None and ledger.hold("alice", 0.6, 1.0) is None
    assert ledger.hold("bob", 0.6, 1.0) is not None  # another owner's session
    held.release()
    held.release()  # once only
    assert ledger.spent("alice") == 0 and ledger.hold("alice", 1.0, 1.0) is not None


def test_spending_settings_from_the_environment():
    settings = Settings.from_env({"UNIFICALLY_MAX_COST_PER_TASK": "2", "UNIFICALLY_MAX_SPEND_PER_SESSION": "5",
                                  "UNIFICALLY_MAX_SPEND_PER_DAY": "20", "UNIFICALLY_CONFIRM_ABOVE": "0.5",
                                  "UNIFICALLY_CONFIRM_TIMEOUT": "60", "UNIFICALLY_DEDUP_SECONDS": "0",
                                  "UNIFICALLY_REQUEST_STATE_KEY": "k" * 32})
    assert (settings.max_cost_per_task, settings.max_spend_per_session, settings.max_spend_per_day) == (2, 5, 20)
    assert (settings.confirm_above, settings.confirm_timeout, settings.dedup_seconds) == (0.5, 60, 0)
    assert "k" * 32 not in repr(settings)
    defaults = Settings.from_env({})
    assert defaults.max_spend_per_day is None and defaults.confirm_above is None and defaults.dedup_seconds == 600
    for bad in ({"UNIFICALLY_MAX_SPEND_PER_DAY": "-1"}, {"UNIFICALLY_REQUEST_STATE_KEY": "short"}):
        with pytest.raises(Exception, match="invalid configuration"):
            Settings.from_env(bad)
    assert [usd(v) for v in (0.4, 0.035, 12, 1234.5)] == ["$0.40", "$0.035", "$12.00", "$1,234.50"]
