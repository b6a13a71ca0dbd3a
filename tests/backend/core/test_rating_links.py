"""backend/core/rating_links.py: a rating link names one conversation, under its own audience,
for 30 days on the district's clock."""

from datetime import timedelta

from backend.core.links import create_chat_token
from backend.core.rating_links import create_rating_token, decode_rating_token, rating_url
from backend.core.security import ChannelFacts, create_channel_token
from common import clock
from tests.utils.db import make_test_settings


def _settings(tmp_path):
    return make_test_settings(database_url=f"sqlite:///{tmp_path}/x.sqlite3", data_dir=tmp_path)


def test_a_link_names_its_conversation_until_it_expires(tmp_path):
    settings = _settings(tmp_path)
    token = create_rating_token(settings=settings, conversation_id="a" * 32)
    assert decode_rating_token(settings=settings, token=token).conversation_id == "a" * 32
    with clock.frozen(clock.now() + timedelta(days=29)):
        assert decode_rating_token(settings=settings, token=token) is not None
    with clock.frozen(clock.now() + timedelta(days=30, seconds=1)):
        assert decode_rating_token(settings=settings, token=token) is None
    url = rating_url(settings=settings, token=token, score=3)
    assert url.startswith(f"{settings.PUBLIC_URL}/api/v1/ratings/link?token=")
    assert url.endswith("&score=3")


def test_no_other_token_is_a_rating_link(tmp_path):
    settings = _settings(tmp_path)
    token = create_rating_token(settings=settings, conversation_id="a" * 32)
    other_key = settings.model_copy(
        update={"SECRET_KEY": "another-secret-key-of-32-bytes-or-more!"})
    assert decode_rating_token(settings=other_key, token=token) is None
    for foreign in (create_chat_token(settings=settings, account_number="1000002", ref="r"),
                    create_channel_token(settings=settings,
                                         facts=ChannelFacts(conversation_id="a" * 32,
                                                            channel="web"))):
        assert decode_rating_token(settings=settings, token=foreign) is None
    for junk in ("", "x.y.z", None, 42, "a" * 5000):
        assert decode_rating_token(settings=settings, token=junk) is None
