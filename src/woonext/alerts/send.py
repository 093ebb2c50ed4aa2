"""The channels: SMTP (STARTTLS, SSL or plain, optional login) and a webhook URL that takes
Slack-compatible JSON (`{"text": …}`; Slack, Mattermost, Rocket.Chat, Google Chat and Teams
workflows accept it). A message goes to every configured channel; it counts as sent when at least
one took it, and each channel's failure is reported with its reason (never the URL, which carries a
token in most of these services, nor the password)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import httpx
import structlog

from woonext.config_ops import AlertsConfig, EmailAlerts, WebhookAlerts

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


class SendError(Exception):
    """No channel took the message; `failures` names each channel and why."""

    def __init__(self, failures: dict[str, str]) -> None:
        self.failures = failures
        super().__init__("; ".join(f"{name}: {why}" for name, why in failures.items()) or "no alert channel configured")


@dataclass
class Channels:
    """What each channel answered: `sent` channel names, `failed` channel → reason."""

    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _email(config: EmailAlerts, message: Message, now: datetime) -> None:
    mail = EmailMessage()
    mail["From"] = config.sender
    mail["To"] = ", ".join(config.to)
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain="woonext")
    mail.set_content(message.text)
    password = config.password.get_secret_value() if config.password else ""
    if config.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    with smtp:
        if config.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            smtp.login(config.username, password)
        smtp.send_message(mail)


async def _webhook(config: WebhookAlerts, message: Message, transport: httpx.AsyncBaseTransport | None) -> None:
    async with httpx.AsyncClient(timeout=config.timeout, transport=transport) as client:
        response = await client.post(
            config.url.get_secret_value(), json={"text": f"*{message.subject}*\n{message.text}"}
        )
    if not response.is_success:
        raise RuntimeError(f"the webhook answered HTTP {response.status_code}")


def _why(exc: BaseException) -> str:
    if isinstance(exc, httpx.HTTPError):
        return f"{type(exc).__name__} (unreachable or too slow)"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "the SMTP server refused the user name or password"
    return f"{type(exc).__name__}: {exc}"


async def send(
    config: AlertsConfig,
    message: Message,
    now: datetime,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Channels:
    """Send to every channel; raises `SendError` when none took it."""
    result = Channels()
    if config.email is not None:
        try:
            await asyncio.to_thread(_email, config.email, message, now)
            result.sent.append("email")
        except (OSError, smtplib.SMTPException) as exc:
            result.failed["email"] = _why(exc)
    if config.webhook is not None:
        try:
            await _webhook(config.webhook, message, transport)
            result.sent.append("webhook")
        except (httpx.HTTPError, RuntimeError) as exc:
            result.failed["webhook"] = _why(exc)
    for name, why in result.failed.items():
        log.warning("alert_channel_failed", channel=name, why=why)
    if not result.sent:
        raise SendError(result.failed)
    return result
