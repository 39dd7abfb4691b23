"""R1 for Teams: Bot Framework token validation, or loopback-only emulator mode without credentials.

Token checks are the Agents SDK's `JwtTokenValidator` (signature against the Bot Framework JWKS,
audience = our app id, expiry, issuer allow-list with `VALIDATE_ISSUER` on, tid binding). The
SDK has no public setting for the JWKS address (`_build_jwks_uri` hard-codes the Microsoft
endpoints), so tests hand in `jwks_url` and a key client that fetches from there instead.
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
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import (
    _JwkClientCacheEntry,
    _JwkClientManager,
)
from yarl import URL

from bot.adapters.teams_connector import TokenSource
from bot.settings import Settings

log = logging.getLogger(__name__)

BOT_FRAMEWORK_RESOURCE = "https://api.botframework.com"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
EMULATOR_WARNING = (
    "Teams runs without MICROSOFT_APP_ID/MICROSOFT_APP_PASSWORD (Bot Framework Emulator mode): "
    "POST /api/messages accepts unauthenticated requests from loopback addresses only."
)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent an activity: the verified token's claims, or None in emulator mode."""

    claims: ClaimsIdentity | None

    def service_url_matches(self, service_url: str | None) -> bool:
        """Bot Framework tokens name the serviceUrl they were issued for; it must match."""
        if self.claims is None or not service_url:
            return True
        claimed = self.claims.get_claim_value("serviceurl")
        if not isinstance(claimed, str):
            return True  # tokens without the claim (e.g. the emulator's) are checked by host
        return _host(claimed) == _host(service_url) != ""


class TeamsAuth:
    """Decides whether an HTTP request to /api/messages may be processed at all."""

    def __init__(self, settings: Settings, jwks_url: str | None = None) -> None:
        self.config: AgentAuthConfiguration | None = None
        self._validator: JwtTokenValidator | None = None
        if settings.teams_authenticated:
            self.config = auth_configuration(settings)
            self._validator = _validator(self.config, jwks_url)
        else:
            log.warning(EMULATOR_WARNING)

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


class _KeysFrom(_JwkClientManager):
    """Fetch every signing key from one JWKS address (a local one in tests)."""

    def __init__(self, jwks_url: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._jwks_url = jwks_url

    def _get_jwk_client(self, jwks_uri: str) -> _JwkClientCacheEntry:
        return super()._get_jwk_client(self._jwks_url)


def _validator(config: AgentAuthConfiguration, jwks_url: str | None) -> JwtTokenValidator:
    validator = JwtTokenValidator(config)
    if jwks_url is not None:
        # An instance attribute shadows the SDK's class-wide key cache for this validator only.
        validator._jwk_client_manager = _KeysFrom(jwks_url)
    return validator


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


def _host(url: str) -> str:
    try:
        return (URL(url).host or "").casefold()
    except ValueError:
        return ""


def _refuse(status: int, error: str) -> web.Response:
    body: dict[str, Any] = {"error": error}
    return web.json_response(body, status=status)
