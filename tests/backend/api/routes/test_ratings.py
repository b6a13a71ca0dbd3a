"""The rating link page (backend/api/routes/ratings.py): GET shows the form and stores nothing
(mail scanners follow links), POST stores once; only our own unexpired token is accepted."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial

import pytest
from sqlmodel import Session

from backend.core.links import create_chat_token
from backend.core.rating_links import create_rating_token
from backend.crud import ratings
from common import clock

PATH = "/api/v1/ratings/link"


def _call(client, fn, /, **kw):
    return client.portal.call(partial(fn, **kw))


def _asked(client, *, language: str = "en") -> tuple[str, str]:
    """A conversation asked for its rating, and its link token."""
    hub = client.app.state.hub
    conversation = _call(client, hub.open_conversation, channel="rest", language=language)
    assert _call(client, hub.ask_rating, conversation_id=conversation.id, trigger="resolved")
    token = create_rating_token(settings=client.app.state.settings,
                                conversation_id=conversation.id)
    return conversation.id, token


def _stored(client, cid: str):
    with Session(client.app.state.engine) as session:
        return ratings.get(session=session, conversation_id=cid)


def test_the_page_shows_the_linked_score_and_stores_nothing(client):
    cid, token = _asked(client, language="es")
    for _ in range(2):  # a scanner, then the customer
        page = client.get(PATH, params={"token": token, "score": 4})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert re.search(r'value="4" required checked', page.text)
        assert len(re.findall(r"checked", page.text)) == 1
        assert "Califique su conversación" in page.text and 'lang="es"' in page.text
        assert page.headers["cache-control"] == "no-store"
    assert _stored(client, cid) is None


def test_posting_the_form_stores_it_once(client):
    cid, token = _asked(client)
    sent = client.post(PATH, data={"token": token, "score": "4",
                                   "comment": "Quick help. Card 4111 1111 1111 1111"})
    assert sent.status_code == 201 and "Thank you" in sent.text
    rating = _stored(client, cid)
    assert (rating.score, rating.trigger, rating.channel) == (4, "resolved", "rest")
    assert "4111 1111" not in rating.comment and rating.comment.startswith("Quick help.")
    again = client.post(PATH, data={"token": token, "score": "1"})
    assert again.status_code == 409 and "already been rated" in again.text
    assert client.get(PATH, params={"token": token, "score": 1}).status_code == 409
    assert _stored(client, cid).score == 4


@pytest.mark.parametrize("score", ["", "0", "6", "4.5", "five"])
def test_a_bad_score_is_refused_with_the_form_again(client, score):
    cid, token = _asked(client)
    sent = client.post(PATH, data={"token": token, "score": score, "comment": "kept"})
    assert sent.status_code == 422 and "from 1 to 5" in sent.text
    assert ">kept</textarea>" in sent.text
    assert _stored(client, cid) is None


def test_only_our_own_unexpired_token_is_accepted(client):
    cid, token = _asked(client)
    settings = client.app.state.settings
    head, body, signature = token.split(".")
    tampered = f"{head}.{body}.{signature[:-3]}{'AAA' if signature[-3:] != 'AAA' else 'BBB'}"
    foreign = create_chat_token(settings=settings, account_number=cid, ref="x")
    expired = create_rating_token(settings=settings, conversation_id=cid, days=-1)
    for bad in (tampered, foreign, expired, "", "x" * 3000):
        assert client.get(PATH, params={"token": bad, "score": 5}).status_code in (403, 422)
        refused = client.post(PATH, data={"token": bad, "score": "5"})
        assert refused.status_code in (403, 422)
    assert client.post(PATH, data={"token": tampered, "score": "5"}).status_code == 403
    assert _stored(client, cid) is None
    # The good token itself, once its 30 days are over.
    with clock.frozen(clock.now() + timedelta(days=31)):
        assert client.post(PATH, data={"token": token, "score": "5"}).status_code == 403
    assert _stored(client, cid) is None


def test_a_conversation_never_asked_is_not_rated(client):
    hub = client.app.state.hub
    conversation = _call(client, hub.open_conversation, channel="rest")
    token = create_rating_token(settings=client.app.state.settings,
                                conversation_id=conversation.id)
    assert client.post(PATH, data={"token": token, "score": "5"}).status_code == 409
    assert _stored(client, conversation.id) is None
