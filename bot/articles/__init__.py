"""Pure parsing of article files (``*.txt``) and JSON Lines (``*.jsonl``) into ``Article``s.

- ``fields``: what both formats share: cleaning, dates, tags, ids, the final validation;
- ``text_format``: one article per ``.txt`` file;
- ``json_lines``: one article per line, streamed;
- ``discovery``: paths and directories to articles, with duplicate ids caught.

Nothing here touches the database; errors are ``ArticleFormatError`` with path and line.
"""

from bot.articles.discovery import ARTICLE_SUFFIXES, discover_article_files, iter_articles
from bot.articles.fields import (
    category_key,
    derive_article_id,
    is_representable,
    normalise_tags,
    parse_published,
    strip_control_characters,
    tag_key,
)
from bot.articles.json_lines import iter_jsonl, parse_article_record
from bot.articles.text_format import DEFAULT_MAX_BYTES, parse_article_text, read_article_file

__all__ = [
    "ARTICLE_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "category_key",
    "derive_article_id",
    "discover_article_files",
    "is_representable",
    "iter_articles",
    "iter_jsonl",
    "normalise_tags",
    "parse_article_record",
    "parse_article_text",
    "parse_published",
    "read_article_file",
    "strip_control_characters",
    "tag_key",
]
