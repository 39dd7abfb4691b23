"""`supportbot serve`: one aiohttp process with every platform, health, metrics and the scheduler.

Lifecycle: start the scheduler with the application; on SIGTERM/SIGINT stop accepting
connections, let in-flight requests and their after-ack work finish while the scheduler stops
(a sweep pass and posts on the wire get a grace period; posts not started are given back), then
close the store, all within 25 s.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.adapters.http import build_web_app
from bot.adapters.platform import ChatPlatform, Connection, Parts, WebHandler
from bot.adapters.registry import PLATFORMS, rate_limits
from bot.adapters.teams.auth import EMULATOR_WARNING
from bot.app import Services
from bot.directory import load_directory
from bot.jobs.delivery import Deliverer
from bot.jobs.health import HealthLimits, oldest_pending_seconds, outbox_report
from bot.jobs.outbox_worker import DeliveryHooks, DeliverySettings, OutboxWorker
from bot.jobs.pacing import Pacer
from bot.jobs.scheduler import Scheduler
from bot.jobs.sweeps import with_attachments
from bot.metrics import CONTENT_TYPE, Metrics
from bot.model import Platform
from bot.store.interface.outbox import OutboxMessage
from bot.store.sql import freeze_snapshots

log = logging.getLogger(__name__)
EXAMPLE_DIRECTORY = Path("examples/directory.yaml")
SHUTDOWN_GRACE_SECONDS = 25.0  # below Kubernetes' default 30 s termination grace period
EMULATOR_BANNER = "\n".join(
    [
        "!" * 78,
        "!! SUPPORTBOT_TEAMS_EMULATOR=1: Teams DEVELOPMENT mode. POST /api/messages accepts",
        "!! UNAUTHENTICATED activities from loopback clients (Bot Framework Emulator, Agents",
        "!! Playground) and replies only to loopback service URLs. Never in a deployment.",
        "!" * 78,
    ]
)
# A probe that hangs (a database that accepts connections but never answers) must not hang
# /healthz: the orchestrator's own probe timeout would hide the reason.
PROBE_SECONDS = 3.0


class Server:
    """The serving process: the platforms' adapters, scheduler and routes over one set of services.

    Every platform of `platforms` gets its route; the configured ones are connected (or taken
    from `connections`, which the demo uses to hand in adapters wired to its stand-ins), and
    their deliverers and rate limits go to the outbox worker.
    """

    def __init__(
        self,
        svc: Services,
        metrics: Metrics,
        scheduler: bool = True,
        clock: Callable[[], datetime] | None = None,
        connections: Mapping[Platform, Connection] | None = None,
        probe_seconds: float = PROBE_SECONDS,
        platforms: Sequence[ChatPlatform] = PLATFORMS,
    ) -> None:
        self.svc = svc
        self.probe_seconds = probe_seconds
        self.metrics = metrics
        self.clock = clock or (lambda: datetime.now(UTC))
        settings = svc.settings
        self.platforms = tuple(platforms)
        parts = Parts(svc.router, svc.store, settings, svc.config, self.clock)
        given = dict(connections or {})
        self.connections: dict[Platform, Connection] = {}
        for platform in self.platforms:
            # R10: a platform answers only when configured (Teams: with credentials or in the
            # explicit emulator mode); otherwise its route answers 503.
            connection = given.get(platform.platform)
            if connection is None and platform.configured(settings):
                connection = platform.connect(parts)
            if connection is not None:
                self.connections[platform.platform] = connection
        deliverers: dict[Platform, Deliverer] = {
            key: connection.deliverer for key, connection in self.connections.items()
        }
        self.deliverers = deliverers
        budget = settings.retry_budget_hours * 3600
        self.worker = OutboxWorker(
            svc.store,
            deliverers,
            DeliverySettings(retry_budget_seconds=budget),
            pacer=Pacer(rate_limits(self.platforms)),
            hooks=self._delivery_hooks(),
        )
        worker = self.worker
        self.limits = HealthLimits(
            settings.health_max_dead_letters,
            settings.health_max_pending_age_seconds,
            settings.health_stuck_after_seconds,
        )
        self.scheduler = (
            Scheduler(
                svc.store,
                svc.config,
                deliverers,
                settings.scheduler_interval_seconds,
                self.clock,
                worker=worker,
                on_pass=metrics.observe_pass,
                sweeps=with_attachments(svc.attachments),
            )
            if scheduler
            else None
        )
        # R10: with SUPPORTBOT_METRICS_PORT, /metrics lives only on its own (internal) listener.
        separate = settings.metrics_port is not None
        routes = [(p.route, self._handler(p)) for p in self.platforms]
        self.web = build_web_app(
            routes,
            self.health,
            None if separate else self.render_metrics,
        )
        self.metrics_web: web.Application | None = None
        if separate:
            self.metrics_web = web.Application()
            self.metrics_web.router.add_get("/metrics", self.render_metrics)
        self.web.on_startup.append(self._start)
        self.web.on_shutdown.append(self._stop)

    def _handler(self, platform: ChatPlatform) -> WebHandler | None:
        connection = self.connections.get(platform.platform)
        return connection.handle if connection is not None else None

    def _delivery_hooks(self) -> DeliveryHooks:
        def count(counter: Any) -> Callable[[OutboxMessage], None]:
            return lambda message: counter.labels(message.platform.value).inc()

        m = self.metrics
        return DeliveryHooks(
            count(m.deliveries), count(m.retries), count(m.dead_letters), count(m.throttled)
        )

    async def _start(self, _app: web.Application) -> None:
        if self.scheduler is not None:
            await self.scheduler.start()
        for platform in self.platforms:
            if platform.platform not in self.connections:
                log.warning(platform.route.disabled)

    async def _stop(self, _app: web.Application) -> None:
        # At once and side by side: the scheduler's grace must not wait for the requests' drain.
        stopping = [self.scheduler.stop()] if self.scheduler is not None else []
        stopping += [connection.drain() for connection in self.connections.values()]
        await asyncio.gather(*stopping)
        await self.close_adapters()

    async def close_adapters(self) -> None:
        """Close the platforms' HTTP sessions (the CLI's one-shot passes too)."""
        for connection in self.connections.values():
            await connection.close()

    async def health(self) -> Mapping[str, Any]:
        """/healthz: the database answers, the scheduler is alive, the outbox is moving (R3)."""
        try:
            async with asyncio.timeout(self.probe_seconds), self.svc.store.unit_of_work() as uow:
                backlog = await uow.outbox.backlog(delivering=self.connections)
        except Exception as err:  # TimeoutError included: the probe did not answer in time
            log.exception("health check: database unreachable")
            return {"ok": False, "database": f"unreachable: {type(err).__name__}"}
        now = self.clock()
        outbox, problems = outbox_report(backlog, now, self.limits)
        report: dict[str, Any] = {"database": "ok", "outbox": outbox}
        if self.scheduler is None:
            report["scheduler"] = "disabled"
        else:
            last = self.scheduler.last_pass_at
            problems += self.scheduler.problems(self.limits.stuck_after_seconds)
            stale = 3 * self.scheduler.interval_seconds + self.limits.stuck_after_seconds
            if last is not None and (now - last).total_seconds() > stale:
                problems.append(f"no sweep pass has finished since {last.isoformat()}")
            report["scheduler"] = {
                "alive": self.scheduler.running,
                "last_pass_at": last.isoformat() if last else None,
                "passes": self.scheduler.passes,
            }
        return {"ok": not problems, "problems": problems, **report}

    async def render_metrics(self, _request: web.Request) -> web.StreamResponse:
        async with self.svc.store.unit_of_work() as uow:
            backlog = await uow.outbox.backlog(delivering=self.connections)
        self.metrics.outbox_pending.set(backlog.pending)
        self.metrics.outbox_dead.set(backlog.dead)
        self.metrics.outbox_oldest_age.set(oldest_pending_seconds(backlog, self.clock()))
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})


async def load_example_directory_if_empty(svc: Services) -> None:
    """Zero configuration: an empty SQLite database gets `examples/directory.yaml`, and says so."""
    if not svc.settings.database_url.startswith("sqlite"):
        return
    async with svc.store.unit_of_work() as uow:
        if await uow.directory.accounts():
            return
    if not await asyncio.to_thread(EXAMPLE_DIRECTORY.is_file):
        log.warning("The directory is empty; load yours with `supportbot directory load FILE`.")
        return
    summary = await load_directory(svc.store, EXAMPLE_DIRECTORY, svc.config)
    message = (
        f"The database was empty: loaded the example directory {EXAMPLE_DIRECTORY} "
        f"({summary.accounts} accounts, {summary.contacts} contacts, {summary.staff} staff). "
        "Load your own with `supportbot directory load FILE`."
    )
    log.info(message)
    print(message, flush=True)


async def serve(
    svc: Services, metrics: Metrics, host: str, port: int, scheduler: bool = True
) -> None:
    """Serve until SIGTERM or SIGINT, then shut down gracefully."""
    if svc.settings.teams_emulator:
        # R10: development mode must be impossible to miss in the first lines of output.
        print(EMULATOR_BANNER, flush=True)
        log.warning(EMULATOR_WARNING)
    await load_example_directory_if_empty(svc)
    freeze_snapshots()  # no full GC pass walks the in-memory directory (#18, bench P10)
    await svc.store.directory()  # read the directory into memory before the first request
    await svc.store.warm()  # and open the pool's connections: a first request makes none
    server = Server(svc, metrics, scheduler)
    runner = web.AppRunner(server.web, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
    await site.start()
    runners = [runner]
    metrics_port = svc.settings.metrics_port
    if server.metrics_web is not None and metrics_port is not None:
        internal = web.AppRunner(server.metrics_web, handle_signals=False, access_log=None)
        await internal.setup()
        await web.TCPSite(internal, host, metrics_port).start()
        runners.append(internal)
        print(f"supportbot metrics on http://{host}:{metrics_port}/metrics", flush=True)
    print(
        f"supportbot serving on http://{host}:{port} "
        f"(scheduler {'on' if scheduler else 'off'}); Ctrl-C to stop",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.warning("shutting down: finishing in-flight requests and deliveries")
        for each in reversed(runners):
            await each.cleanup()
