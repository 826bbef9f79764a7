"""End-to-end: the real newsbot application against the Bot API stand-in, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_application, prepare
from bot.config import Settings
from bot.models import Summary
from bot.render import MESSAGE_LIMIT, telegram_length
from bot.service import NewsService
from bot.store import Store
from tests.botapi import BotAPIStandIn
from tests.conftest import USER_ARTICLE, article_text, fake_summarise

ADMIN, USER, OTHER = 111, 222, 333
USER_ID = "1a5b572a34d5b3ee"
USER_TITLE = "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW"
LONG_TITLE = "The long harbour report"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """The user's article, seven harbour stories (two result pages) and one very long one."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(USER_ARTICLE, folder)
    for n in range(7):
        (folder / f"harbour{n}.txt").write_text(article_text(
            f"Harbour story {n} <&>", tags="Port Amsel, Economy",
            published=f"2025-02-0{n + 1}T08:00:00+02:00",
            body=f"The harbour moved {n} ships. Dockers worked late.\n\nTrade grew."))
    paragraphs = [f"Paragraph {n}: the harbour authority & its <committee> met again. " * 8
                  for n in range(30)]
    (folder / "long.txt").write_text(article_text(
        LONG_TITLE, tags="Port Amsel", published="2025-01-01T08:00:00Z",
        body="\n\n".join(p.strip() for p in paragraphs)))
    return folder


@contextlib.asynccontextmanager
async def running_newsbot(api: BotAPIStandIn, seeds: Path, db_path: Path, *,
                          summarise=fake_summarise, clock=None, store: Store | None = None,
                          **options):
    """The application as `newsbot run` builds it, polling the stand-in; ``store`` open on
    ``db_path``, or a Store opened there."""
    settings = Settings(token=api.token, admin_ids=frozenset({ADMIN}),
                        db_path=db_path, seeds_dir=seeds, base_url=api.base_url)
    service = NewsService(store or Store(settings.db_path), summarise=summarise,
                          seeds_dir=settings.seeds_dir, clock=clock)
    application = build_application(settings, service, **options)
    await application.initialize()
    await prepare(application)
    await application.start()
    # As Application.run_polling does: polling errors go to the application's error handler.
    await application.updater.start_polling(
        poll_interval=0, timeout=1, error_callback=lambda error: application.create_task(
            application.process_error(update=None, error=error)))
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        service.store.close()


@pytest.fixture
async def newsbot(api: BotAPIStandIn, seeds: Path, tmp_path: Path):
    async with running_newsbot(api, seeds, tmp_path / "news.db",
                               digest_check_every=None) as application:
        yield application


async def say(api: BotAPIStandIn, chat_id: int, text: str, replies: int = 1,
              user_id: int | None = None, language_code: str = "en"):
    before = len(api.messages_to(chat_id))
    api.push_message(chat_id, text, user_id=user_id, language_code=language_code)
    return await api.replies(chat_id, replies, after=before)


async def test_start_registers_menus_and_welcomes(api, newsbot):
    assert [c["command"] for c in api.commands["default"]][:3] == ["latest", "search", "article"]
    admin_menu = [c["command"] for c in api.commands[f"chat:{ADMIN}"]]
    assert "reimport" in admin_menu and "stats" in admin_menu
    assert "reimport" not in [c["command"] for c in api.commands["default"]]
    assert "channel" in [c["command"] for c in api.commands["default"]]
    group_menu = [c["command"] for c in api.commands["all_group_chats"]]
    assert "subscribe" in group_menu and "channel" not in group_menu
    [welcome] = await say(api, USER, "/start")
    assert welcome.text.startswith("Welcome to newsbot!")
    assert "/latest" in welcome.text and "/search Belarus" in welcome.text
    [help_text] = await say(api, USER, "/help")
    for command in ("/latest", "/search", "/article", "/tags", "/subscribe", "/unsubscribe",
                    "/subscriptions", "/digest_time", "/timezone"):
        assert command in help_text.text
    assert "/reimport" not in help_text.text


