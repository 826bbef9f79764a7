"""send_feed_alerts: the admins' messages about failing and recovered feeds, over the stand-in
(as ``newsbot feeds poll`` sends them from cron)."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot

from bot.feeds.alerts import send_feed_alerts
from bot.feeds.model import FeedPollReport, FeedSettings, FeedState, StoredFeed

URL = "https://wire.example/rss"
FAILING = StoredFeed(7, FeedSettings(URL, name="Wire <7>", interval=timedelta(minutes=15)),
                     FeedState(URL, failures=3, last_status="failed", last_error="timeout"))


async def test_each_alert_reaches_every_admin_who_can_be_reached(api):
    api.block_chat(222)
    alerts = [
        (FAILING, FeedPollReport(7, URL, "error", error="timeout", alert="failing")),
        (FAILING, FeedPollReport(7, URL, "error", error="timeout")),  # no alert: not sent
    ]
    async with Bot(api.token, base_url=api.base_url) as bot:
        sent = await send_feed_alerts(bot, [333, 222, 111], alerts)
    assert sent == 2
    assert [m.chat_id for m in api.sent] == [111, 333]
    assert api.sent[0].text.splitlines()[:3] == [
        "⚠ Feed failing: Wire <7> (feed 7)", URL, "Reason: no complete answer in time"]
    assert api.sent[0].html.startswith("⚠ Feed failing: <b>Wire &lt;7&gt;</b> (feed 7)")
