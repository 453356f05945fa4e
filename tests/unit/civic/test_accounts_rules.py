import datetime as dt

import pytest

from civic.domain.accounts import InvalidLinkCode, InvalidPhone, LinkCode, Resident

T0 = dt.datetime(2026, 11, 18, 2, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("phone, stored", [("13812345678", "13812345678"),
                                            ("138 1234 5678", "13812345678"),
                                            ("139-1234-5678", "13912345678")])
def test_a_mobile_number_is_kept_as_digits(phone, stored):
    resident = Resident("1", "王")
    resident.set_phone(phone)
    assert resident.phone == stored


@pytest.mark.parametrize("phone", ["12345678901", "010-12345678", "1381234567", ""])
def test_what_is_not_a_mobile_number_is_refused(phone):
    with pytest.raises(InvalidPhone):
        Resident("1", "王").set_phone(phone)


def test_a_link_code_works_once_and_expires():
    code = LinkCode("ABCD2345", "gw-wj-01", "cc-liang", T0, T0 + dt.timedelta(hours=24))
    code.use(111, T0 + dt.timedelta(hours=1))
    with pytest.raises(InvalidLinkCode):
        code.use(222, T0 + dt.timedelta(hours=2))
    late = LinkCode("EFGH2345", "gw-wj-01", "cc-liang", T0, T0 + dt.timedelta(hours=24))
    with pytest.raises(InvalidLinkCode):
        late.use(111, T0 + dt.timedelta(hours=24))
