"""A small CSS selector → XPath translator for reading HTML list pages.

The `cssselect` package is not installed, so lxml's ``.cssselect()`` is not
available; list pages of government sites need only a small part of CSS, which
is translated here into XPath and evaluated with lxml:

- type selectors and ``*``: ``li``, ``*``
- ``#id``, ``.class`` (several), attributes: ``[href]``, ``[a=b]``, ``[a="b"]``,
  ``[a~=b]``, ``[a^=b]``, ``[a$=b]``, ``[a*=b]``, ``[a|=b]``
- ``:first-child``, ``:last-child``, ``:nth-child(n)``
- combinators: descendant (space), child ``>``, adjacent ``+``, sibling ``~``
- groups: ``a, b``

Anything else raises :class:`SelectorError` with a Chinese message, so a
source is refused when it is saved, not when it runs.

Free of Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import lxml.etree

__all__ = ["SelectorError", "compile_selector", "css_to_xpath", "select"]

MAX_SELECTOR_LENGTH = 500


class SelectorError(ValueError):
    """A selector outside the supported CSS subset (message in Chinese, for the centre's form)."""


_IDENT = r"-?[A-Za-z_][A-Za-z0-9_-]*"
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comb>[>+~])
  | (?P<comma>,)
  | (?P<star>\*)
  | (?P<type>{_IDENT})
  | \#(?P<id>{_IDENT})
  | \.(?P<cls>{_IDENT})
  | (?P<attrsel>\[\s*(?P<attr>{_IDENT})\s*(?:(?P<op>[~^$*|]?=)\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s\]"']+))\s*)?\])
  | :(?P<pseudo>first-child|last-child|nth-child\(\s*(?P<nth>\d+)\s*\))
    """,
    re.VERBOSE,
)


def _literal(value: str) -> str:
    """An XPath string literal for ``value`` (XPath 1.0 has no escape character)."""
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    parts = value.split('"')
    return "concat(" + ", '\"', ".join(f'"{part}"' for part in parts) + ")"


@dataclass
class _Compound:
    tag: str = "*"
    predicates: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return self.tag == "*" and not self.predicates

    def xpath(self, axis: str, *, adjacent: bool = False) -> str:
        preds = "".join(f"[{p}]" for p in self.predicates)
        if adjacent:
            name = "" if self.tag == "*" else f"[self::{self.tag}]"
            return f"{axis}*[1]{name}{preds}"
        return f"{axis}{self.tag}{preds}"


def _attribute_predicate(name: str, op: str | None, value: str | None) -> str:
    attr = f"@{name.lower()}"
    if op is None:
        return attr
    lit = _literal(value or "")
    match op:
        case "=":
            return f"{attr} = {lit}"
        case "~=":
            return f"contains(concat(' ', normalize-space({attr}), ' '), concat(' ', {lit}, ' '))"
        case "^=":
            return f"starts-with({attr}, {lit})"
        case "$=":
            return f"substring({attr}, string-length({attr}) - string-length({lit}) + 1) = {lit}"
        case "*=":
            return f"contains({attr}, {lit})"
        case "|=":
            return f"({attr} = {lit} or starts-with({attr}, concat({lit}, '-')))"
    raise SelectorError(f"不支持的属性匹配方式：{op}")


def _parse_group(selector: str) -> list[list[tuple[str, _Compound]]]:
    """``selector`` as groups of (combinator, compound) steps; the first step's combinator is " "."""
    groups: list[list[tuple[str, _Compound]]] = []
    steps: list[tuple[str, _Compound]] = []
    current = _Compound()
    pending = " "
    started = False  # the current compound has something in it
    saw_ws = False
    pos = 0

    def close_compound() -> None:
        nonlocal current, started
        if started:
            steps.append((pending, current))
        current, started = _Compound(), False

    while pos < len(selector):
        match = _TOKEN.match(selector, pos)
        if match is None:
            raise SelectorError(
                f"选择器「{selector}」在第 {pos + 1} 个字符处无法识别（仅支持标签、#id、.class、[属性]、:first-child 等简单写法）"
            )
        pos = match.end()
        kind = match.lastgroup
        if kind == "ws":
            saw_ws = True
            continue
        if kind in ("comb", "comma"):
            if not started:
                raise SelectorError(f"选择器「{selector}」的组合符前缺少元素")
            close_compound()
            if kind == "comma":
                groups.append(steps)
                steps, pending = [], " "
            else:
                pending = match.group("comb")
            saw_ws = False
            continue
        if started and saw_ws:
            # Whitespace between two compounds: the descendant combinator.
            close_compound()
            pending = " "
        saw_ws = False
        if kind in ("star", "type"):
            if started:
                raise SelectorError(f"选择器「{selector}」中元素名称的位置不正确")
            current.tag = "*" if kind == "star" else match.group("type").lower()
        elif kind == "id":
            current.predicates.append(f"@id = {_literal(match.group('id'))}")
        elif kind == "cls":
            current.predicates.append(
                f"contains(concat(' ', normalize-space(@class), ' '), {_literal(' ' + match.group('cls') + ' ')})"
            )
        elif kind == "attrsel":
            value = match.group("dq")
            if value is None:
                value = match.group("sq")
            if value is None:
                value = match.group("bare")
            current.predicates.append(_attribute_predicate(match.group("attr"), match.group("op"), value))
        elif kind == "pseudo":
            pseudo = match.group("pseudo")
            if pseudo == "first-child":
                current.predicates.append("not(preceding-sibling::*)")
            elif pseudo == "last-child":
                current.predicates.append("not(following-sibling::*)")
            else:
                number = int(match.group("nth"))
                if number < 1:
                    raise SelectorError(f"选择器「{selector}」中 :nth-child 的序号须从 1 开始")
                current.predicates.append(f"count(preceding-sibling::*) = {number - 1}")
        started = True
    if not started:
        raise SelectorError(f"选择器「{selector}」不完整")
    close_compound()
    groups.append(steps)
    return groups


def css_to_xpath(selector: str, *, include_self: bool = False) -> str:
    """XPath, relative to the context element, of the elements ``selector`` matches beneath it.

    ``include_self``: the context element itself may match the first step (used for the whole document).
    """
    selector = (selector or "").strip()
    if not selector:
        raise SelectorError("选择器不能为空")
    if len(selector) > MAX_SELECTOR_LENGTH:
        raise SelectorError(f"选择器过长（不超过 {MAX_SELECTOR_LENGTH} 个字符）")
    paths = []
    for steps in _parse_group(selector):
        parts = []
        for index, (combinator, compound) in enumerate(steps):
            if index == 0:
                axis = "descendant-or-self::" if include_self else "descendant::"
                parts.append(compound.xpath(axis))
            elif combinator == " ":
                parts.append(compound.xpath("descendant::"))
            elif combinator == ">":
                parts.append(compound.xpath("child::"))
            elif combinator == "+":
                parts.append(compound.xpath("following-sibling::", adjacent=True))
            else:
                parts.append(compound.xpath("following-sibling::"))
        paths.append("/".join(parts))
    return " | ".join(paths)


@lru_cache(maxsize=256)
def compile_selector(selector: str, *, include_self: bool = False) -> lxml.etree.XPath:
    """The compiled XPath of ``selector``; raises :class:`SelectorError`."""
    expression = css_to_xpath(selector, include_self=include_self)
    try:
        return lxml.etree.XPath(expression)
    except lxml.etree.XPathSyntaxError as exc:  # a translation bug, reported rather than hidden
        raise SelectorError(f"选择器「{selector}」无法转换：{exc}") from exc


def select(element, selector: str, *, include_self: bool = False) -> list:
    """The elements under ``element`` that ``selector`` matches, in document order."""
    found = compile_selector(selector, include_self=include_self)(element)
    return [node for node in found if isinstance(node, lxml.etree._Element)]
