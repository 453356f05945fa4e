"""The weekly 三率 chart (bot/charts.py): a readable PNG whose Chinese a CJK font draws."""
from __future__ import annotations

import io
import logging
import os
import subprocess
import sys

import matplotlib.backends.backend_agg as backend_agg
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from PIL import Image

from actions import texts
from bot import charts

INSTALL = ("no CJK font on this machine: install fonts-wqy-microhei "
           "(apt-get install fonts-wqy-microhei, or `make fonts` as root)")


def week(dispatched, responded, rated, solved, satisfied) -> dict:
    return {"dispatched": dispatched, "responded": responded, "rated": rated, "solved": solved,
            "satisfied": satisfied,
            "response": responded / dispatched if dispatched else None,
            "resolution": solved / rated if rated else None,
            "satisfaction": satisfied / rated if rated else None}


EMPTY = week(0, 0, 0, 0, 0)


def sample(grids: int = 3) -> dict:
    names = ["望江社区第一网格", "望江社区第二网格", "清溪社区第三网格", "锦秀社区第一网格"]
    rows = [{"id": f"g-{n:02d}", "name": names[n % len(names)],
             "this": week(10 + n, 8, 5, 4, 5), "last": week(9, 9, 4, 2, 3)} for n in range(grids)]
    if rows:
        rows[-1]["last"] = EMPTY  # no case at all last week: every rate None
        rows[0]["this"] = week(6, 5, 0, 0, 0)  # dispatched, none rated yet
    return {"week_start": "2026-11-16", "previous_start": "2026-11-09",
            "street": {"this": week(40, 32, 20, 15, 18), "last": week(35, 30, 0, 0, 0)}, "grids": rows}


def shown(fig) -> list[Text]:
    return [text for text in fig.findobj(Text) if text.get_visible() and text.get_text().strip()]


def off_font(fig, path: str) -> list[str]:
    """Texts of the figure that matplotlib would draw with another file than path."""
    return [text.get_text() for text in shown(fig)
            if os.path.realpath(font_manager.findfont(text.get_fontproperties())) != os.path.realpath(path)]


@pytest.fixture
def cjk():
    path = charts.cjk_font()
    if path is None:
        pytest.skip(INSTALL)
    return path


def test_the_chart_is_a_png_of_telegram_photo_size():
    png = charts.rates_chart(sample(13))
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    width, height = image.size
    assert width == 1280
    assert 600 <= height <= 2000 and width + height <= 10000
    # Drawn, not blank: this week's bar colour is there.
    colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert (0x1f, 0x6f, 0xb2) in colours
    assert len(colours) > 50


def test_the_chart_grows_with_the_grids_and_draws_the_street_alone():
    one = Image.open(io.BytesIO(charts.rates_chart(sample(0)))).size
    many = Image.open(io.BytesIO(charts.rates_chart(sample(13)))).size
    assert one[0] == many[0] == 1280 and one[1] < many[1]


def test_the_labels_are_the_chinese_words_of_the_messages_module():
    fig, _ = charts.rates_figure(sample(2))
    said = {text.get_text() for text in shown(fig)}
    assert set(texts.CHART_RATES.values()) | {texts.CHART_TITLE, texts.CHART_STREET, texts.CHART_NOTE,
                                               "望江社区第一网格", "望江社区第二网格"} <= said
    assert {"本周（11月16日起）", "上周（11月9日起）"} <= said
    assert "80% (32/40)" in said  # the street's response this week, with its counts


def test_the_font_that_draws_the_labels_has_their_glyphs(cjk):
    charmap = FT2Font(cjk).get_charmap()
    assert ord("响") in charmap and ord("率") in charmap
    fig, used = charts.rates_figure(sample(3))
    assert used == cjk
    assert off_font(fig, cjk) == []
    missing = {char for text in shown(fig) for char in text.get_text()
               if not char.isspace() and ord(char) not in charmap}
    assert missing == set()


def test_the_check_catches_a_label_in_the_default_font(cjk):
    fig, _ = charts.rates_figure(sample(1))
    fig.text(0.5, 0.5, "响应率")  # matplotlib's default family, not the CJK file
    assert off_font(fig, cjk) == ["响应率"]


def test_only_the_cjk_font_draws_the_png(cjk, monkeypatch):
    # The files the Agg renderer opens while it draws text: the font that rendered them.
    opened = []
    real = backend_agg.get_font

    def spy(filename, *args, **kwargs):
        opened.append(os.path.realpath(filename))
        return real(filename, *args, **kwargs)

    monkeypatch.setattr(backend_agg, "get_font", spy)
    charts.rates_chart(sample(3))
    assert opened and set(opened) == {os.path.realpath(cjk)}


def test_none_rates_are_marked_no_data_without_a_bar():
    figures = sample(3)
    fig, _ = charts.rates_figure(figures)
    weeks = [figures["street"]] + figures["grids"]
    values = [row[which][rate] for row in weeks for which in ("this", "last") for rate in charts.RATES]
    marks = [text for text in shown(fig) if text.get_text() == texts.CHART_NO_DATA]
    bars = [patch for ax in fig.axes for patch in ax.patches]
    assert values.count(None) == len(marks) > 0
    assert len(bars) == len(values) - values.count(None)


def test_charts_drawn_at_once_in_threads_are_the_same():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        pngs = list(pool.map(lambda _: charts.rates_chart(sample(5)), range(8)))
    assert len(set(pngs)) == 1


def test_a_week_without_any_case_still_draws():
    figures = {"week_start": "2026-11-16", "previous_start": "2026-11-09",
               "street": {"this": EMPTY, "last": EMPTY},
               "grids": [{"id": "g-wj-01", "name": "望江社区第一网格", "this": EMPTY, "last": EMPTY}]}
    assert Image.open(io.BytesIO(charts.rates_chart(figures))).format == "PNG"


def test_without_a_cjk_font_one_warning_and_still_a_png(monkeypatch, caplog):
    monkeypatch.setattr(charts, "_lookup", lambda: None)
    monkeypatch.setattr(charts, "_found", None)
    monkeypatch.setattr(charts, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="bot.charts"):
        first = charts.rates_chart(sample(2))
        charts.rates_chart(sample(2))
    assert Image.open(io.BytesIO(first)).format == "PNG"
    assert charts.rendered_font(sample(1)) is None
    warned = [record.getMessage() for record in caplog.records if record.name == "bot.charts"]
    assert warned == ["no CJK font found: Chinese labels will render as boxes; "
                      "install fonts-wqy-microhei or fonts-noto-cjk"]


@pytest.mark.parametrize("fontconfig", [True, False], ids=["fc-list", "no-fc-list"])
def test_a_font_installed_after_matplotlib_cached_its_list_is_found(cjk, fontconfig, monkeypatch):
    # matplotlib's cached list as it was before the font was installed.
    stale = [entry for entry in font_manager.fontManager.ttflist
             if os.path.realpath(entry.fname) != os.path.realpath(cjk)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    monkeypatch.setattr(charts, "_found", None)
    if not fontconfig:
        monkeypatch.setattr(charts.shutil, "which", lambda name: None)
    assert os.path.realpath(charts.cjk_font()) == os.path.realpath(cjk)


def test_the_chart_module_imports_neither_rasa_nor_telegram_nor_pyplot():
    code = ("import sys, bot.charts; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('rasa', 'rasa_sdk', 'telegram') or m == 'matplotlib.pyplot'))")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "[]"
