"""ACC-5: a designated contact needs an individual corporate e-mail address."""

from __future__ import annotations

import re

from bot.policy.config import PolicyConfig

# Deliberately simple: one "@", a local part without spaces, a dotted domain of DNS labels.
# Full RFC 5322 would admit quoted local parts that no directory should hold.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _malformed(email: str) -> str | None:
    if email != email.strip() or any(ch.isspace() for ch in email):
        return "it contains spaces"
    if email.count("@") != 1:
        return "it must contain exactly one '@'"
    local, domain = email.split("@")
    if not local or not _LOCAL.match(local) or local.startswith(".") or local.endswith("."):
        return "the part before '@' is not a valid mailbox name"
    if ".." in local:
        return "the part before '@' is not a valid mailbox name"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return "the part after '@' is not a valid domain"
    return None


def _is_public_domain(domain: str, public: frozenset[str]) -> bool:
    # Subdomains count too: "eu.mail.example" is as public as "mail.example".
    lowered = {d.lower() for d in public}
    return any(domain == d or domain.endswith("." + d) for d in lowered)


def corporate_email_problem(email: str, config: PolicyConfig) -> str | None:
    """None when `email` may hold a designated grant (ACC-5); else the reason it may not."""
    malformed = _malformed(email)
    if malformed is not None:
        return f"{email!r} is not a valid e-mail address: {malformed} (ACC-5)"
    local, domain = email.lower().split("@")
    if _is_public_domain(domain, config.public_mail_domains):
        return (
            f"{email} is at a public mail provider ({domain}); a designated contact needs an "
            "individual corporate e-mail (ACC-5)"
        )
    # "support+acme@" is still the shared support mailbox.
    mailbox = local.split("+", 1)[0]
    if mailbox in {alias.lower() for alias in config.role_aliases}:
        return (
            f"{email} is a role address ({mailbox}@); a designated contact needs an "
            "individual corporate e-mail (ACC-5)"
        )
    return None
