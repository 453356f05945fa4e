"""A Telegram Bot API stand-in for tests: a stateful HTTP server on loopback (see README.md)."""
from .botapi import (ApiError, ControlError, Fault, RateLimits, StandIn, ThreadedStandIn, image_size,
                     parse_html, parse_markdown_v2, tiny_png)

__all__ = ["ApiError", "ControlError", "Fault", "RateLimits", "StandIn", "ThreadedStandIn", "image_size",
           "parse_html", "parse_markdown_v2", "tiny_png"]
