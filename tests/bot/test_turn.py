"""The channel-neutral turn: what reaches the dialogue, and what is answered before it."""
import datetime as dt

import pytest

from actions import texts
from bot.turn import BUTTON, CONTACT, LOCATION, OTHER, PHOTO, TEXT, Incoming
from civic.domain.actors import Actor
from civic.services import handoff
from turn_support import WEDNESDAY_TEN, run


def say(app, text, user="r-1", **extra):
    return run(app.turn.handle(Incoming(user, TEXT, text=text, **extra)))


def press(app, button, user="r-1", key=None):
    return run(app.turn.handle(Incoming(user, BUTTON, data=button.data, key=key)))


def test_typed_text_is_normalised_and_the_clock_travels_with_it(app, agent):
    say(app, "望江花园三号楼")
    text, user, metadata = agent.received[0]
    assert (text, user) == ("望江花园3号楼", "r-1")
    assert metadata == {"now": "2026-11-18T10:00:00+08:00"}


def test_the_time_a_channel_read_off_the_message_wins_over_the_clock(app, agent):
    sent = dt.datetime(2026, 11, 19, 2, 30, tzinfo=dt.timezone.utc)
    say(app, "你好", at=sent)
    assert agent.received[0][2] == {"now": sent.isoformat()}


def test_control_characters_and_nul_never_reach_the_dialogue(app, agent):
    say(app, "楼道\x00灯坏了\x1b[31m")
    assert agent.texts == ["楼道灯坏了[31m"]


def test_an_over_long_message_is_refused_politely_and_reaches_nothing(app, agent):
    replies = say(app, "吵" * (texts.MAX_MESSAGE + 1))
    assert agent.received == [] and "太长" in replies[0].text


@pytest.mark.parametrize("command", ["/start", "/help", "/start@qxy_street_bot", "／start"])
def test_start_and_help_show_the_welcome(app, agent, command):
    say(app, command)
    assert agent.texts == ["/help"]


@pytest.mark.parametrize("typed", ["/rm -rf", '/inform{"choice":"grid:HP-03|阳光花园"}',
                                   '／inform{"choice":"grid:HP-03|阳光花园"}',
                                   '/inform{"choice":"loc:30.59350,114.29180"}'])
def test_typed_text_is_never_taken_as_a_button_payload(app, agent, typed):
    replies = say(app, typed)
    assert agent.received == [] and replies[0].text == texts.UNKNOWN_COMMAND


def test_a_pressed_button_sends_what_was_offered(app, agent):
    skip, _ = say(app, "你好")[0].buttons
    press(app, skip)
    assert agent.texts[-1] == '/inform{"choice":"skip"}'


def test_every_button_fits_telegrams_callback_data(app, agent):
    agent.replies = [{"text": "选地点", "buttons": [
        {"title": "阳光花园（锦秀社区第二网格）",
         "payload": '/inform{"choice":"grid:JX-02|阳光花园三号楼二单元东边那个门口"}'}]}]
    (button,) = say(app, "阳光花园")[0].buttons
    assert len(button.data.encode("utf-8")) <= 64
    press(app, button)
    assert agent.texts[-1] == '/inform{"choice":"grid:JX-02|阳光花园三号楼二单元东边那个门口"}'


def test_a_double_press_has_one_effect(app, agent):
    _, confirm = say(app, "你好")[0].buttons
    press(app, confirm)
    replies = press(app, confirm)
    assert agent.texts.count('/inform{"choice":"yes"}') == 1
    assert replies[0].text == texts.STALE_BUTTON


def test_the_other_button_of_an_answered_question_is_stale(app, agent):
    skip, confirm = say(app, "你好")[0].buttons
    press(app, confirm)
    assert press(app, skip)[0].text == texts.STALE_BUTTON
    assert '/inform{"choice":"skip"}' not in agent.texts


def test_a_replayed_update_finds_its_own_press(app, agent):
    _, confirm = say(app, "你好")[0].buttons
    press(app, confirm, key="update-7")
    press(app, confirm, key="update-7")
    assert agent.texts.count('/inform{"choice":"yes"}') == 2


def test_an_older_questions_buttons_are_stale_once_the_conversation_moved_on(app, agent):
    skip, _ = say(app, "你好")[0].buttons
    say(app, "我想说点别的")
    assert press(app, skip)[0].text == texts.STALE_BUTTON


@pytest.mark.parametrize("data", ["r:AAAAAAAAAA", "r:", "garbage", "r:" + "a" * 70, "case:sign:20261118-0001"])
def test_forged_or_malformed_callback_data_changes_nothing(app, agent, data):
    replies = run(app.turn.handle(Incoming("r-1", BUTTON, data=data)))
    assert agent.received == [] and replies[0].text == texts.UNKNOWN_BUTTON


