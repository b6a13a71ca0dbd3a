"""The page a rating email's links open (backend/email/rating.py, core/rating_links.py).

GET shows the form with the linked score chosen and stores nothing (mail scanners follow links);
only the form's POST stores, through the hub. The signed token, not a conversation id, says which
conversation is rated. Answers are small pages in the conversation's language."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, status
from fastapi.responses import HTMLResponse

from backend.api.deps import HubDep, SessionDep, SettingsDep
from backend.api.pages import rating_form, rating_note
from backend.core.rating_links import MAX_TOKEN, decode_rating_token
from backend.crud import ratings
from backend.crud.ratings import MAX_COMMENT, AlreadyRated, BadScore, NotRequested

router = APIRouter(prefix="/ratings", tags=["ratings"])

async def _language(hub: HubDep, conversation_id: str) -> str | None:
    conversation = await hub.get(conversation_id)
    if conversation is None:
        return None
    return "es" if conversation.language == "es" else "en"


# Pages for a person following an email link, not API operations: kept out of the schema.
@router.get("/link", response_class=HTMLResponse, include_in_schema=False)
async def rating_page(hub: HubDep, session: SessionDep, settings: SettingsDep,
                      token: Annotated[str, Query(max_length=MAX_TOKEN)] = "",
                      score: int | None = None) -> HTMLResponse:
    """The form for a link's score. Stores nothing."""
    link = decode_rating_token(settings=settings, token=token)
    language = await _language(hub, link.conversation_id) if link else None
    if link is None or language is None:
        return rating_note("en", "invalid", status.HTTP_403_FORBIDDEN)
    if ratings.get(session=session, conversation_id=link.conversation_id) is not None:
        return rating_note(language, "already", status.HTTP_409_CONFLICT)
    return rating_form(language, token, score if score in range(1, 6) else None)


@router.post("/link", response_class=HTMLResponse, include_in_schema=False)
async def rate_from_link(hub: HubDep, settings: SettingsDep,
                         token: Annotated[str, Form(max_length=MAX_TOKEN)],
                         score: Annotated[str, Form(max_length=4)] = "",
                         comment: Annotated[str, Form(max_length=MAX_COMMENT * 2)] = ""
                         ) -> HTMLResponse:
    """Store the rating the form sends: 201, or 409 (rated already), 422 (no score 1-5), 403
    (a link that isn't ours or has expired)."""
    link = decode_rating_token(settings=settings, token=token)
    language = await _language(hub, link.conversation_id) if link else None
    if link is None or language is None:
        return rating_note("en", "invalid", status.HTTP_403_FORBIDDEN)
    try:
        await hub.rate(conversation_id=link.conversation_id, score=score, comment=comment)
    except BadScore:
        return rating_form(language, token, None, comment, error="bad_score",
                     code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    except AlreadyRated:
        return rating_note(language, "already", status.HTTP_409_CONFLICT)
    except NotRequested:
        return rating_note(language, "not_requested", status.HTTP_409_CONFLICT)
    return rating_note(language, "thanks", status.HTTP_201_CREATED)
