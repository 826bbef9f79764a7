"""``newsbot alerts list``: every chat's saved searches, for operators."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bot.cli.terminal import EXIT_OK, print_json, terminal_safe
from bot.models import ChatAddress, SavedAlert
from bot.service import NewsService


def alert_json(alert: SavedAlert, address: ChatAddress) -> dict[str, Any]:
    """An alert as Telegram names its chat: a forum topic's is its forum's ``chat_id`` and
    its ``thread_id`` (None for a whole chat)."""
    return {"chat_id": address.chat_id, "id": alert.id, "query": alert.query,
            "created": alert.created.isoformat(), "thread_id": address.thread_id}


def alerts_list_command(service: NewsService, args: argparse.Namespace) -> int:
    alerts = [(alert, service.chat_address(alert.chat_id)) for alert in service.all_alerts()]
    if args.json:
        print_json([alert_json(alert, address) for alert, address in alerts])
        return EXIT_OK
    if not alerts:
        print("No saved searches. Chats save them with /alert QUERY.")
    for alert, address in alerts:
        topic = f" topic {address.thread_id}" if address.thread_id is not None else ""
        print(f"chat {address.chat_id:>14}{topic}  #{alert.id:<5} "
              f"{alert.created:%Y-%m-%d %H:%M} UTC  {terminal_safe(alert.query)}")
    return EXIT_OK


def add_alert_commands(command: Callable[..., argparse.ArgumentParser],
                       common: argparse.ArgumentParser) -> None:
    """The ``alerts`` command (``alerts list``, also its default) on the main parser."""
    alerts = command("alerts", alerts_list_command, "chats' saved searches (alerts)")
    sub = alerts.add_subparsers(dest="alerts_command", metavar="SUBCOMMAND")
    parser = sub.add_parser("list", parents=[common], help="every chat's saved searches",
                            description="every chat's saved searches")
    parser.set_defaults(func=alerts_list_command)