def test_another_residents_button_is_refused(app, agent):
    skip, _ = say(app, "你好", user="r-2")[0].buttons
    replies = press(app, skip, user="r-1")
    assert agent.texts == ["你好"] and replies[0].text == texts.UNKNOWN_BUTTON


@pytest.mark.parametrize("what", ["sticker", "voice", "video", "document", "edited"])
def test_what_the_bot_cannot_read_gets_a_polite_answer_and_changes_nothing(app, agent, what):
    replies = run(app.turn.handle(Incoming("r-1", OTHER, what=what)))
    assert agent.received == [] and replies[0].text == texts.CANNOT_TAKE[what]


def test_the_residents_own_contact_answers_with_its_number(app, agent):
    run(app.turn.handle(Incoming("r-1", CONTACT, phone="13812345678", own_contact=True)))
    assert agent.texts == ["13812345678"]


def test_someone_elses_contact_is_refused(app, agent):
    replies = run(app.turn.handle(Incoming("r-1", CONTACT, phone="13812345678", own_contact=False)))
    assert agent.received == [] and replies[0].text == texts.NOT_OWN_CONTACT


# --- handed off: the bot stays quiet, what the resident says is kept for staff ---------


@pytest.fixture
def handed_off(app):
    with app.civic.uow() as uow:
        return handoff.request_handoff(uow, app.civic.services, actor=Actor.resident("r-1"),
                                       reason="asked", summary="想找人问问", now=WEDNESDAY_TEN)


def messages_kept(app, handoff_id):
    with app.civic.reader() as uow:
        return [(sender, text) for _, sender, text in uow.handoffs.messages(handoff_id)]


def test_a_handed_off_residents_messages_go_to_staff_with_one_acknowledgment(app, agent, handed_off):
    first = say(app, "我家楼上漏水了")
    second = say(app, "已经漏了三天了")
    assert agent.received == []
    assert len(first) == 1 and "10:30前" in first[0].text and "结束人工" in first[0].text
    assert second == []
    assert messages_kept(app, handed_off.handoff_id) == [("resident", "我家楼上漏水了"),
                                                         ("resident", "已经漏了三天了")]


def test_button_presses_while_handed_off_do_not_reach_the_dialogue(app, agent):
    skip, _ = say(app, "你好")[0].buttons
    with app.civic.uow() as uow:
        handoff.request_handoff(uow, app.civic.services, actor=Actor.resident("r-1"),
                                reason="asked", summary="", now=WEDNESDAY_TEN)
    press(app, skip)
    assert agent.texts == ["你好"]


def test_the_resident_ends_the_handoff_and_rates_the_help_once(app, agent, handed_off):
    ended = say(app, "结束人工")
    assert texts.HANDOFF_ENDED_BY_RESIDENT in ended[0].text
    satisfied = next(b for b in ended[0].buttons if b.title == "满意")
    assert press(app, satisfied)[0].text == texts.HELP_RATED
    with app.civic.reader() as uow:
        assert uow.handoffs.get(handed_off.handoff_id).satisfaction == "satisfied"
    say(app, "你好")
    assert agent.texts == ["你好"]  # back to the bot


def test_staff_end_the_handoff_and_the_bot_answers_again(app, agent, handed_off):
    with app.civic.uow() as uow:
        handoff.end_handoff(uow, actor=Actor("cc-liang", "command_centre"), now=WEDNESDAY_TEN,
                            resident_id="r-1")
    say(app, "你好")
    assert agent.texts == ["你好"]


def test_a_resident_cannot_end_someone_elses_handoff(app, handed_off):
    from civic.domain.errors import NotAllowed

    with app.civic.uow() as uow, pytest.raises(NotAllowed):
        handoff.end_handoff(uow, actor=Actor.resident("r-2"), now=WEDNESDAY_TEN, resident_id="r-1")


def test_staff_ending_the_handoff_tells_the_resident_and_asks_to_rate_it(app, agent, handed_off):
    with app.civic.uow() as uow:
        handoff.end_handoff(uow, actor=Actor("cc-liang", "command_centre"), now=WEDNESDAY_TEN,
                            resident_id="r-1")
    (notice,) = run(app.deliver_to("r-1"))
    assert "已结束人工服务" in notice.text
    assert [b.title for b in notice.buttons] == ["满意", "基本满意", "不满意"]
    thanks = run(app.turn.handle(Incoming("r-1", BUTTON, data=notice.buttons[1].data)))
    assert thanks[0].text == texts.HELP_RATED
    assert run(app.deliver_to("r-1")) == []  # told once


# --- a shared location, a photo ----------------------------------------------------------

WJ_01 = (30.5935, 114.2918)  # inside 望江社区第一网格's area (data/district.yml)
NOWHERE = (30.6200, 114.2500)  # outside the street


def share(app, where, user="r-1"):
    return run(app.turn.handle(Incoming(user, LOCATION, location=where, what="location")))


