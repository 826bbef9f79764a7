"""The feeds package's errors, under ``NewsbotError`` (to join ``bot/errors.py`` at merge)::

    NewsbotError
    ├── FeedFormatError    a document is not a feed newsbot can read (url, reason)
    ├── OpmlFormatError    an OPML file cannot be read (path, reason, line)
    ├── AddressRefused     a URL newsbot must not fetch (url, reason, detail)
    ├── FeedNotFound       no followed feed has this id or URL (ref)
    └── FeedAlreadyFollowed  the URL is followed already (url, feed_id)

Fetch failures are not raised: they come back as data in a ``FetchResult``.
"""

from __future__ import annotations

from bot.errors import NewsbotError


class FeedFormatError(NewsbotError):
    """A document is neither RSS, Atom nor JSON Feed, or yields nothing at all."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class OpmlFormatError(NewsbotError):
    """An OPML file is malformed; ``line`` when the XML parser knows it."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")


class AddressRefused(NewsbotError):
    """A URL newsbot must not fetch; ``reason`` is ``scheme``, ``no_host``, ``dns`` or
    ``private_address`` and ``detail`` the offending scheme or addresses."""

    def __init__(self, url: str, reason: str, detail: str = "") -> None:
        self.url = url
        self.reason = reason
        self.detail = detail
        super().__init__(f"{url}: {reason} {detail}".rstrip())


class FeedNotFound(NewsbotError):
    """No followed feed has the id or URL ``ref`` (as the user gave it)."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(f"no followed feed {ref!r}")


class FeedAlreadyFollowed(NewsbotError):
    """``url`` is followed already, as feed ``feed_id``."""

    def __init__(self, url: str, feed_id: int) -> None:
        self.url = url
        self.feed_id = feed_id
        super().__init__(f"{url} is followed already as feed {feed_id}")
