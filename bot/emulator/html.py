"""Telegram's HTML parse mode, checked as strictly as Telegram does.

Returns the text a person reads and its entities (offsets in UTF-16 code units, as in the Bot
API). Anything Telegram would refuse raises :class:`HtmlError`, so an unescaped user string in a
template fails the test that sends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+\s*=\s*\"[^\"<>]*\")*)\s*>")
_ATTR = re.compile(r"([a-zA-Z-]+)\s*=\s*\"([^\"]*)\"")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(ValueError):
    """The text would be refused with "Bad Request: can't parse entities: …"."""


@dataclass
class _Open:
    tag: str
    start: int
    attrs: dict[str, str]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse(source: str) -> tuple[str, list[dict[str, object]]]:
    """``(plain text, entities)`` for a message sent with ``parse_mode=HTML``."""
    out: list[str] = []
    length = 0  # UTF-16 length of out
    stack: list[_Open] = []
    entities: list[dict[str, object]] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "<":
            match = _TAG.match(source, i)
            if not match:
                raise HtmlError(f"can't parse entities: unexpected '<' at byte offset {i}")
            closing, tag, attr_text = match.group(1), match.group(2).lower(), match.group(3)
            if tag not in TAGS:
                raise HtmlError(
                    f'can\'t parse entities: Unsupported start tag "{tag}" at byte offset {i}'
                )
            if closing:
                if not stack or stack[-1].tag != tag:
                    raise HtmlError(
                        f'can\'t parse entities: Unmatched end tag at byte offset {i}, '
                        f'expected "</{stack[-1].tag if stack else ""}>", found "</{tag}>"'
                    )
                opened = stack.pop()
                if length > opened.start:
                    entity: dict[str, object] = {
                        "type": TAGS[tag],
                        "offset": opened.start,
                        "length": length - opened.start,
                    }
                    if tag == "a":
                        entity["url"] = opened.attrs.get("href", "")
                    if tag == "span" and opened.attrs.get("class") != "tg-spoiler":
                        raise HtmlError("can't parse entities: Unsupported start tag \"span\"")
                    entities.append(entity)
            else:
                stack.append(_Open(tag, length, dict(_ATTR.findall(attr_text))))
            i = match.end()
        elif ch == "&":
            match = _ENTITY.match(source, i)
            if not match:
                raise HtmlError(f"can't parse entities: unsupported HTML entity at byte offset {i}")
            name = match.group(1)
            if name.startswith("#x"):
                text = chr(int(name[2:], 16))
            elif name.startswith("#"):
                text = chr(int(name[1:]))
            else:
                text = _NAMED[name]
            out.append(text)
            length += utf16_len(text)
            i = match.end()
        elif ch == ">":
            raise HtmlError(f"can't parse entities: unexpected '>' at byte offset {i}")
        else:
            out.append(ch)
            length += utf16_len(ch)
            i += 1
    if stack:
        raise HtmlError(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1].tag}"'
        )
    entities.sort(key=lambda e: (e["offset"], -int(e["length"])))  # type: ignore[call-overload]
    return "".join(out), entities
