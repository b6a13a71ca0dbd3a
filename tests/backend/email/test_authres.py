"""The sender counts as a factor only when a trusted relay authenticated it (RFC 8601)."""

from email.message import EmailMessage

import pytest

from backend.email.authres import sender_authenticated

JAMES = "james.carter@example.com"
OURS = "mx.smwd.example.com"


def message(*results: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = JAMES
    for r in results:  # first added is topmost, as a relay prepends
        msg["Authentication-Results"] = r
    return msg


@pytest.mark.parametrize("header", [
    f"{OURS}; spf=pass smtp.mailfrom={JAMES}",
    f"{OURS}; dkim=pass (good signature) header.d=example.com header.s=k1",
    f"{OURS}; dkim=pass header.i=@mail.example.com",
    f"{OURS} 1; dmarc=pass (p=reject) header.from=example.com",
    f"{OURS}; spf=softfail smtp.mailfrom=x.example; dkim=pass header.d=\"example.com\"",
])
def test_a_pass_for_the_from_domain_from_our_relay_counts(header):
    assert sender_authenticated(message(header), from_address=JAMES, trusted_ids=[OURS])


@pytest.mark.parametrize("header", [
    "mx.attacker.example; spf=pass smtp.mailfrom=james.carter@example.com",  # not our relay
    f"{OURS}; spf=fail smtp.mailfrom={JAMES}; dkim=none",
    f"{OURS}; spf=pass smtp.mailfrom=attacker@attacker.example",  # passed for another domain
    f"{OURS}; dkim=pass header.d=attacker.example",
    f"{OURS}; dkim=pass header.d=ample.com",  # a suffix that isn't a parent domain
    f"{OURS}; none",
    "",
])
def test_anything_else_does_not(header):
    assert not sender_authenticated(message(header), from_address=JAMES, trusted_ids=[OURS])


def test_only_the_topmost_header_from_our_relay_is_read():
    # Ours says fail; a forged one below it says pass: the forged one is never read.
    msg = message(f"{OURS}; spf=fail smtp.mailfrom={JAMES}", f"{OURS}; spf=pass smtp.mailfrom={JAMES}")
    assert not sender_authenticated(msg, from_address=JAMES, trusted_ids=[OURS])


def test_no_trusted_relay_means_no_factor_unless_the_relay_authenticates_everything():
    msg = message(f"{OURS}; spf=pass smtp.mailfrom={JAMES}")
    assert not sender_authenticated(msg, from_address=JAMES, trusted_ids=[])
    assert sender_authenticated(message(), from_address=JAMES, trusted_ids=[],
                                relay_authenticates=True)
