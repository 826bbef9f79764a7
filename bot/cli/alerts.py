"""``newsbot alerts list``: every chat's saved searches, for operators."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bot.cli.terminal import EXIT_OK, print_json, terminal_safe
from bot.models import SavedAlert
from bot.service import NewsService


def alert_json(alert: SavedAlert) -> dict[str, Any]:
    return {"chat_id": alert.chat_id, "id": alert.id, "query": alert.query,
            "created": alert.created.isoformat()}


def alerts_list_command(service: NewsService, args: argparse.Namespace) -> int:
    alerts = service.all_alerts()
    if args.json:
        print_json([alert_json(alert) for alert in alerts])
        return EXIT_OK
    if not alerts:
        print("No saved searches. Chats save them with /alert QUERY.")
    for alert in alerts:
        print(f"chat {alert.chat_id:>14}  #{alert.id:<5} {alert.created:%Y-%m-%d %H:%M} UTC  "
              f"{terminal_safe(alert.query)}")
    return EXIT_OK


def add_alert_commands(command: Callable[..., argparse.ArgumentParser],
                       common: argparse.ArgumentParser) -> None:
    """The ``alerts`` command (``alerts list``, also its default) on the main parser."""
    alerts = command("alerts", alerts_list_command, "chats' saved searches (alerts)")
    sub = alerts.add_subparsers(dest="alerts_command", metavar="SUBCOMMAND")
    parser = sub.add_parser("list", parents=[common], help="every chat's saved searches",
                            description="every chat's saved searches")
    parser.set_defaults(func=alerts_list_command)
