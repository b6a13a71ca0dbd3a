"""The email channel: the inbox (SMTP and HTTP webhook), threading, replies and the outbox.

`start_email`/`stop_email` run from the backend's lifespan, after the hub exists; the channel
registers itself with the hub as its Mailer (the hub never imports this package).
"""

from __future__ import annotations

from typing import Any


def channel_for(app: Any) -> Any:
    """The app's EmailChannel, made on first use (the HTTP route works without the listener)."""
    from backend.email.inbound import EmailChannel

    channel = getattr(app.state, "email", None)
    if channel is None:
        sender = getattr(app.state, "email_outbox", None)
        channel = EmailChannel(engine=app.state.engine, settings=app.state.settings,
                               hub=app.state.hub,
                               wake=sender.wake.set if sender else (lambda: None))
        app.state.email = channel
    return channel


async def start_email(app: Any) -> None:
    from backend.email.mailer import EmailMailer
    from backend.email.outbox import OutboxSender
    from backend.email.smtpd import start_listener

    settings = app.state.settings
    sender = OutboxSender(engine=app.state.engine, settings=settings)
    sender.start()
    app.state.email_outbox = sender
    app.state.email = None
    channel = channel_for(app)
    app.state.hub.register_mailer(EmailMailer(settings=settings, nudge=sender.wake.set))
    app.state.email_listener = await start_listener(channel)


async def stop_email(app: Any) -> None:
    from backend.email.smtpd import stop_listener

    app.state.hub.register_mailer(None)
    await stop_listener(getattr(app.state, "email_listener", None))
    sender = getattr(app.state, "email_outbox", None)
    if sender is not None:
        await sender.stop()
