"""A local stand-in of Bot Framework's token issuer: a JWKS on 127.0.0.1 and tokens signed for it.

Teams sends every activity with a token from Bot Framework, signed with a key published at its
JWKS address. The adapter tests and `supportbot demo` run the real token checks (the Agents
SDK's validator) against this key instead, so the authenticated path is the one exercised.
"""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"  # the Bot Framework issuer the SDK accepts
KEY_ID = "standin-key"


class TokenMinter:
    """An RSA key served as a JWKS, and Bot Framework-shaped tokens signed with it."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.jwks_url = ""
        self.fetches = 0  # how often the bot fetched the JWKS (keys must be cached)
        self.hang = False  # answer nothing (a signing-key endpoint that hangs)

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()

        def b64(value: int) -> str:
            raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        jwk = {"kty": "RSA", "kid": KEY_ID, "use": "sig", "alg": "RS256"}
        return {"keys": [jwk | {"n": b64(numbers.n), "e": b64(numbers.e)}]}

    def app(self) -> web.Application:
        app = web.Application()
        released: list[asyncio.Event] = []

        async def keys(_request: web.Request) -> web.StreamResponse:
            self.fetches += 1
            if self.hang:
                # Accept the request and never answer: only the client's timeout ends it.
                await released[0].wait()
            return web.json_response(self.jwks())

        async def make(_app: web.Application) -> None:
            released.append(asyncio.Event())

        async def release(_app: web.Application) -> None:
            released[0].set()

        app.on_startup.append(make)
        app.on_shutdown.append(release)
        app.router.add_get("/keys", keys)
        return app

    def token(self, service_url: str | None, **overrides: Any) -> str:
        """A token as Bot Framework issues it to Teams for our app (`service_url` None: no claim)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": self.app_id,
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + 3600,
        }
        if service_url is not None:
            claims["serviceurl"] = service_url
        key = overrides.pop("key", self.key)
        kid = overrides.pop("kid", KEY_ID)
        claims |= overrides
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
