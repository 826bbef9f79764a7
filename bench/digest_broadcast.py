"""Digest broadcast: `newsbot send-digests --all` to 2,000 chats against the Bot API stand-in.

    python bench/digest_broadcast.py [--chats 2000] [--tags 40] [--new-articles 120]
        [--dir /tmp/newsbot-digests]

(--chats 200 for a quick run.) A fresh store gets fictional articles (`newsbot import`), then
each chat follows one to three of --tags tags, then NEW articles carrying those tags arrive
(`newsbot import --summarise`, so summaries are made before the send, not during it). Every
digest is then sent by `newsbot send-digests --all`, as its own process, as in production:
the bot's rate limiter on, and the stand-in enforcing Telegram's flood limits (30 messages in
any second overall, one a second per chat) with 429s. Targets:

- at least 28.5 messages/s (95 % of the ceiling), no 429s, no duplicates, no losses;
- CPU per message at most 10 % of one core at Telegram's 30 messages/s, i.e. at most 3.3 ms:
  the process's CPU seconds, less those of the same command on a store with nothing due
  (start-up: imports, connecting, exiting), divided by the messages sent.

Messages/s is measured at the stand-in, from the first accepted message to the last. What each
chat should get is worked out here from the generated articles, not asked of the bot: the ten
newest new articles carrying a tag it follows. A duplicate is an article delivered twice to
one chat; a loss is an expected article that never arrived."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.service import NewsService  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.botapi import BotAPIStandIn, SentMessage  # noqa: E402

CEILING = 30.0  # Telegram: messages a second to different chats
LIMITED_TARGET = 0.95 * CEILING
CPU_SHARE_TARGET = 0.10  # of one core, at CEILING messages a second
DIGEST_ITEMS = 10  # bot.service.NewsService.build_digest's default
FIRST_CHAT = 100_000
OLD_ARTICLES = 200

TOPICS = [
    "Harbour", "Rail", "Farming", "Fisheries", "Energy", "Housing", "Schools", "Hospitals",
    "Tourism", "Weather", "Courts", "Elections", "Budget", "Trade", "Shipping", "Mining",
    "Forestry", "Water", "Roads", "Airports", "Museums", "Football", "Cycling", "Theatre",
    "Science", "Space", "Telecoms", "Banking", "Insurance", "Retail", "Wine", "Textiles",
    "Bridges", "Ferries", "Libraries", "Parks", "Policing", "Fire service", "Pensions", "Jobs",
]
PLACES = ["Port Amsel", "Velmar", "Osterkam", "Lindqvist Bay", "New Tarrow", "Karsholm",
          "Belloc", "Dunmere", "Serrat Valley", "Hollin Ridge"]
EVENTS = ["council approves", "workers debate", "inspectors review", "residents question",
          "officials unveil", "experts warn about", "minister defends", "report praises"]
THINGS = ["a new plan", "the spending rules", "a ten-year strategy", "the winter schedule",
          "rising costs", "a pilot project", "the safety audit", "an unexpected surplus"]
SENTENCES = [  # news-length sentences (20 to 30 words), so long digests take two messages
    "{place} officials said on Monday that the decision on {topic} would be reviewed in the "
    "spring, once the regional auditors have published their long-delayed report.",
    "Critics argued that the {topic} proposal left too many questions unanswered, not least "
    "who would pay for it after the current grants run out in two years.",
    "The regional assembly is expected to vote on the {topic} measures next month, although "
    "several members said they would ask for more time to consult their voters.",
    "Local businesses in {place} welcomed the announcement but asked for clearer deadlines, "
    "saying that uncertainty over {topic} had already cost them orders this year.",
    "Figures published on Tuesday show that {topic} spending rose for a third year running, "
    "driven mostly by higher wages and the rising price of energy and materials.",
    "A spokesperson declined to say how the {topic} changes would be paid for, and referred "
    "all further questions to the finance committee, which meets again on Thursday.",
    "Hundreds of residents of {place} gathered outside the town hall on Saturday morning to "
    "hear the {topic} plans explained by the mayor and two of her deputies.",
    "Independent analysts described the {topic} forecast as cautious but credible, noting that "
    "it assumes no further rise in interest rates before the end of next year.",
    "The opposition called for a public inquiry into the handling of {topic} contracts, citing "
    "documents that suggest two bids arrived after the official deadline had passed.",
    "Earlier attempts to reform {topic} in {place} stalled after two years of talks, when the "
    "unions and the employers failed to agree on how to share the costs.",
]


def fictional_article(number: int, tags: list[str], published: datetime,
                      rng: random.Random) -> dict:
    place = rng.choice(PLACES)
    topic = tags[0]
    title = (f"{place} {rng.choice(EVENTS)} {rng.choice(THINGS)} for "
             f"{topic.lower()} (No. {number})")
    paragraphs = []
    for _ in range(3):
        picked = rng.sample(SENTENCES, 3)
        paragraphs.append(" ".join(s.format(place=place, topic=topic.lower()) for s in picked))
    return {
        "id": f"bench-digest-{number}",
        "category": "Regional news",
        "published": published.isoformat(),
        "source": f"{place} Courier",
        "title": title,
        "subtitle": title,
        "tags": tags,
        "body": "\n\n".join(paragraphs),
    }


def write_jsonl(path: Path, articles: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for article in articles:
            out.write(json.dumps(article, ensure_ascii=False) + "\n")


def newsbot(db: Path, *args: str, env: dict | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "--db", str(db), *args], env=env,
                          cwd=cwd, capture_output=True, text=True, check=False)


@dataclass
class World:
    db: Path
    chats: list[int]
    expected: dict[int, list[str]]  # chat → titles of the articles its digest must hold


def prepare(folder: Path, chats: int, tag_count: int, new_count: int) -> World:
    """A store with old articles, ``chats`` subscribers, then new articles for their tags."""
    rng = random.Random(2025)
    tags = TOPICS[:tag_count]
    db = folder / "prepared.db"
    db.unlink(missing_ok=True)
    start = datetime(2025, 5, 1, 6, 0, tzinfo=UTC)

    def batch(first: int, count: int, since: datetime) -> list[dict]:
        articles = []
        for n in range(first, first + count):
            # Every tag leads some article, so every follower has something new.
            extra = rng.sample([t for t in tags if t != tags[n % len(tags)]],
                               min(len(tags) - 1, rng.randint(1, 2)))
            articles.append(fictional_article(
                n, [tags[n % len(tags)], *extra], since + timedelta(minutes=7 * (n - first)),
                rng))
        return articles

    old = batch(0, OLD_ARTICLES, start)
    write_jsonl(folder / "old.jsonl", old)
    done = newsbot(db, "import", str(folder / "old.jsonl"), cwd=folder)
    if done.returncode != 0:
        sys.exit(f"newsbot import failed:\n{done.stdout}{done.stderr}")

    chat_ids = [FIRST_CHAT + n for n in range(chats)]
    follows: dict[int, set[str]] = {}
    with Store(db) as store:
        service = NewsService(store)
        for chat_id in chat_ids:
            followed = rng.sample(tags, rng.randint(1, min(3, len(tags))))
            service.subscribe(chat_id, ", ".join(followed))
            follows[chat_id] = {t.casefold() for t in followed}

    new = batch(OLD_ARTICLES, new_count, start + timedelta(days=20))
    write_jsonl(folder / "new.jsonl", new)
    done = newsbot(db, "import", "--summarise", str(folder / "new.jsonl"), cwd=folder)
    if done.returncode != 0:
        sys.exit(f"newsbot import --summarise failed:\n{done.stdout}{done.stderr}")

    newest_first = sorted(new, key=lambda a: a["published"], reverse=True)
    expected = {
        chat_id: [a["title"] for a in newest_first
                  if follows[chat_id] & {t.casefold() for t in a["tags"]}][:DIGEST_ITEMS]
        for chat_id in chat_ids
    }
    return World(db, chat_ids, expected)


def copy_store(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


@dataclass
class Outcome:
    label: str
    target: float
    messages: int
    seconds: float  # from the first accepted message to the last
    wall: float  # the send-digests process, start-up included
    too_many: int
    errors: int  # other rejected sends, chats the bot reported failed, unexpected articles
    duplicates: int
    lost_articles: int
    lost_chats: int
    per_chat: Counter[int]  # messages a chat got → how many chats
    cpu_bot: float
    cpu_standin: float

    @property
    def rate(self) -> float:
        return (self.messages - 1) / self.seconds if self.messages > 1 and self.seconds else 0.0

    def cpu_per_message(self, startup: float) -> float:
        return (self.cpu_bot - startup) / self.messages if self.messages else 0.0

    @property
    def passed(self) -> bool:
        return (self.rate >= self.target and not self.too_many and not self.duplicates
                and not self.lost_articles and not self.errors)


ITEM_LINE = re.compile(r"^\d+\. (.+)$", re.MULTILINE)  # "3. Title" heads each digest item


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def startup_cpu(world: World, folder: Path) -> float:
    """CPU seconds of `send-digests --all` when every digest has just been sent: start-up,
    one pass over the chats finding nothing new, exit."""
    db = folder / "sent.db"
    with BotAPIStandIn() as api:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token,
               "TELEGRAM_BASE_URL": api.base_url, "NEWSBOT_DB": str(db)}
        before = cpu_seconds(resource.RUSAGE_CHILDREN)
        done = newsbot(db, "send-digests", "--all", "--json", env=env, cwd=folder)
        spent = cpu_seconds(resource.RUSAGE_CHILDREN) - before
    if done.returncode != 0 or json.loads(done.stdout)["messages"]:
        sys.exit(f"the start-up run sent something or failed:\n{done.stdout}{done.stderr}")
    return spent


def broadcast(world: World, folder: Path, label: str,
              command: tuple[str, ...] = ("send-digests", "--all", "--json")) -> Outcome:
    """Send ``command`` (``newsbot`` arguments) on a copy of the world's store against the
    flood-limited stand-in, and check what every chat got against ``world.expected``."""
    db = folder / "sent.db"
    copy_store(world.db, db)
    arrivals: list[float] = []
    lock = threading.Lock()

    def arrived(message: SentMessage) -> None:
        with lock:
            arrivals.append(time.perf_counter())

    with BotAPIStandIn(enforce_flood_limits=True, per_chat_limit=True) as api:
        api.on_message.append(arrived)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token,
               "TELEGRAM_BASE_URL": api.base_url, "NEWSBOT_DB": str(db)}
        bot_before, standin_before = cpu_seconds(resource.RUSAGE_CHILDREN), cpu_seconds(
            resource.RUSAGE_SELF)
        started = time.perf_counter()
        done = newsbot(db, *command, env=env, cwd=folder)
        wall = time.perf_counter() - started
        cpu_bot = cpu_seconds(resource.RUSAGE_CHILDREN) - bot_before
        cpu_standin = cpu_seconds(resource.RUSAGE_SELF) - standin_before
    if done.returncode not in (0, 1) or not done.stdout.strip():
        sys.exit(f"newsbot send-digests failed ({done.returncode}):\n{done.stderr[-3000:]}")
    if "Traceback" in done.stderr:
        print(f"send-digests logged errors:\n{done.stderr[-3000:]}", file=sys.stderr)
    report = json.loads(done.stdout)

    received: dict[int, Counter[str]] = {chat_id: Counter() for chat_id in world.chats}
    messages: Counter[int] = Counter()
    errors = len(report["failed"]) + len(report["unreachable"]) + sum(
        1 for method, code, _ in api.rejected if method == "sendMessage" and code != 429)
    for message in api.sent:
        if message.chat_id not in received:
            errors += 1
            continue
        messages[message.chat_id] += 1
        received[message.chat_id].update(ITEM_LINE.findall(message.text))
    duplicates = lost = lost_chats = 0
    for chat_id, titles in received.items():
        duplicates += sum(count - 1 for count in titles.values() if count > 1)
        wanted = set(world.expected[chat_id])
        missing = len(wanted - titles.keys())
        lost += missing
        lost_chats += bool(missing)
        errors += len(titles.keys() - wanted)
    return Outcome(
        label=label,
        target=LIMITED_TARGET,
        messages=len(api.sent),
        seconds=arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0,
        wall=wall,
        too_many=api.too_many_requests,
        errors=errors,
        duplicates=duplicates,
        lost_articles=lost,
        lost_chats=lost_chats,
        per_chat=Counter(messages.values()),
        cpu_bot=cpu_bot,
        cpu_standin=cpu_standin,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=2000, help="subscribed chats (default 2000)")
    parser.add_argument("--tags", type=int, default=40, choices=range(2, len(TOPICS) + 1),
                        metavar=f"2..{len(TOPICS)}", help="tags to follow (default 40)")
    parser.add_argument("--new-articles", type=int, default=120,
                        help="articles imported after the chats subscribed (default 120)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the stores go (default: a temporary directory, removed)")
    args = parser.parse_args()

    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    folder = args.dir or Path(tempfile.mkdtemp(prefix="newsbot-digests-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        world = prepare(folder, args.chats, args.tags, args.new_articles)
        outcome = broadcast(world, folder, "rate limiter on, Telegram's limits")
        startup = startup_cpu(world, folder)  # on the store the broadcast just served
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)

    expected = sum(len(titles) for titles in world.expected.values())
    print(f"newsbot digest broadcast · {len(world.chats):,} chats following 1–3 of {args.tags} "
          f"tags · {args.new_articles} new articles · {expected:,} digest items due · "
          "`newsbot send-digests --all` as its own process\n")
    per_message = outcome.cpu_per_message(startup)
    share = per_message * CEILING
    o = outcome
    print("| run | messages | seconds | messages/s | target | 429s | duplicates | "
          "lost articles (chats) | errors | result |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {o.label} | {o.messages:,} | {o.seconds:.1f} | {o.rate:.1f} | "
          f"≥ {o.target:g} | {o.too_many} | {o.duplicates} | "
          f"{o.lost_articles} ({o.lost_chats}) | {o.errors} | "
          f"{'pass' if o.passed else 'MISS'} |")
    print()
    print("| CPU s (bot) | CPU s start-up | CPU ms / message | share of one core at 30 msg/s "
          "| target | result |")
    print("|---|---|---|---|---|---|")
    print(f"| {o.cpu_bot:.2f} | {startup:.2f} | {per_message * 1000:.2f} | {share:.1%} | "
          f"≤ {CPU_SHARE_TARGET:.0%} | {'pass' if share <= CPU_SHARE_TARGET else 'MISS'} |")
    print()
    split = ", ".join(f"{chats:,} chats {n} message{'s' if n > 1 else ''}"
                      for n, chats in sorted(o.per_chat.items()))
    print(f"{split}; send-digests ran {o.wall:.1f} s (start-up included); "
          f"CPU s: stand-in {o.cpu_standin:.1f}")
    print(f"messages/s: first to last message accepted by the stand-in (Telegram's ceiling "
          f"{CEILING:g}/s); load average {load_before} before, "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} after, on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
