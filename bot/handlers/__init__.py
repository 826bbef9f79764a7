"""Telegram handlers, one module per job: reading, subscriptions, digests, admin.

Every handler parses the update, calls the service off the event loop, renders, replies.
Handlers catch only ``NewsbotError`` (and answer briefly); everything else reaches
``common.error_handler``, which logs the traceback and apologises to the user.
``commands.COMMANDS`` is the one table of commands: registration, ``/help`` and the menus
read it.
"""
