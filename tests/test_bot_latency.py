"""bench/bot_latency.py times each reply to its last message."""

from __future__ import annotations

from bench.bot_latency import Load
from tests.botapi import BotAPIStandIn

USER = 222


def send(api: BotAPIStandIn, text: str, items: range = range(0)) -> None:
    """The bot's side: one message with a «Full text N» row per numbered item."""
    rows = [[{"text": f"Full text {n}", "callback_data": f"full:{n}"}] for n in items]
    api.call("sendMessage", {"chat_id": USER, "text": text,
                             "reply_markup": {"inline_keyboard": rows} if rows else None})


def test_a_list_over_two_messages_is_timed_to_its_second(api):
    ticks = iter([0.0, 1.0, 3.0, 10.0, 10.5])  # seconds: offered, first part, last part, …
    load = Load(api, clock=lambda: next(ticks))
    load.offer(USER, "/latest")
    send(api, "Latest news\n\n1. One", range(1, 4))
    assert load.outstanding() == 1 and load.latencies["latest"] == []
    send(api, "4. Four\n\n5. Five", range(4, 6))
    load.offer(USER, "/search oil")
    send(api, "Results for “oil”")
    assert load.latencies == {"latest": [3000.0], "search": [500.0]}
    assert load.outstanding() == 0


def test_two_lists_at_once_each_end_with_their_own_items(api):
    ticks = iter([0.0, 1.0, 2.0, 4.0, 5.0])  # offered, offered, then the three messages
    load = Load(api, clock=lambda: next(ticks))
    load.offer(USER, "/latest")
    load.offer(USER, "/latest")
    send(api, "Latest news\n\n1. One", range(1, 3))  # the first list's first part
    send(api, "Latest news\n\n1. One", range(1, 6))  # the second list, whole
    send(api, "3. Three", range(3, 6))                # the rest of the first
    assert load.latencies["latest"] == [3000.0, 5000.0]
    assert load.outstanding() == 0


def test_refusals_and_the_flooders_answers_are_counted_apart(api):
    flooder = 999
    ticks = iter([0.0, 0.0, 0.0, 1.0, 2.0, 4.0])
    load = Load(api, clock=lambda: next(ticks), flooders=frozenset({flooder}))
    load.offer(USER, "/search oil")
    load.offer(flooder, "/search a* b*")
    load.offer(flooder, "/search c* d*")
    send(api, "One moment — you already have searches running.")
    api.call("sendMessage", {"chat_id": flooder,
                             "text": "That search is too broad — try fewer prefix* terms."})
    api.call("sendMessage", {"chat_id": flooder, "text": "No articles match “c* d*”."})
    assert load.latencies == {"search: busy": [1000.0], "flood: too broad": [2000.0],
                              "flood: answered": [4000.0]}
    assert load.outstanding() == 0 and load.outstanding(frozenset({USER})) == 0
