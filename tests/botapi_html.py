"""The Bot API's HTML parse mode, as strictly as Telegram checks it (the stand-in's check).

Telegram (tdlib's `parse_html`) refuses a message with "Bad Request: can't parse entities:
…" when a tag is unknown, unclosed, closed out of order or has an unsupported attribute, or
when a `<` does not start a tag. One thing is stricter here: Telegram shows an `&` that
does not start a known entity as a plain `&`, so a cut `&lt;` would reach the reader as
"&" and "lt;"; the stand-in refuses it, because it is always a bug of ours.

Also checked: the text is not empty once parsed, and at most 4,096 UTF-16 units.
"""

from __future__ import annotations

import re

# tag → the attributes it may carry (Bot API "Formatting options", HTML style)
_TAGS: dict[str, frozenset[str]] = {
    **{t: frozenset() for t in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del")},
    "span": frozenset({"class"}),
    "tg-spoiler": frozenset(),
    "a": frozenset({"href"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_ATTRIBUTE = re.compile(r"\s*([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
MAX_UNITS = 4096


class HtmlError(ValueError):
    """What Telegram would answer, after "Bad Request: can't parse entities: "."""


def _entity(text: str, at: int) -> tuple[str, int]:
    """The character an entity at `at` stands for, and where it ends."""
    match = _ENTITY.match(text, at)
    if match is None:
        raise HtmlError(f"Character '&' is not an entity at byte offset {_offset(text, at)}")
    name = match.group(1)
    if name.startswith(("#x", "#X")):
        code = int(name[2:], 16)
    elif name.startswith("#"):
        code = int(name[1:])
    elif name in _NAMED:
        return _NAMED[name], match.end()
    else:
        raise HtmlError(f'Unsupported HTML entity "&{name};" at byte offset {_offset(text, at)}')
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise HtmlError(f"Invalid character code at byte offset {_offset(text, at)}")
    return chr(code), match.end()


def _offset(text: str, at: int) -> int:
    return len(text[:at].encode("utf-8", "surrogatepass"))


def _start_tag(text: str, at: int, end: int) -> str:
    inner = text[at + 1 : end]
    match = re.match(r"([a-zA-Z][a-zA-Z0-9-]*)", inner)
    if match is None:
        raise HtmlError(f"Unsupported start tag at byte offset {_offset(text, at)}")
    name = match.group(1).lower()
    if name not in _TAGS:
        raise HtmlError(f'Unsupported start tag "{name}" at byte offset {_offset(text, at)}')
    rest = inner[match.end() :]
    if name == "span" and "class" not in rest:
        raise HtmlError('Tag "span" must have class "tg-spoiler"')
    while rest.strip():
        attribute = _ATTRIBUTE.match(rest)
        if attribute is None or not attribute.group(0).strip():
            raise HtmlError(f"Expected equal sign in declaration of an attribute of {name}")
        key = attribute.group(1).lower()
        value = (attribute.group(2) or "").strip("\"'")
        if key not in _TAGS[name]:
            raise HtmlError(f'Unsupported attribute "{key}" of tag "{name}"')
        if name == "span" and value != "tg-spoiler":
            raise HtmlError('Tag "span" must have class "tg-spoiler"')
        if "&" in value:
            pos = 0
            while (amp := value.find("&", pos)) >= 0:
                _, pos = _entity(value, amp)
        rest = rest[attribute.end() :]
    return name


def parse_html(text: str) -> str:
    """The text Telegram would show, or `HtmlError` with its reason."""
    shown: list[str] = []
    open_tags: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            decoded, i = _entity(text, i)
            shown.append(decoded)
        elif char == "<":
            end = text.find(">", i)
            if end < 0:
                raise HtmlError(f"Unclosed start tag at byte offset {_offset(text, i)}")
            if text.startswith("</", i):
                name = text[i + 2 : end].strip().lower()
                if not open_tags:
                    at = _offset(text, i)
                    raise HtmlError(f'Unexpected end tag "{name}" at byte offset {at}')
                expected = open_tags.pop()[0]
                if name != expected:
                    raise HtmlError(
                        f"Unmatched end tag at byte offset {_offset(text, i)}, "
                        f'expected "</{expected}>", found "</{name}>"'
                    )
            else:
                open_tags.append((_start_tag(text, i, end), i))
            i = end + 1
        elif char == ">":
            shown.append(char)  # Telegram lets a bare ">" through
            i += 1
        else:
            shown.append(char)
            i += 1
    if open_tags:
        name, at = open_tags[-1]
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{name}" at {at}')
    return "".join(shown)


def check_message(text: str) -> str | None:
    """Telegram's "Bad Request" description for this HTML message text, or None if sent."""
    try:
        shown = parse_html(text)
    except HtmlError as exc:
        return f"Bad Request: can't parse entities: {exc}"
    if not shown.strip():
        return "Bad Request: message text is empty"
    if len(shown.encode("utf-16-le", "surrogatepass")) // 2 > MAX_UNITS:
        return "Bad Request: message is too long"
    return None
