"""R3 for operators: `supportbot outbox list|retry`, and /healthz on dead letters, old posts and
a stuck scheduler pass."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Services
from bot.cli import main
from bot.commands.router import Router
from bot.jobs.scheduler import Scheduler
from bot.metrics import Metrics
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.server import Server
from bot.settings import Settings
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxItem, OutboxState, TargetKind
from bot.store.sql import open_store


def item(key: str, at: datetime, target: str = "C1") -> OutboxItem:
    return OutboxItem(key, Platform.SLACK, target, TargetKind.CHANNEL, {"text": key}, at)


async def seed(store: Store, at: datetime) -> dict[str, int]:
    """A pending post, a dead letter and a sent post; their ids by key."""
    async with store.unit_of_work() as uow:
        for key in ("waiting", "dead", "sent"):
            await uow.outbox.add(item(key, at))
        ids = {m.dedup_key: m.id for m in await uow.outbox.claim(10, "w", 30, at)}
        await uow.outbox.mark_dead(ids["dead"], "channel_not_found")
        await uow.outbox.mark_sent(ids["sent"], "1.2", at)
        await uow.outbox.release([ids["waiting"]], "w", attempted=False)
        await uow.commit()
    return ids


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, int]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("SUPPORTBOT_DATABASE_URL", url)

    async def prepare() -> dict[str, int]:
        store = await open_store(url, auto_upgrade=True)
        try:
            return await seed(store, datetime.now(UTC) - timedelta(minutes=5))
        finally:
            await store.close()

    return url, asyncio.run(prepare())


def states(url: str) -> dict[str, OutboxState]:
    async def read() -> dict[str, OutboxState]:
        store = await open_store(url)
        try:
            async with store.unit_of_work(read_only=True) as uow:
                rows = [await uow.outbox.get(n) for n in range(1, 4)]
        finally:
            await store.close()
        return {r.dedup_key: r.state for r in rows if r is not None}

    return asyncio.run(read())


def test_r3_outbox_list_shows_waiting_posts_and_list_dead_the_dead_letters_with_their_reason(
    cli_db: tuple[str, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, ids = cli_db
    assert main(["outbox", "list"]) == 0
    out = capsys.readouterr().out
    assert "[waiting]" in out and "[dead]" not in out and "[sent]" not in out
    assert main(["outbox", "list", "--dead"]) == 0
    out = capsys.readouterr().out
    assert f"{ids['dead']:>8}  slack" in out and "channel_not_found" in out and "[dead]" in out
    assert "supportbot outbox retry" in out


def test_r3_outbox_retry_requeues_a_dead_letter_with_a_fresh_budget(
    cli_db: tuple[str, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, ids = cli_db
    assert main(["outbox", "retry", str(ids["dead"])]) == 0
    assert "Re-queued outbox post" in capsys.readouterr().out
    assert states(url) == {
        "waiting": OutboxState.PENDING,
        "dead": OutboxState.PENDING,
        "sent": OutboxState.SENT,
    }
    assert main(["outbox", "retry", "--all-dead"]) == 0
    assert "No dead letters to re-queue." in capsys.readouterr().out


def test_r3_outbox_retry_refuses_unknown_and_delivered_ids_and_changes_nothing(
    cli_db: tuple[str, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, ids = cli_db
    before = states(url)
    assert main(["outbox", "retry", "999"]) == 1
    assert (
        "no outbox post 999; `supportbot outbox list --dead` shows them" in capsys.readouterr().err
    )
    assert main(["outbox", "retry", str(ids["sent"])]) == 1
    assert f"outbox post {ids['sent']} was delivered at" in capsys.readouterr().err
    assert main(["outbox", "retry", str(ids["dead"]), "--all-dead"]) == 1
    assert "give one post id or --all-dead" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["outbox", "retry", "abc"])
    assert "not an outbox post id: 'abc'" in capsys.readouterr().err
    assert states(url) == before
    assert main(["outbox", "retry", "--all-dead"]) == 0
    assert "Re-queued 1 dead letter(s)." in capsys.readouterr().out


# Slack configured (nothing is sent: these tests only read health), so its posts are this
# process's to deliver.
SLACK = {"slack_signing_secret": "s", "slack_bot_token": "xoxb-test"}


def server(store: Store, now: datetime, **settings: float | str) -> Server:
    config = PolicyConfig()
    svc = Services(Settings(**SLACK | settings), config, store, Router(store, config))  # type: ignore[arg-type]
    return Server(svc, Metrics(), scheduler=True, clock=lambda: now)


async def test_r3_healthz_is_unhealthy_with_reasons_when_dead_letters_exist_or_posts_wait_too_long(
    store: Store,
) -> None:
    now = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)
    up = server(store, now)
    assert up.scheduler is not None
    await up.scheduler.start()
    try:
        healthy = await up.health()
        assert (healthy["ok"], healthy["problems"]) == (True, [])
        await seed(store, now - timedelta(minutes=20))
        sick = await up.health()
        assert sick["ok"] is False
        assert sick["outbox"] == {"pending": 1, "dead": 1, "oldest_pending_seconds": 1200}
        assert any("1 dead letter(s)" in p for p in sick["problems"])
        assert any("oldest pending post has waited 1200 s" in p for p in sick["problems"])
        lenient = server(store, now, health_max_dead_letters=1, health_max_pending_age_seconds=3600)
        lenient.scheduler = up.scheduler
        assert (await lenient.health())["ok"] is True
        metrics = (await up.render_metrics(None)).body  # type: ignore[arg-type, attr-defined]
        assert b"supportbot_outbox_dead_letters 1.0" in metrics
        assert b"supportbot_outbox_oldest_pending_seconds 1200.0" in metrics
    finally:
        await up.scheduler.stop()
        await up.close_adapters()


async def test_r3_healthz_stays_healthy_while_posts_wait_for_a_platform_this_process_does_not_serve(
    store: Store,
) -> None:
    """A zero-config `serve` (no Slack, no Teams) still queues notices for the directory's
    channels; they wait for the platform to be configured, and are not late deliveries."""
    now = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)
    await seed(store, now - timedelta(minutes=20))  # Slack rows: one pending, one dead
    unconfigured = server(store, now, slack_signing_secret="", slack_bot_token="")
    try:
        report = await unconfigured.health()
        assert report["outbox"] == {
            "pending": 0,
            "dead": 1,
            "oldest_pending_seconds": 0,
            "waiting_for_platform": 1,
        }
        assert not any("oldest pending post" in p for p in report["problems"])
        async with store.unit_of_work(read_only=True) as uow:  # kept for when Slack is set up
            assert (await uow.outbox.backlog()).pending == 1
    finally:
        await unconfigured.close_adapters()


async def test_r3_healthz_is_unhealthy_while_a_sweep_pass_is_stuck(store: Store) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    ticks = [0.0]

    async def stuck(store: Store, config: PolicyConfig, now: datetime) -> int:
        started.set()
        await release.wait()
        return 0

    now = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)
    up = server(store, now)
    assert up.scheduler is not None
    up.scheduler = Scheduler(
        store,
        PolicyConfig(),
        {},
        interval_seconds=3600,
        clock=lambda: now,
        worker=up.worker,
        sweeps=[("stuck", stuck)],
        monotonic=lambda: ticks[0],
    )
    await up.scheduler.start()
    try:
        await started.wait()
        assert (await up.health())["ok"] is True
        ticks[0] = 301.0  # a pass running past SUPPORTBOT_HEALTH_STUCK_AFTER (300 s)
        up.worker.heartbeat = 300.0
        report = await up.health()
        assert report["ok"] is False
        assert report["problems"] == ["a sweep pass has been running for 301 s"]
    finally:
        release.set()
        await up.scheduler.stop()
        await up.close_adapters()
