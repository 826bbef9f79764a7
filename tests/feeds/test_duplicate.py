"""Near-duplicate stories: signatures, pairs and groups."""

from __future__ import annotations

from bot.feeds.duplicate import (
    StorySignature,
    group_stories,
    is_near_duplicate,
    story_signature,
)

WIRE = (
    "The harbour of Port Amsel reopened on Monday morning after three days of gales that tore "
    "two cranes from their rails.\n\nShips that had queued outside since Friday were let in "
    "one by one, beginning with the ferry from Kestrel Bay.\n\nHarbour master Ilse Brandt said "
    "divers had checked the main channel overnight and found it clear."
)
OUTLET_COPY = (
    "PORT AMSEL (Courier wire) - The harbour of Port Amsel reopened on Monday morning after "
    "three days of gales that tore two cranes from their rails.\n\nShips that had queued "
    "outside since Friday were let in one by one, beginning with the ferry from Kestrel Bay."
)
SAME_EVENT_OTHER_WRITER = (
    "Kestrel Bay's ferry was first through the gates when Port Amsel let shipping back in on "
    "Monday. Gales had shut the port for three days and wrecked two cranes, and the harbour "
    "master said the channel was clear after an overnight dive survey."
)


def test_an_outlets_edited_copy_is_a_near_duplicate():
    assert is_near_duplicate(story_signature("Harbour reopens after storm", WIRE),
                             story_signature("Port Amsel harbour reopens", OUTLET_COPY))


def test_the_same_event_written_separately_is_not():
    assert not is_near_duplicate(
        story_signature("Harbour reopens after storm", WIRE),
        story_signature("Ferry first in as Port Amsel reopens", SAME_EVENT_OTHER_WRITER))


def test_signature_survives_bytes_and_is_stable():
    signature = story_signature("Нічний тролейбус", "Перший рейс вирушить у п'ятницю.")
    assert StorySignature.from_bytes(signature.to_bytes()) == signature
    assert len(signature.to_bytes()) == 256
    assert story_signature("Нічний тролейбус", "Перший рейс вирушить у п'ятницю.") == signature


def test_groups_join_copies_and_keep_others_apart():
    groups = group_stories([
        ("wire", "Harbour reopens after storm", WIRE),
        ("other", "Ferry first in as Port Amsel reopens", SAME_EVENT_OTHER_WRITER),
        ("copy", "Port Amsel harbour reopens", OUTLET_COPY),
        ("copy-again", "Port Amsel harbour reopens", OUTLET_COPY),
        ("empty", "", ""),
    ])
    assert groups == [["wire", "copy", "copy-again"], ["other"], ["empty"]]
