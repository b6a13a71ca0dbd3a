"""Auto-replies, bounces and loops are recognised; a person's mail is not."""

import email
from email.policy import compat32
from pathlib import Path

import pytest

from backend.email.loops import auto_reason
from backend.email.parse import parse

SAMPLES = Path(__file__).parent / "samples"
OURS = "smwd.example.com"


def reason(headers: str, *, sender: str = "a@example.com", envelope: str | None = "a@example.com"):
    msg = email.message_from_string(f"From: {sender}\n{headers}\nhello\n", policy=compat32)
    return auto_reason(msg, from_address=sender, envelope_from=envelope, our_domain=OURS)


@pytest.mark.parametrize("headers, expected", [
    ("Auto-Submitted: auto-replied\n", "auto_submitted"),
    ("Auto-Submitted: auto-generated; owner-email=x@y\n", "auto_submitted"),
    ("Precedence: bulk\n", "precedence_bulk"),
    ("Precedence: junk\n", "precedence_junk"),
    ("Precedence: list\nList-Id: <news.example.com>\n", "precedence_list"),
    ("X-Autoreply: yes\n", "x_autoreply"),
    ("X-Autorespond: yes\n", "x_autoreply"),
    ("X-WaterDesk-Loop: 1\n", "loop_header"),
    ("Return-Path: <>\n", "null_return_path"),
])
def test_automatic_mail(headers, expected):
    assert reason(headers) == expected


def test_robot_senders_our_address_and_null_envelope():
    assert reason("", sender="MAILER-DAEMON@mx.example.com") == "robot_sender"
    assert reason("", sender="postmaster@example.com") == "robot_sender"
    assert reason("", sender="inbox@smwd.example.com") == "our_address"
    assert reason("", envelope="") == "null_envelope_sender"


def test_a_person_is_answered():
    assert reason("Auto-Submitted: no\nPrecedence: normal\n") is None
    p = parse((SAMPLES / "plain.eml").read_bytes())
    assert auto_reason(p.message, from_address=p.from_address, envelope_from=p.from_address,
                       our_domain=OURS) is None


@pytest.mark.parametrize("name", ["autoreply.eml", "bounce.eml"])
def test_samples(name):
    p = parse((SAMPLES / name).read_bytes())
    assert auto_reason(p.message, from_address=p.from_address, envelope_from=None,
                       our_domain=OURS) is not None