async def test_a_ukrainian_user_sees_the_bot_in_ukrainian_and_switches_to_english(
        api, newsbot, seeds):
    assert api.commands["default/uk"][0] == {
        "command": "latest", "description": "Найновіші статті: /latest [N] [тег]"}
    assert api.commands["default"][0]["description"] == "Newest articles: /latest [N] [tag]"
    assert "reimport" in [c["command"] for c in api.commands[f"chat:{ADMIN}/uk"]]

    async def uk(text: str, replies: int = 1):
        return await say(api, USER, text, replies, language_code="uk")

    [welcome] = await uk("/start")
    assert welcome.text.startswith("Вітаю в newsbot! Я стисло переказую новини.")
    assert "/search Лісоград — знайти статті" in welcome.text
    [help_text] = await uk("/help")
    assert help_text.text.splitlines()[:2] == [
        "Що я вмію", "/latest — Найновіші статті: /latest [N] [тег]"]
    assert "/language — Мова бота в цьому чаті" in help_text.text
    [listing] = await uk("/latest 2")
    assert listing.text.splitlines()[:4] == [
        "Останні новини", "", "1. Harbour story 6 <&>",
        "7 лютого 2025, 08:00 · Port Amsel Courier · World news"]
    assert "Теги: Port Amsel, Economy" in listing.text
    assert "The harbour moved 6 ships. Trade grew." in listing.text  # content stays as written
    assert [[b["text"] for b in row] for row in listing.reply_markup["inline_keyboard"]] == [
        ["Повний текст 1", "Стежити: Port Amsel"], ["Повний текст 2", "Стежити: Port Amsel"]]
    [usage] = await uk("/search")
    assert usage.text.splitlines() == [
        "Як користуватися: /search ЗАПИТ",
        'Приклад: /search Лісоград або /search "протиповітряна оборона" -Путін',
        "Фільтри: tag:Економіка, category:Політика, префікс*"]
    [none] = await uk("/search Лісоград")  # the welcome's example; these seeds are English
    assert none.text.startswith("Немає статей за запитом «Лісоград».")
    [results] = await uk("/search harbour")
    assert results.text.startswith("Результати за запитом «harbour» (1–5)")
    assert [b["text"] for b in results.buttons][-1] == "Далі ›"
    [out_of_range] = await uk("/latest 50")
    assert out_of_range.text.startswith("Як користуватися: /latest [N] [тег] — N від 1 до 20.")

    [followed] = await uk("/subscribe Lighthouses")
    assert followed.text.startswith("Тепер ви стежите за тегами: Lighthouses.")
    (seeds / "light.txt").write_text(article_text(
        "Lighthouse keepers return", tags="Lighthouses", published="2025-11-24T22:15:00+02:00",
        body="Keepers return to the old light. The lamp was repaired."))
    await say(api, ADMIN, "/reimport", replies=2)
    [digest] = await uk("/digest")
    assert digest.text.splitlines()[:4] == [
        "Ваш дайджест новин — 1 нова стаття", "", "1. Lighthouse keepers return",
        "24 листопада 2025, 22:15 · Port Amsel Courier"]
    assert "Ваші теги: Lighthouses" in digest.text
    assert [b["text"] for b in digest.buttons] == ["Повний текст 1"]

    [choice] = await uk("/language")
    assert choice.text == "Мова бота в цьому чаті: Українська. Виберіть мову:"
    assert [b["text"] for b in choice.buttons] == ["English", "Українська"]
    answer = await api.callback_answer(api.press(choice, "English", language_code="uk"))
    assert answer.get("text") is None
    await api.until(lambda: choice.text == "From now on I speak English here.")
    [welcome] = await uk("/start")  # the chat's choice, whatever the user's Telegram speaks
    assert welcome.text.startswith("Welcome to newsbot!")
    [other] = await say(api, OTHER, "/start", language_code="de")  # no German: English
    assert other.text.startswith("Welcome to newsbot!")


async def test_in_a_group_only_its_administrators_change_the_language(api, newsbot):
    group = -500
    api.add_group(group, members={ADMIN: "creator"})
    [choice] = await say(api, group, "/language", user_id=OTHER, language_code="uk")
    assert choice.text.startswith("Мова бота в цьому чаті: Українська.")
    answer = await api.callback_answer(api.press(choice, "English", user_id=OTHER))
    assert answer["text"] == "Мову цього чату можуть змінювати лише його адміністратори."
    assert choice.text.startswith("Мова бота в цьому чаті: Українська.")
    api.press(choice, "English", user_id=ADMIN)
    await api.until(lambda: choice.text == "From now on I speak English here.")
    [welcome] = await say(api, group, "/start", user_id=OTHER, language_code="uk")
    assert welcome.text.startswith("Welcome to newsbot!")


