"""Prometheus metrics of one process (PRODUCT.md `/metrics`), on a registry of its own.

A registry per application (not the global default) keeps tests and several apps in one process
independent. Handlers and jobs never import this: the composition root passes the observer
callbacks below into the router and the scheduler.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.jobs.scheduler import PassReport
from bot.messages import ChatRequest, Reply

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """Requests, handler latency, outbox health and what the scheduler sent."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "supportbot_requests",
            "Chat requests handled",
            ["platform", "verb", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "supportbot_handler_seconds",
            "Time to answer a chat request",
            ["platform", "verb"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "supportbot_outbox_pending", "Posts waiting in the outbox", registry=self.registry
        )
        self.outbox_oldest_age = Gauge(
            "supportbot_outbox_oldest_pending_seconds",
            "Age of the oldest pending post",
            registry=self.registry,
        )
        self.outbox_dead = Gauge(
            "supportbot_outbox_dead_letters",
            "Dead letters in the outbox (re-queue with `supportbot outbox retry`)",
            registry=self.registry,
        )
        self.throttled = Counter(
            "supportbot_delivery_throttled",
            "Posts a platform answered with 429 (the channel slowed down)",
            ["platform"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "supportbot_deliveries", "Posts delivered", ["platform"], registry=self.registry
        )
        self.retries = Counter(
            "supportbot_delivery_retries",
            "Delivery attempts to retry",
            ["platform"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "supportbot_dead_letters", "Posts given up on", ["platform"], registry=self.registry
        )
        self.notices = Counter(
            "supportbot_notices_queued",
            "Notifications queued by the scheduler",
            ["sweep"],
            registry=self.registry,
        )

    def observe_request(self, req: ChatRequest, reply: Reply, seconds: float) -> None:
        verb = req.command.verb or "unparsed"
        self.requests.labels(req.platform.value, verb, reply.outcome.value).inc()
        self.latency.labels(req.platform.value, verb).observe(seconds)

    def observe_pass(self, report: PassReport) -> None:
        """What one scheduler pass queued, per sweep (SLA warnings, incident posts, ...)."""
        for sweep, count in report.queued.items():
            if count:
                self.notices.labels(sweep).inc(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
