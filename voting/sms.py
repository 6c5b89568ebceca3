"""How a voter's mobile number is confirmed: an SMS code sent through a pluggable backend.

The backend is the class named by the setting VOTING_SMS_BACKEND (a dotted path); the default,
`voting.sms.LogBackend`, sends nothing and writes the code to the log (logger "voting.sms"), so the demo's
user reads it in the server's console. A real gateway is a class with the same interface:

    class MyGateway:
        def send_code(self, *, phone: str, code: str) -> None:
            '''Deliver `code` to the 11-digit mobile number `phone`; raise SmsError if it was not accepted.'''

It is constructed without arguments (read its own settings in __init__) for every code sent, and
should return quickly (a timeout of a few seconds). Only `send_code` is called: the platform generates the
code, stores it hashed, expires it after CODE_TTL and counts the attempts; the gateway never has to.
The voter sees a Chinese message when SmsError is raised, and the vote is not recorded.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger("voting.sms")

DEFAULT_BACKEND = "voting.sms.LogBackend"
MESSAGE = "【珠海市政府门户网站】您的网站考评投票验证码为 {code}，5 分钟内有效。如非本人操作，请忽略本短信。"


class SmsError(Exception):
    """The gateway did not accept the message."""


class SmsBackend(Protocol):
    def send_code(self, *, phone: str, code: str) -> None: ...


class LogBackend:
    """The shipped backend: writes the message to the log instead of sending it (demo and tests).

    Logged at WARNING, so it shows with the default LOG_LEVEL; the number is masked except when the
    message itself is needed (the code is what the demo's user needs, with the last four digits).
    """

    def send_code(self, *, phone: str, code: str) -> None:
        logger.warning("短信验证码（演示，未实际发送）：尾号 %s 的手机，%s", phone[-4:], MESSAGE.format(code=code))


class FailingBackend:
    """A backend that refuses every message (to try the voter's message when the gateway is down)."""

    def send_code(self, *, phone: str, code: str) -> None:
        raise SmsError("短信网关未接受该短信")


def get_backend() -> SmsBackend:
    path = getattr(settings, "VOTING_SMS_BACKEND", None) or DEFAULT_BACKEND
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"VOTING_SMS_BACKEND：找不到短信发送类 {path}") from exc
    return backend_class()
