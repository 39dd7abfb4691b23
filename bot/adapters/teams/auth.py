"""R1 for Teams: Bot Framework token validation, or the explicit emulator mode (R10).

Token checks are the Agents SDK's `JwtTokenValidator` (signature against the Bot Framework JWKS,
audience = our app id, expiry, issuer allow-list with `VALIDATE_ISSUER` on, tid binding), with
its key manager replaced by `SigningKeys` (async fetch with a timeout, cached). The token's
`serviceurl` claim is required and must equal the activity's serviceUrl (checked by the adapter
once the body is parsed). Without credentials Teams is off (503) unless
SUPPORTBOT_TEAMS_EMULATOR=1 asks for development mode: unauthenticated activities from loopback
clients, replies to loopback service URLs only.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from jwt import PyJWTError
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core.authorization import (
    AgentAuthConfiguration,
    AuthTypes,
    ClaimsIdentity,
    JwtTokenValidator,
)

from bot.adapters.teams.connector import TokenSource
from bot.adapters.teams.hosts import same_service_url
from bot.adapters.teams.keys import KeysUnavailable, SigningKeys
from bot.settings import Settings

log = logging.getLogger(__name__)

BOT_FRAMEWORK_RESOURCE = "https://api.botframework.com"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
EMULATOR_WARNING = (
    "SUPPORTBOT_TEAMS_EMULATOR=1: Teams runs in DEVELOPMENT mode. POST /api/messages accepts "
    "UNAUTHENTICATED activities (Bot Framework Emulator, Agents Playground) from loopback clients "
    "and replies only to loopback service URLs. Never use this in a deployment."
)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent an activity: the verified token's claims, or None in emulator mode."""

    claims: ClaimsIdentity | None

    def service_url_matches(self, service_url: str) -> bool:
        """R1: the token's `serviceurl` claim is present and equals the activity's serviceUrl."""
        if self.claims is None:
            return True  # emulator mode: the adapter allows loopback service URLs only
        claimed = self.claims.get_claim_value("serviceurl")
        return isinstance(claimed, str) and same_service_url(claimed, service_url)


class TeamsAuth:
    """Decides whether an HTTP request to /api/messages may be processed at all."""

    def __init__(
        self, settings: Settings, jwks_url: str | None = None, keys: SigningKeys | None = None
    ) -> None:
        self.config: AgentAuthConfiguration | None = None
        self._validator: JwtTokenValidator | None = None
        self.keys = keys or SigningKeys(jwks_url)
        if settings.teams_authenticated:
            self.config = auth_configuration(settings)
            self._validator = JwtTokenValidator(self.config)
            # An instance attribute shadows the SDK's class-wide key manager (see teams_keys).
            self._validator._jwk_client_manager = self.keys
        elif settings.teams_emulator:
            log.warning(EMULATOR_WARNING)
        else:
            raise ValueError(
                "Teams is not configured: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
                "(or SUPPORTBOT_TEAMS_EMULATOR=1 for local development)"
            )

    @property
    def emulator(self) -> bool:
        return self.config is None

    async def caller(self, request: web.Request) -> Caller | web.Response:
        """The verified caller, or the 401/403 answer (nothing is read or written before)."""
        if self._validator is None:
            if not _loopback(request.remote):
                log.warning("refused a Teams request from %s in emulator mode", request.remote)
                return _refuse(403, "Only loopback clients are accepted without credentials.")
            return Caller(None)
        token = _bearer(request.headers.get("Authorization"))
        if token is None:
            return _refuse(401, "A Bot Framework bearer token is required.")
        try:
            claims = await self._validator.validate_token(token)
        except KeysUnavailable:
            log.warning("could not check a Teams token: the signing keys are unavailable")
            return _refuse(503, "Token signing keys are unavailable; try again later.")
        except (PyJWTError, ValueError, KeyError) as error:
            # R8: the token itself is never logged, only why it was refused.
            log.warning("refused a Teams token: %s", type(error).__name__)
            return _refuse(401, "Invalid token or authentication failed.")
        return Caller(claims)

    def token_source(self) -> TokenSource | None:
        """Outbound tokens for the connector (MSAL client credentials), None in emulator mode."""
        if self.config is None:
            return None
        msal = MsalAuth(self.config)

        async def token() -> str | None:
            return await msal.get_access_token(BOT_FRAMEWORK_RESOURCE, [BOT_FRAMEWORK_SCOPE])

        return token

    async def close(self) -> None:
        await self.keys.close()


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    """The SDK configuration for our app registration, with issuer validation on (R1)."""
    kind = (settings.microsoft_app_type or "MultiTenant").lower()
    return AgentAuthConfiguration(
        AuthTypes.client_secret,
        client_id=settings.microsoft_app_id,
        # Single-tenant apps name their tenant; multi-tenant bots get their tokens from "common".
        tenant_id=settings.microsoft_app_tenant_id if kind == "singletenant" else None,
        client_secret=settings.microsoft_app_password,
        anonymous_allowed=False,
        validate_issuer=True,
    )


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    return parts[1]


def _loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        return ipaddress.ip_address(remote.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(status: int, error: str) -> web.Response:
    body: dict[str, Any] = {"error": error}
    return web.json_response(body, status=status)
