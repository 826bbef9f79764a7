"""Telegram HTML: escaping, length, and the cutter every outgoing text goes through.

``pack`` (many messages) and ``fit`` (one message) are the only ways text leaves ``render``:
each message they return is at most ``MESSAGE_LIMIT`` UTF-16 code units of its HTML source
(so also of the visible text Telegram counts), well-formed, using only the tags it was given.
Text is cut only between tags, entities and characters, preferably at a sentence end or a
space; a tag open at a cut is closed there (and reopened in the next message when splitting).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from telegram.constants import MessageLimit

MESSAGE_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
ELLIPSIS = "…"
_MIN_KEPT = 24  # a part shortened below this many characters is dropped instead
_MIN_SPLIT = 400  # a long block starts in the previous message only if this much room is left

_TOKEN = re.compile(
    r"(?P<tag></?(?P<name>[A-Za-z][\w-]*)[^<>]*>)"
    r"|(?P<entity>&(?:[A-Za-z]+|#[0-9]+|#[xX][0-9A-Fa-f]+);)"
    r"|(?P<space>\s+)"
    r"|(?P<text>[^<&\s]+)"
    r"|(?P<stray>[<&])"
)
_SENTENCE_END = re.compile(r"[.!?…]\W*$")


def escape(text: str) -> str:
    """Escape text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "open", "close", "space" or "text" (a word, an entity or an escaped stray)
    html: str
    width: int
    name: str = ""


def _tokens(fragment: str) -> Iterator[_Token]:
    for match in _TOKEN.finditer(fragment):
        if match["tag"]:
            kind = "close" if match["tag"].startswith("</") else "open"
            yield _Token(kind, match["tag"], telegram_length(match["tag"]), match["name"].lower())
        elif match["space"]:
            yield _Token("space", match["space"], telegram_length(match["space"]))
        else:
            text = escape(match["stray"]) if match["stray"] else match[0]
            yield _Token("text", text, telegram_length(text))


def _closing(stack: Sequence[_Token]) -> str:
    return "".join(f"</{tag.name}>" for tag in reversed(stack))