async def test_latest_is_one_numbered_list_with_buttons_per_item(api, newsbot):
    [listing] = await say(api, USER, "/latest 3")
    lines = listing.text.splitlines()
    assert lines[0] == "Latest news"
    assert [line for line in lines if line[:2] in ("1.", "2.", "3.", "4.")] == [
        "1. Harbour story 6 <&>", "2. Harbour story 5 <&>", "3. Harbour story 4 <&>"]
    assert "<b>1. Harbour story 6 &lt;&amp;&gt;</b>" in listing.html
    assert "Tags: Port Amsel, Economy" in listing.text
    assert "The harbour moved 6 ships. Trade grew." in listing.text
    assert [[b["text"] for b in row] for row in listing.reply_markup["inline_keyboard"]] == [
        ["Full text 1", "Follow Port Amsel"], ["Full text 2", "Follow Port Amsel"],
        ["Full text 3", "Follow Port Amsel"]]
    [tagged] = await say(api, USER, "/latest 1 belarus")
    assert tagged.text.splitlines()[:3] == ["Latest news tagged “belarus”", "", f"1. {USER_TITLE}"]
    [usage] = await say(api, USER, "/latest 50")
    assert usage.text.startswith("Usage: /latest [N] [tag]")


async def test_search_belarus_pages_and_opens_hits(api, newsbot):
    [results] = await say(api, USER, "/search Belarus")
    assert results.text.splitlines()[2] == f"1. {USER_TITLE}"
    assert "<b>Belarus</b>" in results.html
    [page1] = await say(api, USER, "/search harbour")
    assert "(1–5)" in page1.text and [b["text"] for b in page1.buttons][-1] == "Next ›"
    answer = await api.callback_answer(api.press(page1, "Next ›"))
    assert answer.get("text") is None
    await api.until(lambda: "(6–8)" in page1.text)
    assert [b["text"] for b in page1.buttons] == ["6", "7", "8", "‹ Prev"]
    before = len(api.messages_to(USER))
    api.press(page1, "6")
    [card] = await api.replies(USER, 1, after=before)
    assert card.text.startswith("Harbour story")
    assert card.buttons[0]["text"] == "Full text"
    [none] = await say(api, USER, "/search zebra crossing")
    assert none.text.startswith("No articles match “zebra crossing”.")
    [usage] = await say(api, USER, "/search")
    assert usage.text.startswith("Usage: /search WORDS")
    [hostile] = await say(api, USER, '/search "<b>" NEAR( AND (')
    assert hostile.text.startswith("No articles match")


async def test_full_text_of_a_long_article_is_split_at_paragraphs(api, newsbot):
    [listing] = await say(api, USER, "/latest 8")
    number = next(line.split(".")[0] for line in listing.text.splitlines()
                  if line.endswith(LONG_TITLE))
    before = len(api.messages_to(USER))
    callback = api.press(listing, f"Full text {number}")
    await api.callback_answer(callback)
    parts = await api.replies(USER, 2, after=before)
    await api.until(lambda: api.messages_to(USER)[-1].text.endswith(
        f"({len(api.messages_to(USER)) - before}/{len(api.messages_to(USER)) - before})"))
    parts = api.messages_to(USER)[before:]
    assert len(parts) >= 2
    assert all(telegram_length(p.text) <= MESSAGE_LIMIT for p in parts)
    assert parts[0].text.startswith(LONG_TITLE)
    body = "\n\n".join(p.text.rsplit("\n\n(", 1)[0] for p in parts)
    for n in range(30):
        assert body.count(f"Paragraph {n}: the harbour authority & its <committee> met") == 8
    [missing] = await say(api, USER, "/article nope")
    assert missing.text == "No article with id 'nope'."


