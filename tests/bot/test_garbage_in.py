"""Whatever a resident types (random Unicode, control characters, terminal escapes,
the digits Chinese input methods produce, very long lines), the turn and the console
answer politely and go on: property-based, many examples against the stand-in agent,
a few against the real dialogue."""
import io
import itertools
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions import texts
from bot.console import Console, button_number
from bot.turn import TEXT, Incoming
from civic.domain.privacy import clean
from turn_support import run

# Input-method digits ("①" crashed the console once), escapes, controls, odd spaces.
PIECES = ["①", "②", "❶", "²", "⑴", "⑩", "２", "١", "0", "1", "12", "123", "\x00", "\x1b", "\x1b[2J",
          "\x1b]0;x\x07", "\x9b", "\u202e", "\u200b", "\ufeff", "\ud800", "\udcff", "\r", "\t", "\u2028",
          "\u3000", "/", "／start", "/help", "@", "结束人工", "望江花园3号楼", "13912345678"]
ANY_CHAR = st.characters(exclude_categories=())  # surrogates, private use, unassigned too
LINE = st.lists(st.one_of(st.text(ANY_CHAR, max_size=8), st.sampled_from(PIECES)),
                max_size=8).map("".join)
LONG_LINE = st.builds(lambda piece, count: piece * count,
                      st.sampled_from(["吵", "a", "①", "\x1b[2J", "好 ", "\x00"]), st.integers(300, 3000))
LINES = st.one_of(LINE, LINE, LONG_LINE)

MANY = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SOME = settings(MANY, max_examples=60)
FEW = settings(max_examples=12, deadline=None, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def readable(text: str) -> bool:
    """A reply a resident can read: words, no control, format or surrogate characters."""
    return bool(text.strip()) and all(ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
                                      for ch in text)


def assert_polite(replies, typed: str) -> None:
    if not clean(typed):  # nothing but blanks and controls: nothing was said
        assert replies == []
        return
    assert replies, f"no reply to {typed!r}"
    for reply in replies:
        assert readable(reply.text), reply.text
        assert not reply.text.startswith(texts.SYSTEM_FAILED), f"{typed!r} made the turn fail"


@given(typed=LINES)
@MANY
def test_any_text_gets_a_polite_reply(app, agent, typed):
    assert_polite(run(app.turn.handle(Incoming("r-prop", TEXT, text=typed))), typed)


@given(line=st.one_of(LINE, st.text(st.sampled_from("①②③❶❷²³⑴⑵０１２3٣"), min_size=1, max_size=3)))
@MANY
def test_a_button_number_is_any_unicode_digit_and_nothing_else_raises(line):
    number = button_number(line)
    if number is not None:
        assert 1 <= len(line) <= 2 and number == int("".join(str(unicodedata.digit(c)) for c in line))


@pytest.mark.parametrize("typed, pressed", [("①", 1), ("②", 2), ("❷", 2), ("²", 2), ("⑴", 1), ("２", 2)])
def test_an_input_method_digit_presses_its_button(app, agent, typed, pressed):
    console = Console(app, "r-ime", out=io.StringIO())
    run(console.handle("你好"))
    run(console.handle(typed))
    assert agent.texts[-1] == ['/inform{"choice":"skip"}', '/inform{"choice":"yes"}'][pressed - 1]


@given(lines=st.lists(st.one_of(LINES, st.sampled_from(["①", "②", "⑨", "❶", "²", "⑴", "99"])),
                      min_size=1, max_size=6))
@SOME
def test_the_console_answers_every_line_while_buttons_are_shown(app, agent, lines):
    out = io.StringIO()
    console = Console(app, "r-console", out=out)
    run(console.handle("你好"))  # two buttons shown
    for line in lines:
        before = len(out.getvalue())
        run(console.handle(line))
        printed = out.getvalue()[before:]
        if clean(line):
            assert printed.startswith("bot> ") and texts.SYSTEM_FAILED not in printed, (line, printed)
            assert texts.TURN_FAILED not in printed


@given(chunks=st.lists(st.one_of(st.binary(max_size=40), LINES.map(lambda s: s.encode("utf-8", "surrogatepass"))),
                       max_size=6))
@SOME
def test_the_console_reads_any_bytes_to_the_end(app, agent, chunks):
    """Bytes that are not UTF-8, NULs, escapes: every line is read, the last one too."""
    data = b"\n".join(chunks + [b"", "最后一行".encode()]) + b"\n"
    out = io.StringIO()
    run(Console(app, "r-bytes", out=out).run(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")))
    assert agent.texts[-1] == "最后一行"
    assert texts.TURN_FAILED not in out.getvalue()


# --- the real dialogue: few examples (about 100 ms a message) ---------------------------

USERS = itertools.count(1)


@given(typed=st.one_of(LINE, LONG_LINE.map(lambda s: s[:1500])))
@FEW
def test_the_real_dialogue_answers_any_text_politely(real_app, typed):
    user = f"r-garbage-{next(USERS)}"  # a conversation of its own each time
    assert_polite(run(real_app.turn.handle(Incoming(user, TEXT, text=typed))), typed)


@given(lines=st.lists(st.one_of(LINE, st.sampled_from(["①", "②", "❶", "²", "⑴"])), min_size=1, max_size=3))
@FEW
def test_the_real_console_goes_on_after_any_line(real_app, lines):
    out, user = io.StringIO(), f"r-garbage-console-{next(USERS)}"
    data = "\n".join(["我要反映问题", *lines, "你好"]) + "\n"
    run(Console(real_app, user, out=out).run(io.StringIO(data)))
    assert texts.SYSTEM_FAILED not in out.getvalue() and texts.TURN_FAILED not in out.getvalue()
    # The last line was read and handled: by the dialogue, or by staff if it handed off.
    tracker = run(real_app.agent.tracker_store.retrieve(user))
    with real_app.civic.reader() as uow:
        current = uow.handoffs.open_for(user)
        kept = [text for _, _, text in uow.handoffs.messages(current.id)] if current else []
    assert tracker.latest_message.text == "你好" or kept[-1:] == ["你好"]