def _head(text: str, room: int) -> int:
    """How many characters of plain ``text`` fit in ``room`` UTF-16 units."""
    low, high = 0, min(len(text), room)
    while low < high:
        middle = (low + high + 1) // 2
        if telegram_length(text[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def _cut(tokens: list[_Token], start: int, budget: int, stack: list[_Token],
         sentences: bool) -> tuple[int, int, list[_Token]]:
    """Where to end a piece that begins at ``tokens[start]`` with ``stack`` open.

    Returns (end, chars, stack at the cut): the piece is ``tokens[start:end]`` plus the first
    ``chars`` characters of ``tokens[end]``, and with the closing tags of the stack it fits in
    ``budget``. A piece never ends just after an opening tag.
    """
    width = 0
    open_tags = list(stack)
    closing = sum(len(t.name) + 3 for t in open_tags)
    best = (start, 0, list(stack), 0)
    word = sentence = None
    # The last word that fitted only without room for the closing tags: (index, width before
    # it, open tags, closing width), to cut inside if nothing better fits.
    squeezed: tuple[int, int, list[_Token], int] | None = None
    index = start
    while index < len(tokens):
        token = tokens[index]
        if width + token.width > budget:
            break
        if token.kind == "text" and width + token.width + closing > budget:
            squeezed = (index, width, list(open_tags), closing)
        width += token.width
        if token.kind == "open":
            open_tags.append(token)
            closing += len(token.name) + 3
            index += 1
            continue
        if token.kind == "close" and open_tags and open_tags[-1].name == token.name:
            closing -= len(open_tags.pop().name) + 3
        index += 1
        if token.kind == "space" or width + closing > budget:
            continue
        best = (index, 0, list(open_tags), width)
        if index < len(tokens) and tokens[index].kind == "space":
            word = best
            if token.kind == "text" and _SENTENCE_END.search(token.html):
                sentence = best
    else:
        return best[:3]
    for choice in ((sentence if sentences else None), word):
        if choice is not None and choice[3] * 2 >= budget:
            return choice[:3]
    token = tokens[index]
    if token.kind != "text" and squeezed is not None and squeezed[0] >= best[0]:
        index, width, open_tags, closing = squeezed
        token = tokens[index]
    if token.kind == "text" and not token.html.startswith("&"):
        chars = _head(token.html, budget - width - closing)
        if chars:
            return index, chars, open_tags
    return (word or best)[:3]


def _piece(tokens: list[_Token], start: int, end: int, chars: int) -> str:
    parts = [t.html for t in tokens[start:end]]
    if chars:
        parts.append(tokens[end].html[:chars])
    return "".join(parts).rstrip()


def shorten(fragment: str, limit: int) -> str:
    """``fragment`` if it fits in ``limit``, else its longest well-formed beginning that fits
    with «…» added, open tags closed; "" if not even «…» fits."""
    if telegram_length(fragment) <= limit:
        return fragment
    budget = limit - len(ELLIPSIS)
    if budget < 0:
        return ""
    tokens: list[_Token] = []
    seen = 0
    for token in _tokens(fragment):  # only as far as can matter: a 500 KB tag is not read
        tokens.append(token)
        seen += token.width
        if seen > limit:
            break
    end, chars, stack = _cut(tokens, 0, budget, [], sentences=False)
    text = _piece(tokens, 0, end, chars)
    # A cut right after a closing tag puts «…» after it; the stack decides what stays open.
    return text + ELLIPSIS + _closing(stack) if text else ""


def split(fragment: str, limit: int = MESSAGE_LIMIT, first: int | None = None) -> list[str]:
    """``fragment`` in pieces of at most ``limit`` (the first at most ``first``, if given, and
    "" when nothing fits there), cut at sentence ends, then spaces, then anywhere; tags open
    at a cut are closed there and reopened in the next piece."""
    if telegram_length(fragment) <= (limit if first is None else min(first, limit)):
        return [fragment] if fragment.strip() else []
    tokens = list(_tokens(fragment))
    pieces: list[str] = []
    start, stack = 0, []
    while start < len(tokens):
        while start < len(tokens) and tokens[start].kind == "space":
            start += 1
        if start == len(tokens):
            break
        reopen = "".join(t.html for t in stack)
        room = limit if pieces or first is None else first
        end, chars, after = _cut(tokens, start, room - telegram_length(reopen), stack, True)
        if end == start and not chars:
            if room < limit:  # no room left in the first piece: start with a whole one
                pieces.append("")
                continue
            if stack or any(t.kind in ("open", "close") for t in tokens[start:]):
                # Only with absurdly small pieces: keep the rest's text, drop its tags.
                tokens[start:] = [t for t in tokens[start:] if t.kind in ("space", "text")]
                stack = []
            else:
                start += 1  # an entity wider than a piece
            continue
        text = _piece(tokens, start, end, chars)
        if chars:
            rest = tokens[end].html[chars:]
            tokens[end] = _Token("text", rest, telegram_length(rest))
        if text.strip():
            pieces.append(reopen + text + _closing(after))
        start, stack = end, after
    return pieces


def pack(blocks: Sequence[str], separator: str = "\n\n",
         limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join HTML blocks into as few messages of at most ``limit`` as the order allows; a
    block wider than a message is split (``split``). Blank blocks are skipped."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        room = limit - telegram_length(current) - len(separator) if current else limit
        # A block wider than a message starts in the room the message before it leaves.
        wide = room >= _MIN_SPLIT and telegram_length(block) > limit
        for unit in split(block, limit, room if wide else None):
            if not unit:
                continue
            joined = f"{current}{separator}{unit}" if current else unit
            if telegram_length(joined) <= limit:
                current = joined
                continue
            if current:
                messages.append(current)
            current = unit
    if current:
        messages.append(current)
    return messages


def fit(blocks: Sequence[str], separator: str = "\n\n", limit: int = MESSAGE_LIMIT) -> str:
    """Join HTML blocks into one message of at most ``limit``: the first block that does not
    fit is shortened with «…» (or, with too little room, replaced by «…»), and the rest
    dropped."""
    kept: list[str] = []
    width = 0
    for block in (b for b in blocks if b.strip()):
        gap = len(separator) if kept else 0
        block_width = telegram_length(block)
        if width + gap + block_width <= limit:
            kept.append(block)
            width += gap + block_width
            continue
        room = limit - width - gap
        short = shorten(block, room) if room >= _MIN_KEPT or not kept else ""
        if short.strip():
            kept.append(short)
        elif kept and width + gap + len(ELLIPSIS) <= limit:
            kept.append(ELLIPSIS)
        break
    return separator.join(kept)


def fit_parts(parts: Sequence[tuple[str, str]], trim_order: Sequence[int],
              limit: int = MESSAGE_LIMIT) -> str:
    """Join (separator, HTML) parts (the first separator is ignored) within ``limit``:
    parts are shortened with «…», or dropped when little of them would be left, in
    ``trim_order`` until the whole fits; a part not named in ``trim_order`` is never cut."""
    texts = [text if text.strip() else "" for _, text in parts]

    def joined() -> str:
        return "".join((parts[i][0] if i and any(texts[:i]) else "") + text
                       for i, text in enumerate(texts) if text)

    whole = joined()
    if len(whole) <= limit // 2 or telegram_length(whole) <= limit:  # the usual case
        return whole
    widths = [telegram_length(t) for t in texts]

    def gap(index: int) -> int:
        return len(parts[index][0]) if index and texts[index] else 0

    total = sum(widths) + sum(gap(i) for i in range(len(parts)))
    for index in trim_order:
        excess = total - limit
        if excess <= 0:
            break
        if not texts[index]:
            continue
        room = widths[index] - excess
        last = index == trim_order[-1]
        short = shorten(texts[index], room) if room >= _MIN_KEPT or last else ""
        total -= widths[index] + gap(index)
        texts[index] = short
        widths[index] = telegram_length(short)
        total += widths[index] + gap(index)
    return fit([joined()], limit=limit)
