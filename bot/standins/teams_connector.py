"""A local stand-in of the Bot Framework connector (Teams), on 127.0.0.1 only.

Records replies and proactive posts (a post to `{channel};messageid={root}` is a reply in that
thread), answers member lookups, serves files shared in a 1:1 chat (`downloadUrl`), and can
answer 429 or 502 for the next calls. Used by the adapter tests and by `supportbot demo`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Posted:
    conversation_id: str
    reply_to: str | None
    body: dict[str, Any]
    authorization: str | None

    @property
    def channel(self) -> str:
        """The conversation without its thread part."""
        return self.conversation_id.split(";", 1)[0]

    @property
    def thread(self) -> str | None:
        """The root message id when posted into a channel thread (`;messageid=`), else None."""
        _, _, root = self.conversation_id.partition(";messageid=")
        return root or self.reply_to

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [a["content"] for a in self.body.get("attachments", [])]

    @property
    def text(self) -> str:
        """Every text the post shows: message text, card TextBlocks and facts."""
        return "\n".join([self.body.get("text", ""), *map(card_text, self.cards)])


def card_text(card: Any) -> str:
    """All TextBlock texts, fact titles/values and input labels of a card, in order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(node.get(key), str) and node.get("type") != "Action.Submit":
                    found.append(node[key])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    return "\n".join(found)


@dataclass
class ConnectorStandIn:
    """The Bot Framework connector on 127.0.0.1: records posts, answers member lookups."""

    posts: list[Posted] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[int] = field(default_factory=list)  # statuses for the next calls
    retry_after: str | None = None
    calls: int = 0
    lookups: int = 0
    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> content (downloadUrl)
    downloads: list[tuple[str, str | None]] = field(default_factory=list)  # (name, Authorization)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        base = "/teams/v3/conversations"
        app.router.add_post(base, self._create)
        app.router.add_post(base + "/{cid}/activities", self._post)
        app.router.add_post(base + "/{cid}/activities/{rid}", self._post)
        app.router.add_get(base + "/{cid}/members/{mid}", self._member)
        app.router.add_get("/teams/files/{name}", self._download)
        return app

    def download_url(self, name: str) -> str:
        """Where a shared file's `downloadUrl` points (pre-authorised: no token is needed)."""
        return f"{self.url.rstrip('/')}/files/{name}"

    async def _download(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.downloads.append((name, request.headers.get("Authorization")))
        content = self.files.get(name)
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    def _fail(self) -> web.Response | None:
        self.calls += 1
        if not self.failures:
            return None
        status = self.failures.pop(0)
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        return web.json_response({"error": {"code": "Throttled"}}, status=status, headers=headers)

    async def _post(self, request: web.Request) -> web.Response:
        failed = self._fail()
        if failed is not None:
            return failed
        body = await request.json()
        posted = Posted(
            request.match_info["cid"],
            request.match_info.get("rid"),
            body,
            request.headers.get("Authorization"),
        )
        self.posts.append(posted)
        return web.json_response({"id": f"act-{next(self._ids)}"}, status=201)

    async def _create(self, request: web.Request) -> web.Response:
        failed = self._fail()
        if failed is not None:
            return failed
        body = await request.json()
        self.created.append(body)
        member = body["members"][0]["id"]
        return web.json_response({"id": f"a:1on1-{member}"}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        failed = self._fail()
        if failed is not None:
            return failed
        self.lookups += 1
        found = self.members.get(request.match_info["mid"])
        if found is None:
            return web.json_response({"error": {"code": "MemberNotFound"}}, status=404)
        return web.json_response(found)

    def to(self, conversation_id: str) -> list[Posted]:
        return [p for p in self.posts if p.conversation_id == conversation_id]

    def in_thread(self, channel: str, root: str) -> list[Posted]:
        """Posts into the thread under message `root` of `channel`."""
        return [p for p in self.posts if p.channel == channel and p.thread == root]
