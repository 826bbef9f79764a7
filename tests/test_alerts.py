"""Saved searches: saving and limits, matching at import, delivery once per article; then
end to end over HTTP through the Bot API stand-in."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from bot.errors import EmptyArgument, TooBroadSearch, TooManyAlerts
from bot.feeds.model import FeedSettings
from bot.service import MAX_ALERTS, NewsService
from bot.store import Store
from tests.conftest import USER_ARTICLE, WIRE, Clock, fake_summarise
from tests.store.test_budget import HARBOUR
from tests.test_bot import USER, running_newsbot, say
from tests.test_digests import FakeBot, sender_for
from tests.test_service_feeds import DATE, FERRY, polled, rss

CHAT = 1001


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 6, 1, 4, 0, tzinfo=UTC))


@pytest.fixture
def service(store, clock) -> NewsService:
    return NewsService(store, summarise=fake_summarise, clock=clock)


@pytest.fixture
def seeds(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(USER_ARTICLE, folder)
    return folder


def texts(bot: FakeBot) -> str:
    return "\n".join(text for _, text in bot.accepted)


def test_a_saved_search_is_kept_once_with_its_whitespace_collapsed(service):
    alert, added = service.add_alert(CHAT, "  Belarus   -sport ")
    assert (alert.query, alert.chat_id, added) == ("Belarus -sport", CHAT, True)
    again, added = service.add_alert(CHAT, "Belarus -sport")
    assert (again.id, added) == (alert.id, False)
    assert [a.query for a in service.alerts(CHAT)] == ["Belarus -sport"]
    assert service.alerts(CHAT + 1) == []


def test_empty_and_too_broad_searches_are_refused(service):
    with pytest.raises(EmptyArgument):
        service.add_alert(CHAT, "   ")
    with pytest.raises(TooBroadSearch):
        service.add_alert(CHAT, " ".join(f"w{n}*" for n in range(9)))
    assert service.alerts(CHAT) == []


def test_at_most_fifty_saved_searches_per_chat(service):
    for n in range(MAX_ALERTS):
        service.add_alert(CHAT, f"word{n}")
    with pytest.raises(TooManyAlerts) as refused:
        service.add_alert(CHAT, "one more")
    assert refused.value.limit == 50
    assert len(service.alerts(CHAT)) == 50
    service.add_alert(CHAT + 1, "one more")  # another chat has its own fifty
    service.remove_alert(CHAT, service.alerts(CHAT)[0].id)
    service.add_alert(CHAT, "one more")


async def test_new_matches_arrive_in_the_digest_with_the_alert_named(service, add_articles,
                                                                    clock):
    add_articles(("Belarus before the alert", "World"))
    service.add_alert(CHAT, "Belarus -sport")
    add_articles(("Belarus holds talks", "World"), ("Belarus sport final", "Sport"),
                 ("Harbour reopens", "Weather"))
    bot = FakeBot()
    run = await sender_for(service, bot, clock).send_digest(CHAT)
    assert run.served == [CHAT]
    [(_, text)] = bot.accepted
    assert text.startswith("<b>Your news digest</b> — 1 new article")
    assert "Belarus holds talks" in text
    assert "Saved search: “Belarus -sport”" in text
    assert "before the alert" not in text and "sport final" not in text
    again = FakeBot()
    run = await sender_for(service, again, clock).send_digest(CHAT)
    assert (again.accepted, run.empty) == ([], [CHAT])


async def test_an_article_matching_several_alerts_and_tags_is_sent_once(service, add_articles,
                                                                       clock):
    service.subscribe(CHAT, "Economy")
    service.add_alert(CHAT, "rates")
    service.add_alert(CHAT, "tag:Economy")
    service.add_alert(CHAT, "rates rise")
    add_articles(("Rates rise again", "Economy"), ("Rates fall in Poland", "World"),
                 ("Budget agreed", "Economy"))
    bot = FakeBot()
    await sender_for(service, bot, clock).send_digest(CHAT)
    text = texts(bot)
    assert text.count("Rates rise again</b>") == 1
    assert "Matched: Economy\nSaved search: “rates”, “tag:Economy”, “rates rise”" in text
    assert text.count("Rates fall in Poland</b>") == 1
    assert text.count("Budget agreed</b>") == 1
    assert text.index("Budget agreed") < text.index("Rates fall") < text.index("Rates rise")
    assert len(service.delivered_ids(CHAT)) == 3


async def test_alerts_match_filters_and_ukrainian_word_forms(service, add_articles, clock):
    service.add_alert(CHAT, "тролейбусами category:\"world news\"")
    service.add_alert(CHAT, "harbour -storm tag:Weather")
    add_articles(("У Лісограді запускають нічний тролейбус", "Транспорт"),
                 ("Harbour storm warning", "Weather"), ("Harbour calm", "Weather"),
                 ("Harbour calm elsewhere", "Ports"))
    bot = FakeBot()
    await sender_for(service, bot, clock).send_digest(CHAT)
    text = texts(bot)
    assert "нічний тролейбус" in text and "Harbour calm</b>" in text
    assert "storm warning" not in text and "calm elsewhere" not in text


def test_an_alert_over_the_query_budget_is_skipped_and_the_batch_still_stored(clock):
    with Store(":memory:", query_budget=0) as store:
        service = NewsService(store, summarise=fake_summarise, clock=clock)
        # Filters checked per match: past SQLite's first budget check on 100 articles.
        hostile, _ = service.add_alert(CHAT, "harbour -storm category:News tag:Weather")
        added = store.upsert_articles(HARBOUR).added
        report = service.match_alerts(added)
        assert (report.matches, report.refused) == ([], [hostile.id])
        assert service.build_digest(CHAT).items == []
        assert store.latest(1)[0].title == "Harbour story 99"


async def test_a_removed_alert_takes_its_waiting_matches_with_it(service, add_articles, clock):
    alert, _ = service.add_alert(CHAT, "harbour")
    add_articles(("Harbour news", "Weather"))
    assert service.remove_alert(CHAT, alert.id) == alert
    assert service.remove_alert(CHAT, alert.id) is None
    assert service.remove_alert(CHAT + 1, alert.id) is None
    bot = FakeBot()
    run = await sender_for(service, bot, clock).send_digest(CHAT)
    assert (bot.accepted, run.empty) == ([], [CHAT])


async def test_a_group_that_became_a_supergroup_keeps_its_alerts(service, add_articles, clock):
    group, supergroup = -100, -1001
    service.add_alert(group, "harbour")
    add_articles(("Harbour news", "Weather"))
    assert service.migrate_chat(group, supergroup)
    assert service.alerts(group) == []
    assert [a.query for a in service.alerts(supergroup)] == ["harbour"]
    bot = FakeBot()
    await sender_for(service, bot, clock).send_digest(supergroup)
    assert "Harbour news" in texts(bot)


def test_pruned_articles_take_their_waiting_matches_with_them(service, store, add_articles):
    service.add_alert(CHAT, "harbour")
    add_articles(("Harbour news", "Weather"))
    assert store.db.execute("SELECT count(*) FROM alert_matches").fetchone() == (1,)
    assert service.prune(timedelta(days=1), datetime(2026, 1, 1, tzinfo=UTC)) == 1
    assert store.db.execute("SELECT count(*) FROM alert_matches").fetchone() == (0,)
    assert service.build_digest(CHAT).items == []


def test_chats_with_only_alerts_get_digests(service):
    service.add_alert(CHAT, "harbour")
    assert [c.chat_id for c in service.digest_chats()] == [CHAT]


# -- through the bot ------------------------------------------------------------------------


async def test_alert_commands_save_list_and_remove_with_buttons(api, seeds, tmp_path):
    async with running_newsbot(api, seeds, tmp_path / "news.db", digest_check_every=None):
        [usage] = await say(api, USER, "/alert")
        assert usage.text.startswith("Usage: /alert QUERY")
        [saved] = await say(api, USER, "/alert Belarus -sport <&>")
        assert saved.text == ("Saved the search “Belarus -sport <&>”: new articles matching "
                              "it will come here. See /alerts.")
        [again] = await say(api, USER, "/alert   Belarus  -sport <&>")
        assert again.text == "This chat already has the search “Belarus -sport <&>”. See /alerts."
        await say(api, USER, '/alert "interest rates" tag:Economy')
        [listing] = await say(api, USER, "/alerts")
        assert listing.text.splitlines() == [
            "Saved searches (tap to remove one)", "1. “Belarus -sport <&>”",
            "2. “\"interest rates\" tag:Economy”"]
        answer = await api.callback_answer(api.press(listing, "Remove 1"))
        assert answer["text"] == "Removed the search “Belarus -sport <&>”."
        await api.until(lambda: "Belarus" not in listing.text)
        assert listing.text.splitlines()[1:] == ["1. “\"interest rates\" tag:Economy”"]
        answer = await api.callback_answer(api.press(listing, "Remove 1"))
        await api.until(lambda: "interest" not in listing.text)
        assert listing.text == "No saved searches yet. Try /alert Belarus -sport."
        assert listing.buttons == []


async def test_the_fifty_first_alert_is_refused_in_the_chat(api, seeds, tmp_path):
    async with running_newsbot(api, seeds, tmp_path / "news.db",
                               digest_check_every=None) as application:
        service = application.bot_data.service
        for n in range(MAX_ALERTS):
            service.add_alert(USER, f"word{n}")
        [refused] = await say(api, USER, "/alert one more")
        assert refused.text == ("This chat already has 50 saved searches; remove one in "
                                "/alerts first.")


# -- the command line -----------------------------------------------------------------------


def test_cli_lists_every_chats_alerts_as_text_and_json(tmp_path, capsys):
    db = tmp_path / "news.db"
    with Store(db) as store:
        service = NewsService(store, summarise=fake_summarise)
        service.add_alert(-1001, "Belarus -sport")
        service.add_alert(42, '"interest rates" tag:Economy\x1b[31m')
        service.add_alert(service.topic_destination(-1002, 7), "harbour")  # a forum's topic
    assert main(["alerts", "list", "--json", "--db", str(db)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(a["chat_id"], a["thread_id"], a["id"], a["query"]) for a in listed] == [
        (-1001, None, 1, "Belarus -sport"), (42, None, 2, '"interest rates" tag:Economy\x1b[31m'),
        (-1002, 7, 3, "harbour")]
    assert all(set(a) == {"chat_id", "id", "query", "created", "thread_id"} for a in listed)
    datetime.fromisoformat(listed[0]["created"])
    assert main(["alerts", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Belarus -sport" in out and "\x1b" not in out
    assert [line.split()[1] for line in out.splitlines()] == ["-1001", "42", "-1002"]
    assert out.splitlines()[2].split()[2:4] == ["topic", "7"]


def test_cli_says_when_there_are_no_alerts(tmp_path, capsys):
    assert main(["alerts", "list", "--db", str(tmp_path / "news.db")]) == 0
    assert capsys.readouterr().out == "No saved searches. Chats save them with /alert QUERY.\n"


async def test_a_feed_polls_new_articles_are_matched_too(service, clock):
    service.add_alert(CHAT, "ferry -diesel")
    feed_id = service.add_feed(FeedSettings("http://a.example/rss")).id
    polled(service, feed_id, rss("Courier", ("Rates held", "/rates", WIRE, DATE),
                                 ("Electric ferries ordered", "/ferry", FERRY, DATE)))
    bot = FakeBot()
    await sender_for(service, bot, clock).send_digest(CHAT)
    text = texts(bot)
    assert "Electric ferries ordered" in text and "Saved search: “ferry -diesel”" in text
    assert "Rates held" not in text
