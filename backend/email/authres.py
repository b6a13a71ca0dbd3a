"""Whether the receiving relay authenticated an email's sender (RFC 8601 Authentication-Results).

The From header is whatever the sender typed, so it counts as a verification factor only when a
relay we trust says SPF, DKIM or DMARC passed for the From domain, or when the deployment says
its relay accepts only authenticated mail (EMAIL_RELAY_AUTHENTICATES)."""

from __future__ import annotations

import re
from email.message import Message

COMMENT = re.compile(r"\([^()]*\)")
RESULT = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=\s*([A-Za-z0-9_-]+)")
PROPERTY = re.compile(r"([A-Za-z0-9_-]+)\.([A-Za-z0-9_.-]+)\s*=\s*\"?([^\s;\"]+)\"?")


def _domain(value: str) -> str:
    return value.rsplit("@", 1)[-1].strip().strip(".").casefold()


def _aligned(domain: str, from_domain: str) -> bool:
    # Relaxed alignment, as DMARC has it: mail.example.com signs for example.com's From.
    return bool(domain) and (from_domain == domain or from_domain.endswith("." + domain)
                             or domain.endswith("." + from_domain))


def _results(header: str) -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
    parts = COMMENT.sub(" ", header).split(";")
    serv_id = (parts[0].split() or [""])[0].casefold()
    results = []
    for part in parts[1:]:
        found = RESULT.match(part)
        if found:
            props = {f"{p}.{n}".casefold(): v for p, n, v in PROPERTY.findall(part)}
            results.append((found.group(1).casefold(), found.group(2).casefold(), props))
    return serv_id, results


def sender_authenticated(message: Message, *, from_address: str, trusted_ids: list[str],
                         relay_authenticates: bool = False) -> bool:
    if relay_authenticates:
        return True
    trusted = {t.strip().casefold() for t in trusted_ids if t.strip()}
    from_domain = _domain(from_address)
    if not trusted or not from_domain:
        return False
    for header in message.get_all("Authentication-Results") or []:
        serv_id, results = _results(str(header))
        if serv_id not in trusted:
            continue
        # The topmost header from our own relay is the one it wrote; older ones may be forged.
        for method, result, props in results:
            if result != "pass":
                continue
            if method == "dmarc" and _aligned(_domain(props.get("header.from", from_domain)),
                                              from_domain):
                return True
            if method == "dkim" and _aligned(_domain(props.get("header.d")
                                                     or props.get("header.i", "")), from_domain):
                return True
            if method == "spf" and _aligned(_domain(props.get("smtp.mailfrom", "")),
                                            from_domain):
                return True
        return False
    return False