def photo(app, file_id, user="r-1", caption=""):
    return run(app.turn.handle(Incoming(user, PHOTO, file_id=file_id, text=caption, what="photo")))


def photos_of(app, number):
    from civic.services import evidence

    with app.civic.reader() as uow:
        return [p.file_id for p in evidence.photos_of(uow, case_number=number)]


def pending(app, user="r-1"):
    with app.civic.reader() as uow:
        return [p.file_id for p in uow.evidence.pending(user, since=WEDNESDAY_TEN - dt.timedelta(days=1))]


def open_case(app, user="r-1"):
    from civic.services import cases

    with app.civic.uow() as uow:
        return cases.report_case(uow, app.civic.services, actor=Actor.resident(user), category="repair",
                                 description="望江花园3号楼楼道灯坏了", address="望江花园3号楼",
                                 now=WEDNESDAY_TEN).case


def test_a_location_outside_any_form_says_which_grid_and_reaches_nothing(app, agent):
    (reply,) = share(app, WJ_01)
    assert reply.text == texts.LOCATION_HERE.format(grid="望江社区第一网格") and agent.received == []


def test_a_location_outside_the_street_says_so(app, agent):
    (reply,) = share(app, NOWHERE)
    assert reply.text == texts.LOCATION_NOT_HERE.format(street="望江街道") and agent.received == []


def test_a_location_answers_the_report_forms_place_question_as_a_payload(app, agent):
    agent.in_form("r-1", "report_form", "address")
    share(app, WJ_01)
    text, user, metadata = agent.received[0]
    assert (text, user) == ('/inform{"choice": "loc:30.59350,114.29180"}', "r-1")
    assert metadata == {"now": "2026-11-18T10:00:00+08:00"}


def test_a_location_while_the_report_form_asks_something_else_leaves_the_question_standing(app, agent):
    agent.in_form("r-1", "report_form", "description")
    (reply,) = share(app, WJ_01)
    assert reply.text == texts.LOCATION_LATER.format(where="望江社区第一网格") and agent.received == []


def test_a_form_of_a_session_that_has_expired_asks_nothing_any_more(app, agent):
    agent.in_form("r-1", "report_form", "address", seconds_ago=2 * 3600)
    (reply,) = share(app, WJ_01)
    assert reply.text == texts.LOCATION_HERE.format(grid="望江社区第一网格") and agent.received == []


def test_a_photo_without_an_open_case_is_kept_for_the_report_asked_for(app, agent):
    (reply,) = photo(app, "AgAD-a")
    assert reply.text == texts.PHOTO_KEPT and agent.received == []
    assert pending(app) == ["AgAD-a"]


def test_a_photo_is_attached_to_the_residents_open_case_and_names_it(app, agent):
    case = open_case(app)
    (reply,) = photo(app, "AgAD-b")
    assert reply.text == texts.PHOTO_ADDED.format(number=case.number)
    assert photos_of(app, case.number) == ["AgAD-b"]


def test_a_photo_during_a_report_waits_for_that_report_not_the_open_case(app, agent):
    case = open_case(app)
    agent.in_form("r-1", "report_form", "description")
    (reply,) = photo(app, "AgAD-c")
    assert reply.text == texts.PHOTO_FOR_REPORT and agent.received == []
    assert photos_of(app, case.number) == [] and pending(app) == ["AgAD-c"]


def test_a_photos_caption_is_handled_as_a_message_after_the_photo_is_kept(app, agent):
    replies = photo(app, "AgAD-d", caption="三号楼楼道灯坏了")
    assert replies[0].text == texts.PHOTO_FOR_REPORT  # the caption starts the report it goes with
    assert agent.texts == ["3号楼楼道灯坏了"] and pending(app) == ["AgAD-d"]


def test_a_handed_off_residents_photo_and_location_are_kept_for_staff(app, agent, handed_off):
    case = open_case(app)
    photo(app, "AgAD-e", caption="漏水的地方")
    share(app, WJ_01)
    assert agent.received == [] and photos_of(app, case.number) == ["AgAD-e"]
    assert messages_kept(app, handed_off.handoff_id) == [("resident", "[照片] 漏水的地方"),
                                                         ("resident", "[位置] 30.59350, 114.29180")]


def test_a_photo_while_adding_details_goes_to_that_case_not_the_latest(app, agent):
    detailed = open_case(app)
    latest = open_case(app, user="r-1")
    assert latest.number != detailed.number
    agent.in_form("r-1", "detail_form", "detail_text", detail_case=detailed.number)
    (reply,) = photo(app, "AgAD-f")
    assert reply.text == texts.PHOTO_ADDED.format(number=detailed.number)
    assert photos_of(app, detailed.number) == ["AgAD-f"] and photos_of(app, latest.number) == []
