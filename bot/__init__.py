"""Channels: the console chat now; Telegram, the dispatcher and the scheduler later."""