async def test_follow_tags_list_and_unfollow_with_a_button(api, newsbot):
    [reply] = await say(api, USER, "/subscribe economy, BELARUS, Nowhere")
    assert reply.text.splitlines()[0] == "Now following: Economy, Belarus, Nowhere."
    assert "No articles carry Nowhere yet" in reply.text
    [listing] = await say(api, USER, "/subscriptions")
    assert listing.text.splitlines()[1:] == ["• Belarus", "• Economy", "• Nowhere"]
    answer = await api.callback_answer(api.press(listing, "Unfollow Economy"))
    assert answer["text"] == "Stopped following Economy."
    await api.until(lambda: "Economy" not in listing.text)
    assert listing.text.splitlines()[1:] == ["• Belarus", "• Nowhere"]
    [tags] = await say(api, USER, "/tags")
    assert "• Port Amsel — 8" in tags.text
    answer = await api.callback_answer(api.press(tags, "Follow Port Amsel"))
    assert answer["text"] == "Now following Port Amsel."
    [card] = await say(api, OTHER, "/latest 1 belarus")
    answer = await api.callback_answer(api.press(card, "Follow Russia"))
    assert answer["text"] == "Now following Russia."
    [usage] = await say(api, USER, "/subscribe")
    assert usage.text.startswith("Usage: /subscribe TAG")


async def test_inline_mode_offers_search_results_and_latest(api, newsbot):
    answer = await api.inline_answer(api.push_inline_query("belarus"))
    [result] = answer["results"]
    assert (result["id"], result["title"]) == (USER_ID, USER_TITLE)
    assert result["description"].startswith("President of Belarus Alexander Lukashenko")
    assert result["input_message_content"]["parse_mode"] == "HTML"
    latest = await api.inline_answer(api.push_inline_query(""))
    assert len(latest["results"]) == 9
    assert latest["results"][0]["title"] == "Harbour story 6 <&>"


async def test_reimport_for_admins_only(api, newsbot, seeds, caplog):
    caplog.set_level(logging.WARNING, logger="bot.handlers")
    [refused] = await say(api, USER, "/reimport")
    assert refused.text == "This command is for administrators."
    assert f"Refused /reimport for non-admin user id {USER}" in caplog.text
    [refused] = await say(api, USER, "/stats")
    assert refused.text == "This command is for administrators."

    (seeds / "new.txt").write_text(article_text("Fresh harbour news", tags="Economy"))
    (seeds / "broken.txt").write_text("Politics 2025-01-01\nno offset\n")
    _, report = await say(api, ADMIN, "/reimport", replies=2)
    assert report.text.splitlines()[:5] == [
        "Import finished", "Added: 1", "Updated: 0", "Unchanged: 9", "Failed: 1"]
    assert "broken.txt:1 — datetime '2025-01-01' has no UTC offset" in report.text
    [stats] = await say(api, ADMIN, "/stats")
    assert stats.text.splitlines()[1] == "Articles: 10"


async def test_a_second_reimport_while_one_runs_is_refused(api, newsbot, seeds):
    service = newsbot.bot_data.service
    started, release = threading.Event(), threading.Event()

    def hold(count: int) -> None:  # the running import's progress: it waits here
        started.set()
        release.wait(10)

    running = asyncio.create_task(asyncio.to_thread(service.import_paths, [seeds], progress=hold))
    try:
        assert await asyncio.to_thread(started.wait, 10)
        [answer] = await say(api, ADMIN, "/reimport")
        assert answer.text == "An import is already running; I will not start another."
    finally:
        release.set()
        await running


async def test_bad_and_stale_buttons_are_answered(api, newsbot):
    [card] = await say(api, USER, "/latest 1")
    for data in ["nonsense", "zzz:1", "page:unknown:5", "page", "full:does-not-exist"]:
        answer = await api.callback_answer(api.push_callback(card, data))
        assert answer["text"] in ("This list has expired — send /search again.",
                                  "That article is no longer available.")
    assert not [r for r in api.rejected if r[0] != "getUpdates"]


async def test_digest_after_reimport_arrives_once(api, newsbot, seeds):
    await say(api, USER, "/subscribe Lighthouses")
    [nothing] = await say(api, USER, "/digest")
    assert nothing.text.startswith("Nothing new for your tags")
    (seeds / "light.txt").write_text(article_text(
        "Lighthouse keepers return", tags="Lighthouses, Port Amsel",
        body="Keepers return to the old light. The lamp was repaired."))
    await say(api, ADMIN, "/reimport", replies=2)
    [digest] = await say(api, USER, "/digest")
    assert digest.text.startswith("Your news digest — 1 new article")
    assert "1. Lighthouse keepers return" in digest.text
    assert "Matched: Lighthouses" in digest.text
    assert [b["text"] for b in digest.buttons] == ["Full text 1"]
    [again] = await say(api, USER, "/digest")
    assert again.text.startswith("Nothing new for your tags")
    [timing] = await say(api, USER, "/digest_time 07:30")
    assert timing.text.startswith("Your digest arrives daily at 07:30 (UTC)")
    [zone] = await say(api, USER, "/timezone Europe/Kyiv")
    assert zone.text.startswith("Your digest arrives daily at 07:30 (Europe/Kyiv)")
    [bad] = await say(api, USER, "/timezone Mars/Base")
    assert bad.text.startswith("Unknown timezone “Mars/Base”.")
    [bad] = await say(api, USER, "/digest_time 25:00")
    assert bad.text.startswith("Usage: /digest_time HH:MM")
    [off] = await say(api, USER, "/digest_off")
    assert off.text.startswith("Daily digests are off.")


