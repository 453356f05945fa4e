"""The Telegram channel: keyboards and text splitting (shared with the sender), the
resident adapter of the turn (channel), the inbox of updates, and the bot process (runner)."""
