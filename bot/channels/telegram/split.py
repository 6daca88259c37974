"""Cutting a long HTML message into parts Telegram accepts.

A reply's text is already HTML (escaped by the renderer). Each part must be valid HTML on
its own, so a part is never cut inside a tag (`<b>`) or an entity (`&lt;`), nor between a
character and what joins onto it (a combining mark, an emoji's modifiers); a tag open at a
cut is closed at the end of the part and opened again at the start of the next one.
Length is counted on the raw HTML (tags and entities included), which is never less than
what Telegram counts after parsing it.
"""

from __future__ import annotations

import re
import unicodedata

# A tag, an entity, or one character.
_TOKEN = re.compile(r"<[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")

_ZWJ = "\u200d"
_JOINERS = {_ZWJ, "\ufe0e", "\ufe0f", "\u20e3"}


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _joins_previous(token: str) -> bool:
    """A token that belongs to the character before it (no cut just before it)."""
    if len(token) != 1:
        return False
    return (
        token in _JOINERS
        or unicodedata.combining(token) != 0
        or 0x1F3FB <= ord(token) <= 0x1F3FF  # skin tones
        or 0xE0020 <= ord(token) <= 0xE007F  # flag tags
    )


class _Token:
    __slots__ = ("closes", "opens", "text", "units")

    def __init__(self, text: str) -> None:
        self.text = text
        self.units = units(text)
        self.opens: str | None = None  # a start tag's name
        self.closes: str | None = None  # an end tag's name
        if text.startswith("<") and len(text) > 1:
            match = _TAG_NAME.match(text)
            name = match.group(1).lower() if match else ""
            if text.startswith("</"):
                self.closes = name
            elif not text.endswith("/>"):
                self.opens = name

    @property
    def is_tag(self) -> bool:
        return self.opens is not None or self.closes is not None


def _closers(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def split_html(text: str, limit: int) -> list[str]:
    """Cut `text` into parts of at most `limit` UTF-16 units: at blank lines, else at line
    ends, else at spaces, else between any two characters, never inside markup."""
    if units(text) <= limit:
        return [text]
    tokens = [_Token(t) for t in _TOKEN.findall(text)]
    parts: list[str] = []
    stack: list[tuple[str, str]] = []  # open tags: (name, the tag as written)
    i = 0
    while i < len(tokens):
        opened = "".join(tag for _, tag in stack)
        cut, stack_at_cut = _best_cut(tokens, i, stack, limit - units(opened))
        body = "".join(t.text for t in tokens[i:cut]).rstrip()
        if _has_text(tokens[:cut], i):  # markup alone is no message (Telegram: "empty")
            parts.append(opened + body + _closers(stack_at_cut))
        stack = stack_at_cut
        i = cut
        while i < len(tokens) and tokens[i].text.isspace():
            i += 1
        if not _has_text(tokens, i):
            break  # what is left is markup only, closed already
    return parts


def _has_text(tokens: list[_Token], start: int) -> bool:
    return any(not t.is_tag and not t.text.isspace() for t in tokens[start:])


def _best_cut(
    tokens: list[_Token], start: int, stack: list[tuple[str, str]], budget: int
) -> tuple[int, list[tuple[str, str]]]:
    """Where to end the part that starts at `start`, and the tags open there."""
    current = list(stack)
    used = 0
    seen_text = False
    # the best cut so far for each kind of place: blank line, line end, space, anywhere
    best: dict[int, tuple[int, list[tuple[str, str]]]] = {}
    j = start
    while j < len(tokens):
        token = tokens[j]
        if used + token.units + units(_closers(_after(current, token))) > budget:
            break
        used += token.units
        current = _after(current, token)
        j += 1
        if not token.is_tag and not token.text.isspace():
            seen_text = True
        # Before any text, a cut may fall between tags only (that markup-only part is
        # dropped, its open tags carried on), so a run of long tags never overflows.
        if j < len(tokens) and (seen_text or token.is_tag) and _may_cut(tokens, j):
            rank = _rank(tokens, j)
            best[rank] = (j, list(current))
    if j >= len(tokens):
        return j, current
    for rank in range(4):
        if rank in best:
            return best[rank]
    # One token does not fit beside the open tags (cannot happen with sane limits):
    # take it alone rather than loop.
    return j + 1, _after(current, tokens[j])


def _after(stack: list[tuple[str, str]], token: _Token) -> list[tuple[str, str]]:
    if token.opens is not None:
        return [*stack, (token.opens, token.text)]
    if token.closes is not None and stack and stack[-1][0] == token.closes:
        return stack[:-1]
    return stack


def _may_cut(tokens: list[_Token], j: int) -> bool:
    """Whether a part may end just before token j."""
    if _joins_previous(tokens[j].text):
        return False
    return tokens[j - 1].text != _ZWJ


def _rank(tokens: list[_Token], j: int) -> int:
    """0 before a blank line, 1 before a line end, 2 before a space, 3 anywhere else."""
    piece = tokens[j].text
    if piece == "\n":
        after = tokens[j + 1].text if j + 1 < len(tokens) else ""
        return 0 if after == "\n" else 1
    return 2 if piece == " " else 3