async def test_unexpected_errors_are_logged_and_apologised_for(api, seeds, tmp_path, caplog):
    def broken(*args, **kwargs) -> Summary:
        raise RuntimeError("summariser exploded")

    async with running_newsbot(api, seeds, tmp_path / "news.db", summarise=broken,
                               digest_check_every=None):
        [sorry] = await say(api, USER, "/latest 1")
    assert sorry.text == "Something went wrong, please try again."
    assert "Exception while handling an update" in caplog.text
    assert "RuntimeError: summariser exploded" in caplog.text


async def test_bad_arguments_get_short_answers_with_usage(api, newsbot, caplog):
    [latest] = await say(api, USER, "/latest ²")  # str.isdigit said yes, int() said no
    assert latest.text.startswith("Usage: /latest [N] [tag]")
    [zone] = await say(api, USER, "/timezone " + "A" * 300)  # OSError errno 36 before
    assert zone.text.startswith("Unknown timezone “AAAA") and "Usage: /timezone" in zone.text
    [clock] = await say(api, USER, "/digest_time 7:0٥")  # stored as "07:0٥" before
    assert clock.text.startswith("Usage: /digest_time HH:MM")
    [missing] = await say(api, USER, "/article " + "x" * 4_080)  # 4,102 characters before
    assert missing.text.startswith("No article with id 'xxx") and missing.text.endswith("…'.")
    [unknown] = await say(api, USER, "/unsubscribe " + "y" * 4_080)  # 4,124 before
    assert unknown.text.startswith("You were not following yyy")
    [huge] = await say(api, USER, "/subscribe " + "z" * 4_000)  # 8,096 before
    assert huge.text.startswith("Now following: zzz")
    [results] = await say(api, USER, "/search harbour")
    token = results.buttons[-1]["callback_data"].split(":")[1]
    forged = {f"page:{token}:²": "This list has expired — send /search again.",
              f"page:{token}:99999999999999999999": "That page is past the last result."}
    for data, expected in forged.items():  # ValueError and OverflowError before
        assert (await api.callback_answer(api.push_callback(results, data)))["text"] == expected
    assert "Exception while handling an update" not in caplog.text
    assert not [r for r in api.rejected if r[0] != "getUpdates"]


async def test_a_tag_with_a_comma_is_followed_whole(api, newsbot, seeds):
    record = {"id": "rates1", "category": "Economy", "published": "2025-03-01T09:00:00Z",
              "source": "Desk", "title": "Bond yields climb", "tags": ["Rates, Bonds"],
              "body": "Yields rose again. Traders sold."}
    (seeds / "rates.jsonl").write_text(json.dumps(record) + "\n")
    await say(api, ADMIN, "/reimport", replies=2)
    [card] = await say(api, USER, "/latest 1")
    answer = await api.callback_answer(api.press(card, "Follow Rates, Bonds"))
    assert answer["text"] == "Now following Rates, Bonds."
    [listing] = await say(api, USER, "/subscriptions")
    assert listing.text.splitlines()[1:] == ["• Rates, Bonds"]
    [quoted] = await say(api, OTHER, '/subscribe "Rates, Bonds", Economy')
    assert quoted.text.splitlines()[0] == "Now following: Rates, Bonds, Economy."


