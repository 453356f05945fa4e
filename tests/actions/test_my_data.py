"""My data: what is kept, change the remembered address (address_form), delete my data."""
import pytest

from actions.my_data import ActionMyData, ActionSubmitAddress, ValidateAddressForm
from actions.welcome import ActionAnswerPending, ActionSessionStart
from action_support import (call, ent, make_tracker, my_case_numbers, payloads, pick, profile_of, report, run,
                            set_profile, slot_events, stored_case, texts)


def test_my_data_shows_what_is_kept_with_the_phone_masked(civic, dispatcher, domain):
    set_profile(civic, address="和平里5号楼", phone="13812345678")
    events = run(ActionMyData(), dispatcher, make_tracker("我的资料", "my_data"), domain)
    said = texts(dispatcher)
    assert "住址：和平里5号楼" in said and "手机：138****5678" in said and "13812345678" not in said
    assert "删除我的数据" in said  # the privacy text
    assert payloads(dispatcher) == ['/my_data{"choice": "change_address"}', '/my_data{"choice": "delete"}']
    assert slot_events(events) == {"new_address": "unchanged"}  # the address form has nothing to ask


def test_my_data_of_a_new_resident(civic, dispatcher, domain):
    run(ActionMyData(), dispatcher, make_tracker("我的资料", "my_data"), domain)
    assert "住址：未登记" in texts(dispatcher) and "手机：未登记" in texts(dispatcher)
    assert profile_of(civic).consent_at is not None


def test_a_new_address_in_the_message_fills_the_form(civic, dispatcher, domain):
    events = run(ActionMyData(), dispatcher, make_tracker("我搬家了，新地址是和平里5号楼", "my_data",
                                                          [ent("address", "和平里5号楼")]), domain)
    assert slot_events(events) == {"new_address": "和平里5号楼"}
    assert dispatcher.messages == []


def test_the_change_address_button_asks_for_it(civic, dispatcher, domain):
    events = run(ActionMyData(), dispatcher, make_tracker("/my_data", "my_data", pick("change_address")), domain)
    assert slot_events(events) == {"new_address": None}
    form = ValidateAddressForm()
    assert call(form.required_slots(["new_address"], dispatcher, make_tracker("x"), domain)) == ["new_address"]
    done = make_tracker("x", slots={"new_address": "unchanged"})
    assert call(form.required_slots(["new_address"], dispatcher, done, domain)) == []


@pytest.mark.parametrize("value,ok,note", [("望江花园3号楼2单元", True, False), ("火星路1号", True, True),
                                           ("家", False, False), ('/inform{"choice": "x"}', False, False)])
def test_the_new_address(civic, dispatcher, domain, value, ok, note):
    updates = ValidateAddressForm().validate_new_address(
        value, dispatcher, make_tracker(value, requested_slot="new_address", active_loop="address_form"), domain)
    assert (updates["new_address"] == value) is ok
    assert ("不在望江街道的网格里" in texts(dispatcher)) is note


def test_the_address_form_takes_the_address_entity_over_the_sentence(civic, dispatcher, domain):
    said = "我现在住和平里5号楼了"
    tracker = make_tracker(said, active_loop="address_form", requested_slot="new_address",
                           entities=[ent("address", "和平里5号楼")], candidates={"new_address": said})
    slots = slot_events(run(ValidateAddressForm(), dispatcher, tracker, domain))
    assert slots["new_address"] == "和平里5号楼" and "requested_slot" not in slots


def test_a_changed_address_is_saved(civic, dispatcher, domain):
    set_profile(civic, address="望江花园3号楼")
    events = run(ActionSubmitAddress(), dispatcher, make_tracker("和平里5号楼", slots={"new_address": "和平里5号楼"}),
                 domain)
    assert "已把您的住址改为：和平里5号楼" in texts(dispatcher)
    assert profile_of(civic).household_address == "和平里5号楼"
    assert slot_events(events) == {"new_address": None}


def test_an_unchanged_address_is_not_touched(civic, dispatcher, domain):
    set_profile(civic, address="望江花园3号楼")
    run(ActionSubmitAddress(), dispatcher, make_tracker("x", slots={"new_address": "unchanged"}), domain)
    assert dispatcher.messages == [] and profile_of(civic).household_address == "望江花园3号楼"


@pytest.mark.parametrize("said,entities", [("删除我的数据", []), ("/my_data", pick("delete")), ("注销账号", [])])
def test_delete_asks_to_confirm(civic, dispatcher, domain, said, entities):
    set_profile(civic, address="和平里5号楼")
    events = run(ActionMyData(), dispatcher, make_tracker(said, "my_data", entities), domain)
    assert slot_events(events) == {"pending": "delete_data", "new_address": "unchanged"}
    assert "确定删除您的数据吗" in texts(dispatcher)
    assert payloads(dispatcher) == ["/affirm", "/deny"]
    assert profile_of(civic).household_address == "和平里5号楼"


def test_yes_erases_the_profile_and_keeps_the_cases_without_the_resident(civic, dispatcher, domain):
    set_profile(civic, address="和平里5号楼", phone="13812345678")
    case = report(civic, contact_phone="13812345678")
    events = run(ActionAnswerPending(), dispatcher,
                 make_tracker("确认删除", "affirm", slots={"pending": "delete_data"}), domain)
    assert "已删除您的资料和聊天记录。1 个工单已去掉您的名字和联系方式" in texts(dispatcher)
    assert slot_events(events) == {"pending": None, "welcomed": False}
    assert profile_of(civic) is None  # a later message starts a new, empty profile
    stored = stored_case(civic, case.number)
    assert stored.state.value == "dispatched"  # the street office still handles it
    assert stored.reporter_id.startswith("erased:") and stored.contact_phone is None
    assert my_case_numbers(civic) == []


def test_after_deleting_the_next_session_asks_for_consent_again(civic, dispatcher, domain):
    set_profile(civic)
    events = run(ActionAnswerPending(), dispatcher,
                 make_tracker("确认删除", "affirm", slots={"pending": "delete_data", "welcomed": True}), domain)
    welcomed = slot_events(events)["welcomed"]
    again = type(dispatcher)()
    run(ActionSessionStart(), again, make_tracker("", slots={"welcomed": welcomed}), domain)
    assert "删除我的数据" in texts(again)  # the privacy text, shown again
    assert profile_of(civic).consent_at is not None and profile_of(civic).phone is None


def test_no_keeps_the_data(civic, dispatcher, domain):
    set_profile(civic, address="和平里5号楼")
    events = run(ActionAnswerPending(), dispatcher, make_tracker("不删了", "deny", slots={"pending": "delete_data"}),
                 domain)
    assert slot_events(events) == {"pending": None}
    assert "没有做任何改动" in texts(dispatcher)
    assert profile_of(civic).household_address == "和平里5号楼"
