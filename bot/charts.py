"""The weekly 三率 chart: a PNG of this week beside last week, the street and every grid.

Drawn with matplotlib's object API (``Figure`` + ``FigureCanvasAgg``, never pyplot), so
it keeps no global figure state and is safe in a server thread. Chinese needs a CJK
font: ``cjk_font()`` finds one (matplotlib's font list, then ``fc-list :lang=zh``, then
a rescan of the system font directories for files installed after matplotlib built
its cache) and every text of the chart is drawn with that file. Without one the chart
is still drawn, its Chinese as boxes, and one warning is logged.

The input (from the rates service): {"week_start", "previous_start", "street":
{"this": R, "last": R}, "grids": [{"id", "name", "this": R, "last": R}, ...]}, R the
counts and the rates (0..1 or None) of one week.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import os
import shutil
import subprocess
import threading
import warnings

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import PercentFormatter

from actions import texts

log = logging.getLogger(__name__)

# Family names, best first: the first one installed that has the glyphs is used.
PREFERRED = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
             "Source Han Sans SC", "Source Han Sans CN", "Noto Sans CJK JP", "Source Han Sans",
             "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN", "AR PL SungtiL GB",
             "AR PL KaitiM GB")
# A font must draw these to be used (the chart's fixed words).
PROBE = "三率响应解决满意本周上周全街道无数据网格社区"
NO_FONT = ("no CJK font found: Chinese labels will render as boxes; "
           "install fonts-wqy-microhei or fonts-noto-cjk")
RATES = ("response", "resolution", "satisfaction")
# The counts each rate is part / whole of (for the label under the percentage).
PARTS = {"response": ("responded", "dispatched"), "resolution": ("solved", "rated"),
         "satisfaction": ("satisfied", "rated")}
THIS_COLOUR, LAST_COLOUR, NONE_COLOUR = "#1f6fb2", "#a9c8e6", "#8a8a8a"
WIDTH_PX, DPI = 1280, 100

_lock = threading.Lock()
_found: str | None = None
_warned = False


def _has_glyphs(path: str, chars: str = PROBE) -> bool:
    try:
        charmap = FT2Font(path).get_charmap()
    except Exception:  # unreadable or not a font FreeType opens
        return False
    return all(ord(char) in charmap for char in chars)


def _fc_list_files() -> list[str]:
    """Font files fontconfig says cover Chinese (empty without fc-list)."""
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(["fc-list", "--format", "%{file}\n", ":lang=zh"], capture_output=True,
                             text=True, timeout=15, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.strip() for line in out.splitlines() if line.strip()})


def _choose(entries: list[tuple[str, str]]) -> str | None:
    """The best (name, file) with the glyphs: a preferred family first, then any."""
    rank = {family.lower(): index for index, family in enumerate(PREFERRED)}
    ordered = sorted(entries, key=lambda entry: (rank.get(entry[0].lower(), len(rank)), entry[1]))
    for _, path in ordered:
        if os.path.isfile(path) and _has_glyphs(path):
            return path
    return None


def _add(manager, paths) -> None:
    for path in paths:
        try:
            manager.addfont(path)
        except Exception as error:  # noqa: BLE001 (a file FreeType cannot read is skipped)
            log.debug("cannot add font %s: %s", path, error)


def _lookup() -> str | None:
    manager = font_manager.fontManager
    known = {os.path.realpath(entry.fname) for entry in manager.ttflist}
    # fontconfig's Chinese fonts that matplotlib's cached list misses (installed after
    # matplotlib built it) are added to its font manager.
    chinese = {os.path.realpath(path) for path in _fc_list_files()}
    _add(manager, sorted(chinese - known))
    preferred = {family.lower() for family in PREFERRED}
    entries = [(entry.name, entry.fname) for entry in manager.ttflist]
    found = (_choose([entry for entry in entries if entry[0].lower() in preferred])
             or _choose([entry for entry in entries if os.path.realpath(entry[1]) in chinese]))
    if found:
        return found
    # No fontconfig, or it knows none: rescan the font directories for files new since
    # matplotlib's cache was built, and take any with the glyphs.
    fresh = [path for path in font_manager.findSystemFonts() if os.path.realpath(path) not in known]
    _add(manager, fresh)
    fresh = {os.path.realpath(path) for path in fresh}
    return _choose([(entry.name, entry.fname) for entry in manager.ttflist
                    if os.path.realpath(entry.fname) in fresh])


def cjk_font() -> str | None:
    """The path of a font file that draws Chinese, or None (after one warning)."""
    global _found, _warned
    with _lock:
        if _found and os.path.isfile(_found):
            return _found
        _found = _lookup()
        if _found is None and not _warned:
            _warned = True
            log.warning(NO_FONT)
            # Otherwise matplotlib warns once per missing glyph on every chart.
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from current font",
                                    category=UserWarning)
        return _found


def _day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return texts.CHART_DATE.format(month=day.month, day=day.day)


def _label(week: dict, rate: str) -> str:
    part, whole = PARTS[rate]
    return texts.CHART_VALUE.format(share=week[rate], part=week.get(part, 0), whole=week.get(whole, 0))


def rates_figure(figures: dict) -> tuple[Figure, str | None]:
    """The chart, drawn, and the font file its texts use (None: no CJK font)."""
    path = cjk_font()

    def font(size: float, weight: str = "normal") -> FontProperties:
        return FontProperties(fname=path, size=size, weight=weight) if path else \
            FontProperties(size=size, weight=weight)

    rows = [(texts.CHART_STREET, figures["street"])]
    rows += [(grid.get("name") or grid.get("id", ""), grid) for grid in figures.get("grids", [])]
    height_in = 1.9 + 0.62 * len(rows)
    fig = Figure(figsize=(WIDTH_PX / DPI, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(RATES), sharey=True)
    positions = list(range(len(rows)))
    bar = 0.38
    for ax, rate in zip(axes, RATES):
        for offset, week, colour in ((-bar / 2, "this", THIS_COLOUR), (bar / 2, "last", LAST_COLOUR)):
            for y, (_, row) in zip(positions, rows):
                value = row[week].get(rate)
                at = y + offset
                if value is None:
                    ax.text(0.01, at, texts.CHART_NO_DATA, va="center",
                            ha="left", color=NONE_COLOUR, fontproperties=font(10))
                    continue
                ax.barh(at, value, height=bar, color=colour)
                ax.text(value + 0.015, at, _label(row[week], rate), va="center", ha="left",
                        color="#222222" if week == "this" else "#555555", fontproperties=font(10))
        ax.set_title(texts.CHART_RATES[rate], fontproperties=font(14, "bold"), pad=8)
        ax.set_xlim(0, 1.55)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])  # made now, so the pass below reaches them
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.axhline(0.5, color="#bbbbbb", linewidth=0.8)  # the street above the grids
    axes[0].set_yticks(positions)
    axes[0].set_yticklabels([name for name, _ in rows], fontproperties=font(11))
    axes[0].set_ylim(len(rows) - 0.5, -0.6)
    handles = [Patch(facecolor=THIS_COLOUR), Patch(facecolor=LAST_COLOUR)]
    fig.legend(handles, [texts.CHART_WEEK.format(week=texts.CHART_THIS, day=_day(figures["week_start"])),
                         texts.CHART_WEEK.format(week=texts.CHART_LAST, day=_day(figures["previous_start"]))],
               loc="upper right", ncol=2, frameon=False, prop=font(11))
    fig.suptitle(texts.CHART_TITLE, x=0.01, ha="left", fontproperties=font(16, "bold"))
    fig.text(0.01, 0.01, texts.CHART_NOTE, ha="left", va="bottom", color="#555555",
             fontproperties=font(10))
    longest = max(len(name) for name, _ in rows)  # room for the names at 11 pt
    fig.subplots_adjust(left=min(0.3, max(0.1, 0.035 + 0.012 * longest)), right=0.99, top=1 - 1.05 / height_in, bottom=0.75 / height_in,
                        wspace=0.08)
    # Every text (tick labels too) in the one file, at its own size; again after a
    # draw for any text made while drawing, so the default font draws nothing.
    _use(fig, path)
    fig.canvas.draw()
    _use(fig, path)
    return fig, path


def _use(fig: Figure, path: str | None) -> None:
    if path is None:
        return
    for text in fig.findobj(Text):
        if text.get_fontproperties().get_file() != path:
            properties = text.get_fontproperties().copy()
            properties.set_file(path)
            text.set_fontproperties(properties)


def rates_chart(figures: dict) -> bytes:
    """The PNG of the weekly 三率 chart."""
    fig, _ = rates_figure(figures)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def rendered_font(figures: dict) -> str | None:
    """The font file the chart's texts were drawn with (None: matplotlib's default)."""
    return rates_figure(figures)[1]


def refresh_font_cache() -> str | None:
    """For the set-up: rebuild matplotlib's cached font list (~/.cache/matplotlib/fontlist-*.json)
    when it misses a CJK font installed after it was built; then the font cjk_font() finds."""
    manager = font_manager.fontManager
    known = {os.path.realpath(entry.fname) for entry in manager.ttflist}
    chinese = {os.path.realpath(path) for path in _fc_list_files()}
    preferred = {family.lower() for family in PREFERRED}
    if chinese - known or not (chinese or any(e.name.lower() in preferred for e in manager.ttflist)):
        try:
            fresh = font_manager._load_fontmanager(try_read_cache=False)  # rewrites the cache file
            vars(manager).update(vars(fresh))  # as matplotlib does when a cached file vanished
        except (AttributeError, TypeError):  # a matplotlib without it: drop the cache file
            cache = os.path.join(matplotlib.get_cachedir(), f"fontlist-v{manager.__version__}.json")
            if os.path.exists(cache):
                os.remove(cache)
    return cjk_font()


if __name__ == "__main__":  # python -m bot.charts fonts (the Makefile's set-up step)
    import sys

    if sys.argv[1:] != ["fonts"]:
        sys.exit("usage: python -m bot.charts fonts")
    refresh_font_cache()