@pytest.mark.parametrize("command", ["run", "start"])
def test_newsbot_run_and_start_poll_the_stand_in_and_stop_on_sigterm(api, seeds, tmp_path,
                                                                     command):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url,
           "NEWSBOT_DB": str(tmp_path / "run.db"), "NEWSBOT_SEEDS": str(seeds),
           "ADMIN_IDS": str(ADMIN)}
    process = subprocess.Popen([sys.executable, "-m", "bot", command], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        api.wait_until(lambda: "default" in api.commands, timeout=30)
        update_id = api.push_message(USER, "/start")
        api.wait_until(lambda: api.messages_to(USER), timeout=30)
        # The bot acknowledged the update (its next poll's offset is past it).
        api.wait_until(lambda: any(method == "getUpdates" and int(params.get("offset") or 0)
                                   > update_id for method, params in api.requests), timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    if command == "start":  # the seed import first, then the bot
        assert output.startswith(f"{seeds}: 9 added, 0 updated, 0 unchanged, 0 failed.")
    assert "newsbot is ready as @newsbot_test_bot: 9 articles" in output
    assert api.token not in output
    assert "Traceback" not in output
    assert api.messages_to(USER)[0].text.startswith("Welcome to newsbot!")


def test_newsbot_run_without_a_token_explains_botfather(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "@BotFather" in done.stderr and "/newbot" in done.stderr
    assert "Traceback" not in done.stderr


async def test_forged_repeated_and_messageless_buttons_get_short_answers(api, newsbot, caplog):
    [page1] = await say(api, USER, "/search harbour")
    token = page1.button("Next ›")["callback_data"].split(":")[1]
    forged = {f"page:{token}:99999999999999999999": "That page is past the last result.",
              f"page:{token}:²": "This list has expired — send /search again.",
              f"page:{token}:-5": "This list has expired — send /search again."}
    for data, expected in forged.items():
        assert (await api.callback_answer(api.push_callback(page1, data)))["text"] == expected
    # «Next ›» tapped twice before the first edit shows: the second edit changes nothing.
    first, second = api.press(page1, "Next ›"), api.press(page1, "Next ›")
    assert (await api.callback_answer(first)).get("text") is None
    assert (await api.callback_answer(second)).get("text") is None
    await api.until(lambda: "(6–8)" in page1.text)
    # A button under an inline message: Telegram sends the callback without a message.
    answer = await api.callback_answer(api.push_callback(None, f"page:{token}:5"))
    assert answer["text"] == "This list has expired — send /search again."
    assert "Exception while handling an update" not in caplog.text
    assert all("Something went wrong" not in m.text for m in api.messages_to(USER))


async def test_two_digests_at_once_deliver_each_article_once(api, newsbot, seeds):
    await say(api, USER, "/subscribe Lighthouses")
    for n in range(3):
        (seeds / f"light{n}.txt").write_text(article_text(
            f"Lighthouse story {n}", tags="Lighthouses", body="The lamp was repaired."))
    await say(api, ADMIN, "/reimport", replies=2)
    before = len(api.messages_to(USER))
    api.push_message(USER, "/digest")
    api.push_message(USER, "/digest")
    replies = await api.replies(USER, 2, after=before)
    texts = "\n".join(m.text for m in replies)
    for n in range(3):
        assert texts.count(f"Lighthouse story {n}") == 1
    assert sorted(m.text.split(" —")[0].split(" for")[0] for m in replies) == [
        "Nothing new", "Your news digest"]


async def test_the_running_bot_sends_due_digests_from_its_repeating_job(api, seeds, tmp_path):
    db_path = tmp_path / "news.db"
    with Store(db_path) as store:
        service = NewsService(store, summarise=fake_summarise)
        service.import_paths([seeds])
        service.subscribe(USER, "Lighthouses")
        service.set_digest_time(USER, "00:00")
        yesterday = datetime.now(UTC) - timedelta(days=1)
        service.finish_digest(USER, 0, yesterday)  # the previous digest: so this one is due
        (tmp_path / "new").mkdir()
        (tmp_path / "new" / "light.txt").write_text(article_text(
            "Lighthouse keepers return", tags="Lighthouses", body="The lamp was repaired."))
        service.import_paths([tmp_path / "new"])
    async with running_newsbot(api, seeds, db_path, digest_check_every=0.2,
                               digest_first_check=0.1, feed_poll_every=None) as application:
        [job] = application.job_queue.jobs()
        assert (job.name, job.job.trigger.interval.total_seconds()) == ("send_due_digests", 0.2)
        [digest] = await api.replies(USER, 1)
    assert digest.text.startswith("Your news digest — 1 new article")
    assert "1. Lighthouse keepers return" in digest.text


async def test_a_due_digest_is_sent_in_the_chats_language(api, seeds, tmp_path):
    db_path = tmp_path / "news.db"
    with Store(db_path) as store:
        service = NewsService(store, summarise=fake_summarise)
        service.import_paths([seeds])
        service.touch_chat(USER, "uk")  # the chat's first writer spoke Ukrainian
        service.subscribe(USER, "Lighthouses")
        service.set_digest_time(USER, "00:00")
        service.finish_digest(USER, 0, datetime.now(UTC) - timedelta(days=1))
        (tmp_path / "new").mkdir()
        for n in range(3):
            (tmp_path / "new" / f"light{n}.txt").write_text(article_text(
                f"Lighthouse keepers return {n}", tags="Lighthouses", body="The lamp shone."))
        service.import_paths([tmp_path / "new"])
    async with running_newsbot(api, seeds, db_path, digest_check_every=0.2,
                               digest_first_check=0.1):
        [digest] = await api.replies(USER, 1)
    assert digest.text.startswith("Ваш дайджест новин — 3 нові статті")
    assert [b["text"] for b in digest.buttons] == [
        "Повний текст 1", "Повний текст 2", "Повний текст 3"]


async def test_a_network_error_while_polling_is_one_warning_line(api, newsbot, caplog):
    caplog.set_level(logging.WARNING)
    api.fail_next_requests(1, code=502)  # the next getUpdates: Telegram's 502 Bad Gateway
    await api.until(lambda: any(r.getMessage().startswith("Polling the Bot API failed")
                                for r in caplog.records))
    [welcome] = await say(api, USER, "/start")  # polling carried on
    assert welcome.text.startswith("Welcome to newsbot!")
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in problems] == [
        "Polling the Bot API failed, retrying: Bad Gateway"]
    assert problems[0].exc_info is None


class HeldSearches(Store):
    """A store that holds every search for the word «slow» until ``release`` is set."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.release = threading.Event()
        self.held = 0
        self.count_lock = threading.Lock()

    def search(self, query, limit=5, offset=0):
        if any(term.text == "slow" for term in query.terms):
            with self.count_lock:
                self.held += 1
            self.release.wait(30)
        return super().search(query, limit, offset)


@contextlib.contextmanager
def release_at_exit(event: threading.Event):
    """Whatever a test asserts, held searches end, so the bot can stop."""
    try:
        yield
    finally:
        event.set()


BUSY = "One moment — you already have searches running."


async def test_a_third_search_at_once_is_asked_to_wait_and_other_users_are_not(
        api, seeds, tmp_path):
    store = HeldSearches(tmp_path / "news.db")
    async with running_newsbot(api, seeds, tmp_path / "news.db", store=store,
                               digest_check_every=None):
        with release_at_exit(store.release):
            [page1] = await say(api, USER, "/search harbour")
            before = len(api.messages_to(USER))
            api.push_message(USER, "/search slow harbour")
            api.push_message(USER, "/search slow")
            await api.until(lambda: store.held == 2)
            # The same user's third search, page and inline query, while two are running:
            [busy] = await say(api, USER, "/search belarus")
            assert busy.text == BUSY
            answer = await api.callback_answer(api.press(page1, "Next ›"))
            assert answer["text"] == BUSY
            inline = await api.inline_answer(api.push_inline_query("belarus", user_id=USER))
            assert inline["results"] == [] and inline["button"]["text"] == BUSY
            # Another user's search is not held up behind them.
            [other] = await say(api, OTHER, "/search belarus")
            assert other.text.startswith("Results for “belarus”")
            store.release.set()
            held = await api.replies(USER, 2, after=before + 1)
            assert sorted(m.text.split("\n")[0] for m in held) == [
                "No articles match “slow harbour”.", "No articles match “slow”."]
            [again] = await say(api, USER, "/search belarus")  # the two slots are free again
            assert again.text.startswith("Results for “belarus”")
    assert store.held == 2


async def test_too_many_prefix_terms_get_a_short_answer_in_chat_and_inline(api, newsbot):
    nine = "h* d* s* l* a* t* harb* dock* ship*"
    [broad] = await say(api, USER, f"/search {nine}")
    assert broad.text == "That search is too broad — try fewer prefix* terms."
    inline = await api.inline_answer(api.push_inline_query(nine, user_id=USER))
    assert inline["results"] == []
    assert inline["button"]["text"] == "That search is too broad — try fewer prefix* terms."
    [fine] = await say(api, USER, "/search harb* dock*")
    assert fine.text.startswith("Results for “harb* dock*”")
