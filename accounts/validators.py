"""Password rules with Chinese messages (AUTH_PASSWORD_VALIDATORS): length, character classes,
not like the user's own name, not only a date or a phone number.

Django's forms that set a password (Wagtail's account and user screens, password reset) call
`validate_password`, which runs each of these; `create_user` in code and tests does not.
"""

from __future__ import annotations

import re
from datetime import date
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[\s\-_/.:：年月日号+()（）]")


class MinimumLengthValidator:
    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码太短：至少需要 {self.min_length} 个字符（当前 {len(password)} 个）。",
                code="password_too_short",
            )

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


def character_classes(password: str) -> set[str]:
    """The classes present in `password`: 大写字母, 小写字母, 数字, 其他字符 (symbols, 汉字, spaces…)."""
    classes = set()
    for char in password:
        if "A" <= char <= "Z":
            classes.add("大写字母")
        elif "a" <= char <= "z":
            classes.add("小写字母")
        elif "0" <= char <= "9":
            classes.add("数字")
        else:
            classes.add("其他字符")
    return classes


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        found = character_classes(password)
        if len(found) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {self.min_classes} 类（当前 {len(found)} 类）。",
                code="password_too_few_classes",
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


def _normalised(value: str) -> str:
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", value.lower())


class UserAttributeSimilarityValidator:
    """Refuses a password that contains the user name (or the e-mail's name, or the person's name),
    is contained in it, is it reversed, or is too similar to it."""

    ATTRIBUTES = ("username", "first_name", "last_name", "email")

    def __init__(self, max_similarity: float = 0.7, min_attribute_length: int = 3):
        self.max_similarity = max_similarity
        self.min_attribute_length = min_attribute_length

    def _values(self, user) -> list[str]:
        values = []
        for attribute in self.ATTRIBUTES:
            value = getattr(user, attribute, None)
            if not isinstance(value, str) or not value:
                continue
            if attribute == "email":
                value = value.partition("@")[0]
            values.append(value)
        full_name = f"{getattr(user, 'last_name', '') or ''}{getattr(user, 'first_name', '') or ''}"
        if full_name:
            values.append(full_name)
        return values

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        candidate = _normalised(password)
        if not candidate:
            return
        for value in self._values(user):
            attribute = _normalised(value)
            if len(attribute) < self.min_attribute_length:
                continue
            if (
                attribute in candidate
                or attribute[::-1] in candidate
                or (len(candidate) >= self.min_attribute_length and candidate in attribute)
                or SequenceMatcher(a=candidate, b=attribute).ratio() >= self.max_similarity
            ):
                raise ValidationError("密码不能包含用户名、姓名或邮箱名，也不能与其相似。", code="password_too_similar")

    def get_help_text(self) -> str:
        return "密码不能包含用户名、姓名或邮箱名，也不能与其相似。"


def _is_date(digits: str) -> bool:
    """A calendar date written as digits: YYYYMMDD, YYMMDD, YYYYMM, MMDDYYYY or DDMMYYYY."""

    def valid(year: int, month: int, day: int = 1) -> bool:
        try:
            date(year, month, day)
        except ValueError:
            return False
        return 1900 <= year <= 2099

    if len(digits) == 8:
        return (
            valid(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            or valid(int(digits[4:]), int(digits[:2]), int(digits[2:4]))
            or valid(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
        )
    if len(digits) == 6:
        return (
            valid(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
            or valid(1900 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
            or valid(int(digits[:4]), int(digits[4:]))
        )
    return False


def _is_phone_number(digits: str) -> bool:
    """A mainland mobile number (1[3-9]…, 11 digits, optionally after 86) or a landline with its area code."""
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return bool(re.fullmatch(r"1[3-9]\d{9}", digits) or re.fullmatch(r"0\d{2,3}\d{7,8}", digits))


class DateOrPhoneNumberValidator:
    """Refuses a password that is only a date (20261201, 2026-12-01) or a phone number (13812345678),
    also with a few other characters around it (`max_extra`, e.g. `Ab#20261201`)."""

    def __init__(self, max_extra: int = 3):
        self.max_extra = max_extra

    def validate(self, password: str, user=None) -> None:
        stripped = _SEPARATORS.sub("", password)
        digits = re.sub(r"\D", "", stripped)
        extra = len(stripped) - len(digits)
        if not digits or extra > self.max_extra:
            return
        # The digits must be one run: "20261201" inside "Ab#20261201", not "2a0b2c6…".
        if not re.search(re.escape(digits), stripped):
            return
        if _is_date(digits):
            raise ValidationError("密码不能只是一个日期（如 20261201），也不能只在日期前后加少量字符。", code="password_is_date")
        if _is_phone_number(digits):
            raise ValidationError(
                "密码不能只是一个电话号码（如 13812345678），也不能只在号码前后加少量字符。", code="password_is_phone"
            )

    def get_help_text(self) -> str:
        return "密码不能只是日期或电话号码。"
