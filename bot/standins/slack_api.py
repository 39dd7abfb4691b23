"""A local stand-in of the Slack Web API, in the spirit of bolt-python's mock_web_api_server.

Used by the adapter tests and by `supportbot demo`; it listens on 127.0.0.1 only.

An aiohttp server on 127.0.0.1 (random port) that answers the methods the adapter calls,
records every call (method, body, monotonic time) and can be told to answer 429 with
`Retry-After` or 500 for the next few calls or for a while (`storm`), or to answer slowly.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.test_utils import TestServer

BOT_USER_ID = "UBOT"


@dataclass(frozen=True)
class Call:
    """One request the stand-in received."""

    method: str  # the Web API method, or "response_url" for posts to a response_url
    body: dict[str, Any]
    at: float  # time.monotonic() when it arrived
    status: int  # what the stand-in answered
    answer: dict[str, Any] = field(default_factory=dict)  # the JSON it answered with


@dataclass(frozen=True)
class HostedFile:
    """A file a user shared, as Slack hosts it: served only with the bot token (files:read)."""

    id: str
    name: str
    mimetype: str
    content: bytes
    user: str = "UALICE"


@dataclass
class Failure:
    status: int
    remaining: int
    retry_after: int | None = None
    error: str | None = None  # a Slack error code answered with HTTP 200 and ok=false


@dataclass
class SlackStandIn:
    """Serves the Slack Web API on 127.0.0.1; `base_url` goes into SLACK_API_URL."""

    emails: dict[str, str] = field(default_factory=dict)  # user id -> profile e-mail
    # user id -> the user's home workspace (default T1) and Enterprise Grid id (default none)
    homes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    server: TestServer | None = None
    storm_until: float = 0.0  # time.monotonic(): until then every call is answered `storm_status`
    storm_status: int = 429
    storm_retry_after: int | None = 3
    delay_seconds: float = 0.0  # a slow platform: wait this long before answering a post
    files: dict[str, HostedFile] = field(default_factory=dict)  # file id -> the shared file
    token: str | None = None  # when set, file downloads need `Authorization: Bearer {token}`
    # (channel, ts) -> a message people wrote, for conversations.replies (the capture prefill)
    history: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        if self.server is None:
            raise RuntimeError("the stand-in is not started")
        return str(self.server.make_url("/api/"))

    def response_url(self, name: str) -> str:
        """A response_url for a slash command or interaction that lands here."""
        if self.server is None:
            raise RuntimeError("the stand-in is not started")
        return str(self.server.make_url(f"/response/{name}"))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # the sdk GETs some methods (users.info)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/files-pri/{id}/download/{name}", self._download)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    def fail_next(
        self,
        count: int,
        status: int,
        retry_after: int | None = None,
        error: str | None = None,
    ) -> None:
        """Answer the next `count` calls with `status` (429 with Retry-After, 500, or 200 + error)."""
        self.failures.append(Failure(status, count, retry_after, error))

    def storm(self, seconds: float, status: int = 429, retry_after: int | None = 3) -> None:
        """Answer every call with `status` (429 with Retry-After, or a 5xx) for `seconds`."""
        self.storm_until = time.monotonic() + seconds
        self.storm_status, self.storm_retry_after = status, retry_after

    def said(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """Remember a message a person wrote (as Slack stores it); its event fields."""
        ts = f"1700000001.{next(self._ts):06d}"
        message: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts}
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        self.history[(channel, ts)] = message
        return {**message, "channel": channel}

    def share(self, file: HostedFile) -> dict[str, Any]:
        """Host `file` and return its object as message events and files.info carry it."""
        self.files[file.id] = file
        return self._file_object(file)

    def _file_object(self, file: HostedFile) -> dict[str, Any]:
        if self.server is None:
            raise RuntimeError("the stand-in is not started")
        download = self.server.make_url(f"/files-pri/{file.id}/download/{file.name}")
        return {
            "id": file.id,
            "name": file.name,
            "title": file.name,
            "mimetype": file.mimetype,
            "filetype": file.name.rsplit(".", 1)[-1],
            "user": file.user,
            "size": len(file.content),
            "mode": "hosted",
            "is_external": False,
            "url_private": str(download).replace("/download/", "/"),
            "url_private_download": str(download),
        }

    @staticmethod
    def posted_ts(call: Call) -> str:
        """The ts Slack gave the message a chat.postMessage call posted."""
        return str(call.answer["ts"])

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def posted(self) -> list[Call]:
        """Successful message posts of any kind, in order."""
        kinds = {"chat.postMessage", "chat.postEphemeral", "response_url"}
        return [call for call in self.calls if call.method in kinds and call.status == 200]

    async def _body(self, request: web.Request) -> dict[str, Any]:
        # The sdk sends some methods' arguments (e.g. conversations.open) as query parameters.
        query: dict[str, Any] = dict(request.query)
        raw = await request.text()
        if request.content_type == "application/json":
            loaded = json.loads(raw) if raw else {}
            return {**query, **loaded} if isinstance(loaded, dict) else {**query, "_": loaded}
        form: dict[str, Any] = {**query, **dict(parse_qsl(raw))}
        for key in ("blocks", "view"):
            if isinstance(form.get(key), str):
                form[key] = json.loads(form[key])
        return form

    def _failure(self) -> Failure | None:
        if time.monotonic() < self.storm_until:
            return Failure(self.storm_status, 1, self.storm_retry_after)
        for failure in self.failures:
            if failure.remaining > 0:
                failure.remaining -= 1
                return failure
        return None

    def _fail(self, failure: Failure) -> web.Response:
        if failure.error is not None:
            return web.json_response({"ok": False, "error": failure.error}, status=failure.status)
        headers = (
            {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
        )
        error = "ratelimited" if failure.status == 429 else "internal_error"
        return web.json_response(
            {"ok": False, "error": error}, status=failure.status, headers=headers
        )

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        if self.delay_seconds and method == "chat.postMessage":
            await asyncio.sleep(self.delay_seconds)
        failure = self._failure()
        if failure is not None:
            self.calls.append(Call(method, body, time.monotonic(), failure.status))
            return self._fail(failure)
        answer = self._answer(method, body)
        self.calls.append(Call(method, body, time.monotonic(), 200, answer))
        return web.json_response(answer)

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        ts = f"1700000000.{next(self._ts):06d}"
        match method:
            case "auth.test":
                return {
                    "ok": True,
                    "url": "https://example.slack.com/",
                    "team": "Example",
                    "user": "supportbot",
                    "team_id": "T1",
                    "user_id": BOT_USER_ID,
                    "bot_id": "BBOT",
                }
            case "chat.postMessage" | "chat.update":
                message = {"type": "message", "text": body.get("text", ""), "ts": ts}
                if body.get("thread_ts"):
                    message["thread_ts"] = body["thread_ts"]
                return {"ok": True, "channel": body.get("channel"), "ts": ts, "message": message}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            case "views.open" | "views.publish":
                return {"ok": True, "view": {"id": f"V{ts}", **(body.get("view") or {})}}
            case "users.info":
                user = str(body.get("user", ""))
                email = self.emails.get(user)
                if email is None and user not in self.emails:
                    return {"ok": False, "error": "user_not_found"}
                team, enterprise = self.homes.get(user, ("T1", None))
                found: dict[str, Any] = {"id": user, "team_id": team, "profile": {"email": email}}
                if enterprise is not None:
                    found["enterprise_user"] = {"id": user, "enterprise_id": enterprise}
                return {"ok": True, "user": found}
            case "conversations.replies":
                said = self.history.get((str(body.get("channel")), str(body.get("ts"))))
                if said is None:
                    return {"ok": False, "error": "thread_not_found"}
                return {"ok": True, "messages": [said], "has_more": False}
            case "files.info":
                hosted = self.files.get(str(body.get("file", "")))
                if hosted is None:
                    return {"ok": False, "error": "file_not_found"}
                return {"ok": True, "file": self._file_object(hosted)}
            case "conversations.open":
                return {"ok": True, "channel": {"id": f"D-{body.get('users', '')}"}}
        return {"ok": False, "error": "unknown_method"}

    def acknowledged(self, name: str, ack_body: bytes) -> None:
        """Record a slash command's answer that rode on its HTTP acknowledgement.

        Slack shows such a message exactly like one posted to the command's response_url, so it
        is recorded as that, under the same name.
        """
        if not ack_body.strip():
            return
        loaded = json.loads(ack_body)
        if isinstance(loaded, dict) and ("blocks" in loaded or "text" in loaded):
            self.calls.append(
                Call("response_url", {**loaded, "_name": name}, time.monotonic(), 200)
            )

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        body["_name"] = request.match_info["name"]
        failure = self._failure()
        if failure is not None:
            self.calls.append(Call("response_url", body, time.monotonic(), failure.status))
            return self._fail(failure)
        self.calls.append(Call("response_url", body, time.monotonic(), 200))
        return web.Response(text="ok")

    async def _download(self, request: web.Request) -> web.Response:
        """`url_private_download`: the content, for the bot token only (as Slack does)."""
        hosted = self.files.get(request.match_info["id"])
        sent = request.headers.get("Authorization")
        allowed = self.token is None or sent == f"Bearer {self.token}"
        status = 200 if hosted is not None and allowed else (403 if hosted else 404)
        self.calls.append(
            Call("files.download", {"file": request.match_info["id"]}, time.monotonic(), status)
        )
        if hosted is None or not allowed:
            return web.Response(status=status)
        return web.Response(body=hosted.content, content_type=hosted.mimetype)
