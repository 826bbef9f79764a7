"""newsbot: a Telegram bot and command line that serve news summaries."""

__version__ = "0.1.0"
