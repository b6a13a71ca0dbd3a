"""The page a rating email's links open (backend/email/rating.py, core/rating_links.py).

GET shows the form with the linked score chosen and stores nothing (mail scanners follow links);
only the form's POST stores, through the hub. The signed token, not a conversation id, says which
conversation is rated. Answers are small pages in the conversation's language."""

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Query, status
from fastapi.responses import HTMLResponse

from backend.api.deps import HubDep, SessionDep, SettingsDep
from backend.core.rating_links import MAX_TOKEN, decode_rating_token
from backend.crud import ratings
from backend.crud.ratings import MAX_COMMENT, AlreadyRated, BadScore, NotRequested

router = APIRouter(prefix="/ratings", tags=["ratings"])

WORDS = {
    "en": {"title": "Rate your conversation", "legend": "Your rating, from 1 (poor) to 5 "
           "(excellent)", "comment": "Anything you'd like to tell us? (optional)",
           "send": "Send", "scale": ["Poor", "Fair", "Good", "Very good", "Excellent"],
           "thanks": "Thank you! Your rating has been received.",
           "already": "This conversation has already been rated. Thank you!",
           "not_requested": "This conversation can't be rated.",
           "bad_score": "Please choose a rating from 1 to 5.",
           "invalid": "This rating link is not valid or has expired."},
    "es": {"title": "Califique su conversación", "legend": "Su calificación, del 1 (mala) al 5 "
           "(excelente)", "comment": "¿Algo que quiera decirnos? (opcional)",
           "send": "Enviar", "scale": ["Mala", "Regular", "Buena", "Muy buena", "Excelente"],
           "thanks": "¡Gracias! Recibimos su calificación.",
           "already": "Esta conversación ya fue calificada. ¡Gracias!",
           "not_requested": "Esta conversación no se puede calificar.",
           "bad_score": "Elija una calificación del 1 al 5.",
           "invalid": "Este enlace de calificación no es válido o ya venció."},
}


def _page(language: str, body: str, code: int) -> HTMLResponse:
    w = WORDS[language]
    return HTMLResponse(
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(w["title"])}</title><link rel="stylesheet" href="/demo/site.css">'
        f'</head><body><main class="wrap"><h1>{escape(w["title"])}</h1>{body}</main></body>'
        '</html>', status_code=code, headers={"Cache-Control": "no-store"})


def _note(language: str, key: str, code: int) -> HTMLResponse:
    return _page(language, f'<p role="status">{escape(WORDS[language][key])}</p>', code)


def _form(language: str, token: str, score: int | None, comment: str = "",
          error: str | None = None, code: int = status.HTTP_200_OK) -> HTMLResponse:
    w = WORDS[language]
    choices = "".join(
        f'<label><input type="radio" name="score" value="{n}" required'
        f'{" checked" if n == score else ""}> {n} – {escape(w["scale"][n - 1])}</label><br>'
        for n in range(1, 6))
    alert = f'<p role="alert">{escape(w[error])}</p>' if error else ""
    return _page(language, (
        f'{alert}<form method="post" action="link">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'<fieldset><legend>{escape(w["legend"])}</legend>{choices}</fieldset>'
        f'<p><label for="comment">{escape(w["comment"])}</label><br>'
        f'<textarea id="comment" name="comment" rows="4" cols="50" maxlength="{MAX_COMMENT}">'
        f'{escape(comment)}</textarea></p>'
        f'<p><button type="submit">{escape(w["send"])}</button></p></form>'), code)


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
        return _note("en", "invalid", status.HTTP_403_FORBIDDEN)
    if ratings.get(session=session, conversation_id=link.conversation_id) is not None:
        return _note(language, "already", status.HTTP_409_CONFLICT)
    return _form(language, token, score if score in range(1, 6) else None)


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
        return _note("en", "invalid", status.HTTP_403_FORBIDDEN)
    try:
        await hub.rate(conversation_id=link.conversation_id, score=score, comment=comment)
    except BadScore:
        return _form(language, token, None, comment, error="bad_score",
                     code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    except AlreadyRated:
        return _note(language, "already", status.HTTP_409_CONFLICT)
    except NotRequested:
        return _note(language, "not_requested", status.HTTP_409_CONFLICT)
    return _note(language, "thanks", status.HTTP_201_CREATED)
