"""Small HTML pages for people who follow a link in an email: the rating form and the leak-alert
opt-out. Each GET only shows a form and its POST acts, so a mail scanner that follows links changes
nothing. Escaped, uncached, with the demo site's stylesheet."""

from html import escape

from fastapi import status
from fastapi.responses import HTMLResponse

from backend.crud.ratings import MAX_COMMENT


def html_page(*, language: str, title: str, body: str, code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/demo/site.css">'
        f'</head><body><main class="wrap">{body}</main></body></html>',
        status_code=code, headers={"Cache-Control": "no-store"})


# --- rating (backend/api/routes/ratings.py) ------------------------------------------------------

RATING_WORDS = {
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



def rating_note(language: str, key: str, code: int) -> HTMLResponse:
    w = RATING_WORDS[language]
    return html_page(language=language, title=w["title"], code=code,
                     body=f'<h1>{escape(w["title"])}</h1><p role="status">{escape(w[key])}</p>')


def rating_form(language: str, token: str, score: int | None, comment: str = "",
          error: str | None = None, code: int = status.HTTP_200_OK) -> HTMLResponse:
    w = RATING_WORDS[language]
    choices = "".join(
        f'<label><input type="radio" name="score" value="{n}" required'
        f'{" checked" if n == score else ""}> {n} – {escape(w["scale"][n - 1])}</label><br>'
        for n in range(1, 6))
    alert = f'<p role="alert">{escape(w[error])}</p>' if error else ""
    return html_page(language=language, title=w["title"], code=code, body=(
        f'<h1>{escape(w["title"])}</h1>'
        f'{alert}<form method="post" action="link">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'<fieldset><legend>{escape(w["legend"])}</legend>{choices}</fieldset>'
        f'<p><label for="comment">{escape(w["comment"])}</label><br>'
        f'<textarea id="comment" name="comment" rows="4" cols="50" maxlength="{MAX_COMMENT}">'
        f'{escape(comment)}</textarea></p>'
        f'<p><button type="submit">{escape(w["send"])}</button></p></form>'))


# --- leak-alert opt-out (backend/api/routes/leak_alerts.py): both languages on one page ------

OPT_OUT_PAGES = {
    "confirm": ("Stop leak alerts?", "¿Dejar de recibir alertas de fugas?",
                "We email you when your meter shows water running night after night. Press the "
                "button to stop these emails for your account ending in {last4}.",
                "Le escribimos cuando su medidor muestra agua corriendo noche tras noche. Pulse "
                "el botón para dejar de recibir estos correos en su cuenta terminada en {last4}."),
    "done": ("Leak alerts are off", "Las alertas de fugas están desactivadas",
             "We won't email you about leaks on your account ending in {last4}. You can turn "
             "them back on by contacting customer service.",
             "No le escribiremos sobre fugas en su cuenta terminada en {last4}. Puede volver a "
             "activarlas comunicándose con servicio al cliente."),
    "invalid": ("This link doesn't work", "Este enlace no funciona",
                "It may have expired or been copied incompletely. Contact customer service to "
                "stop leak alerts.",
                "Puede haber vencido o estar incompleto. Comuníquese con servicio al cliente "
                "para dejar de recibir alertas de fugas."),
}


def opt_out_page(kind: str, *, last4: str = "", token: str | None = None, action: str = "",
                 code: int = 200) -> HTMLResponse:
    title_en, title_es, body_en, body_es = OPT_OUT_PAGES[kind]
    body = (f"<h1>{escape(title_en)}</h1><p>{escape(body_en.format(last4=last4))}</p>"
            f'<h1 lang="es">{escape(title_es)}</h1>'
            f'<p lang="es">{escape(body_es.format(last4=last4))}</p>')
    if token is not None:
        body += (f'<form method="post" action="{escape(action)}">'
                 f'<input type="hidden" name="token" value="{escape(token)}">'
                 '<button type="submit">Stop leak alerts / Dejar de recibir alertas</button>'
                 "</form>")
    return html_page(language="en", title=f"{title_en} / {title_es}", body=body, code=code)
