"""SMS through Alibaba Cloud SMS, sent to a local stand-in of its API (pytest-httpserver) that
checks each request's signature from the shared secret and answers as the documentation says."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.services.messaging.aliyun_sms import (
    AliyunDeliveryReports,
    AliyunSmsSender,
    SmsProviderUnreachable,
    authorization,
    opted_out,
    out_id,
    query_days,
)
from app.services.messaging.base import MessageChannel, OutboundMessage, SendStatus
from app.services.messaging.settings import AliyunSmsSettings
from tests.helpers.aliyun_api import (
    BEIJING,
    KEY_ID,
    SECRET,
    AliyunSmsApi,
    documented_signature,
    error_body,
    serve,
)
from tests.helpers.smtp_server import free_port

KEY = "reminder:CW202600000042:2026-11-28:sms"
PARAMS = {"name": "王芳", "amount": "1,250.00", "due": "12月1日"}


def settings(endpoint: str, **changes: Any) -> AliyunSmsSettings:
    made = AliyunSmsSettings(access_key_id=KEY_ID, endpoint=endpoint, sign_name="恒信消费金融")
    return replace(made, **changes)


def sms(key: str = KEY, **changes: Any) -> OutboundMessage:
    made = OutboundMessage(
        key=key,
        channel=MessageChannel.SMS,
        to="+8613912345678",
        language="zh_CN",
        text="【恒信消费金融】王芳您好，您的本期账单1,250.00元将于12月1日到期。拒收请回复R",
        template_code="SMS_462310001",
        template_params=PARAMS,
    )
    return replace(made, **changes)


@pytest.fixture
def api(httpserver: Any) -> tuple[AliyunSmsApi, str]:
    stand_in = AliyunSmsApi()
    return stand_in, serve(httpserver, stand_in)


def test_the_signature_reproduces_the_documentations_worked_example() -> None:
    """The V3 documentation's example: fixed key, host, action, date, nonce and query give
    the published signature, by the sender's function and by the tests' own verifier."""
    empty = hashlib.sha256(b"").hexdigest()
    headers = {
        "host": "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-content-sha256": empty,
        "x-acs-date": "2023-10-26T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-version": "2014-05-26",
    }
    query = {
        "ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
        "RegionId": "cn-shanghai",
    }
    published = (
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;"
        "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
        "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    )
    made = authorization(method="POST", query=query, headers=headers, body=b"",
                         access_key_id="YourAccessKeyId", secret="YourAccessKeySecret")  # fmt: skip
    assert made == published
    signed, signature = documented_signature(
        "YourAccessKeySecret", "POST", list(query.items()), headers, b""
    )
    assert published.endswith(f"SignedHeaders={signed},Signature={signature}")


def test_an_sms_goes_signed_with_its_template_and_is_accepted_with_its_biz_id(
    api: tuple[AliyunSmsApi, str],
) -> None:
    stand_in, endpoint = api
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        result = sender.send(sms())
    assert result.status is SendStatus.ACCEPTED, result
    assert result.provider_id == "9006197469364984401^0"
    [call] = stand_in.calls
    assert call.action == "SendSms"
    assert call.headers["X-Acs-Version"] == "2017-05-25"
    assert call.params == {
        "PhoneNumbers": "13912345678",  # the mainland's 11 digits, without +86
        "SignName": "恒信消费金融",
        "TemplateCode": "SMS_462310001",
        "TemplateParam": json.dumps(PARAMS, ensure_ascii=False, separators=(",", ":")),
        "OutId": KEY,
    }
    assert json.loads(call.params["TemplateParam"]) == PARAMS
    # Every parameter in the query string, RFC 3986-encoded: no "+" for a space, UTF-8 bytes.
    assert "%E7%8E%8B%E8%8A%B3" in call.raw_query and "+" not in call.raw_query
    assert "%22name%22%3A" in call.raw_query and "%2C" in call.raw_query


def test_the_message_signature_wins_over_the_configured_one(
    api: tuple[AliyunSmsApi, str],
) -> None:
    stand_in, endpoint = api
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        assert sender.send(sms(sign_name="恒信客服")).status is SendStatus.ACCEPTED
    assert stand_in.calls[0].params["SignName"] == "恒信客服"


def test_an_international_number_goes_with_its_country_code(
    api: tuple[AliyunSmsApi, str],
) -> None:
    stand_in, endpoint = api
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        assert sender.send(sms(to="+852 5123 4567")).status is SendStatus.ACCEPTED
        assert sender.send(sms(to="+14155552671")).status is SendStatus.ACCEPTED
    assert [c.params["PhoneNumbers"] for c in stand_in.calls] == ["85251234567", "14155552671"]


def test_a_long_or_unusual_key_gives_a_short_stable_out_id(api: tuple[AliyunSmsApi, str]) -> None:
    stand_in, endpoint = api
    long_key = "reminder:" + "x" * 300
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        for key in (long_key, long_key, "提醒:CW1"):
            assert sender.send(sms(key)).status is SendStatus.ACCEPTED
    first, second, chinese = (c.params["OutId"] for c in stand_in.calls)
    assert first == second == out_id(long_key) and len(first) < 256
    assert first.startswith("sha256-") and chinese.startswith("sha256-") and chinese != first
    assert out_id(KEY) == KEY


def test_a_request_signed_with_another_secret_is_refused_by_the_gateway(
    api: tuple[AliyunSmsApi, str],
) -> None:
    stand_in, endpoint = api
    with AliyunSmsSender(settings(endpoint), "not-the-secret") as sender:
        result = sender.send(sms())
    # The message is fine: the installation's key is not. Try again once it is put right.
    assert (result.status, result.error_code) == (SendStatus.RETRY, "SignatureDoesNotMatch")
    assert stand_in.calls == []


def test_each_request_has_a_nonce_of_its_own(api: tuple[AliyunSmsApi, str]) -> None:
    _, endpoint = api
    with AliyunSmsSender(settings(endpoint), SECRET, nonce=lambda: "same-nonce") as sender:
        assert sender.send(sms("1")).status is SendStatus.ACCEPTED
        replayed = sender.send(sms("2"))
    assert (replayed.status, replayed.error_code) == (SendStatus.RETRY, "SignatureNonceUsed")
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        assert [sender.send(sms(str(n))).status for n in range(3)] == [SendStatus.ACCEPTED] * 3


R, T, OUT = SendStatus.REJECTED, SendStatus.RETRY, SendStatus.OPTED_OUT


@pytest.mark.parametrize(
    ("http_status", "body", "status"),
    [
        (200, error_body("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"), R),
        (200, error_body("isv.INVALID_PARAMETERS", "参数异常"), R),
        (200, error_body("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"), R),
        (200, error_body("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名"), R),
        (200, error_body("isv.BLACK_KEY_CONTROL_LIMIT", "黑名单管控"), R),
        (200, error_body("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"), T),
        (200, error_body("isv.DAY_LIMIT_CONTROL", "触发日发送限额"), T),
        (200, error_body("isv.DENY_IP_RANGE", "源IP地址所在的地区被禁用"), T),
        (200, error_body("isv.AMOUNT_NOT_ENOUGH", "账户余额不足"), T),
        (200, error_body("isp.SYSTEM_ERROR", "系统错误"), T),
        (200, error_body("MOBILE_IN_BLACK", "手机号在黑名单"), OUT),
        (400, error_body("Throttling.User", "Request was denied due to user flow control."),
         T),
        (500, error_body("InternalError", "The request processing has failed due to some"
                         " unknown error."), T),
        (503, "<html><body>503 Service Temporarily Unavailable</body></html>", T),
        (200, error_body("isv.SOMETHING_NEW", "一个新的错误"), R),
        (200, error_body("isp.SOMETHING_NEW", "平台的新错误"), T),
    ],
)  # fmt: skip
def test_the_providers_documented_answers_map_to_a_status(
    api: tuple[AliyunSmsApi, str], http_status: int, body: dict[str, str] | str, status: SendStatus
) -> None:
    stand_in, endpoint = api
    stand_in.answers.append((http_status, body))
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        result = sender.send(sms())
        after = sender.send(sms("next"))
    assert result.status is status, result
    assert result.provider_id is None
    if isinstance(body, dict):
        assert (result.error_code, result.error_text) == (body["Code"], body["Message"])
    else:
        assert "HTTP 503" in (result.error_text or "")
    assert after.status is SendStatus.ACCEPTED


def test_a_slow_answer_is_retry_in_one_line(api: tuple[AliyunSmsApi, str]) -> None:
    stand_in, endpoint = api
    stand_in.delay = 1.5
    with AliyunSmsSender(settings(endpoint, timeout=0.3), SECRET) as sender:
        result = sender.send(sms())
    assert (result.status, result.error_code) == (SendStatus.RETRY, "unreachable")
    assert (
        result.error_text
        == f"Alibaba Cloud SMS ({endpoint}) could not be reached: no answer in time"
    )


def test_an_unreachable_endpoint_is_retry_in_one_line() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        result = sender.send(sms())
    assert (result.status, result.error_code) == (SendStatus.RETRY, "unreachable")
    text = result.error_text or ""
    assert text.startswith(f"Alibaba Cloud SMS ({endpoint}) could not be reached: ")
    assert "\n" not in text and "Traceback" not in text


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"to": "12345"}, "phone number"),
        ({"to": "+86 10 6552 9988"}, "not a mobile number"),
        ({"template_code": None}, "no template code"),
        ({"template_params": {"name": "王芳\r\n【另一个签名】"}}, "line break"),
        ({"channel": MessageChannel.EMAIL}, "not SMS"),
    ],
)
def test_bad_input_is_rejected_before_any_request(
    api: tuple[AliyunSmsApi, str], changes: dict[str, Any], words: str
) -> None:
    stand_in, endpoint = api
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        result = sender.send(sms(**changes))
    assert (result.status, result.error_code) == (SendStatus.REJECTED, "invalid")
    assert words in (result.error_text or "")
    assert stand_in.calls == []


def test_without_any_signature_the_sms_is_rejected_before_any_request(
    api: tuple[AliyunSmsApi, str],
) -> None:
    stand_in, endpoint = api
    with AliyunSmsSender(settings(endpoint, sign_name=None), SECRET) as sender:
        result = sender.send(sms())
    assert result.status is SendStatus.REJECTED and "signature" in (result.error_text or "")
    assert stand_in.calls == []


def test_the_secret_is_in_no_repr_and_never_sent(api: tuple[AliyunSmsApi, str]) -> None:
    stand_in, endpoint = api
    sender = AliyunSmsSender(settings(endpoint), SECRET)
    reports = AliyunDeliveryReports(settings(endpoint), SECRET)
    assert SECRET not in repr(sender) + repr(reports) + repr(vars(sender))
    sender.send(sms())
    [call] = stand_in.calls
    assert SECRET not in call.raw_query + json.dumps(call.headers)


def _detail(phone: str, day: str, status: int, code: str, receive: str, out: str) -> dict[str, Any]:
    return {
        "_day": day,
        "PhoneNum": phone,
        "SendStatus": status,
        "ErrCode": code,
        "TemplateCode": "SMS_462310001",
        "Content": "【恒信消费金融】王芳您好……",
        "SendDate": receive.replace(":05", ":01"),
        "ReceiveDate": receive,
        "OutId": out,
    }


def test_delivery_reports_are_read_page_by_page_in_beijing_time(
    api: tuple[AliyunSmsApi, str],
) -> None:
    stand_in, endpoint = api
    # Sent at 17:30 UTC on the 27th: the 28th in Beijing, the day the provider files it under.
    sent_at = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)
    day = "20261128"
    stand_in.details["111^0"] = [
        _detail("13912345678", day, 3, "DELIVERED", "2026-11-28 01:31:05", KEY),
        _detail("13912345678", day, 1, "", "", KEY),  # still waiting for its receipt
        _detail("13912345678", day, 2, "MOBILE_NOT_ON_SERVICE", "2026-11-28 01:32:05", KEY),
    ]
    stand_in.details["222^0"] = [
        _detail("13800001111", day, 2, "MOBILE_IN_BLACK", "2026-11-28 01:33:05", "sha256-ab"),
    ]
    fetcher = AliyunDeliveryReports(settings(endpoint), SECRET, page_size=2)
    reports = fetcher.fetch(
        [("111^0", "+8613912345678", sent_at), ("222^0", "+8613800001111", sent_at)]
    )
    assert [(r.provider_id, r.delivered, r.error_code) for r in reports] == [
        ("111^0", True, "DELIVERED"),
        ("111^0", False, "MOBILE_NOT_ON_SERVICE"),
        ("222^0", False, "MOBILE_IN_BLACK"),
    ]
    assert reports[0].reported_at == datetime(2026, 11, 27, 17, 31, 5, tzinfo=UTC)
    assert reports[0].key == KEY and reports[2].key is None  # a digest is no key
    assert reports[0].to == "+8613912345678"
    assert [opted_out(r) for r in reports] == [False, False, True]
    queries = [c.params for c in stand_in.calls]
    assert [(q["BizId"], q["CurrentPage"], q["SendDate"]) for q in queries] == [
        ("111^0", "1", day),
        ("111^0", "2", day),
        ("222^0", "1", day),
    ]
    assert all(q["PageSize"] == "2" and q["PhoneNumber"] in q.values() for q in queries)


def test_delivery_reports_that_cannot_be_had_now_say_so_in_one_line(
    api: tuple[AliyunSmsApi, str],
) -> None:
    stand_in, endpoint = api
    stand_in.query_answer = (400, error_body("Throttling.User", "Request was denied."))
    fetcher = AliyunDeliveryReports(settings(endpoint), SECRET)
    with pytest.raises(SmsProviderUnreachable, match=r"Throttling\.User"):
        fetcher.fetch([("111^0", "+8613912345678", datetime.now(UTC))])
    stand_in.query_answer = (200, error_body("isv.INVALID_PARAMETERS", "参数异常"))
    assert fetcher.fetch([("111^0", "+8613912345678", datetime.now(UTC))]) == []


def test_an_sms_whose_answer_was_lost_is_found_by_its_out_id_without_a_biz_id(
    api: tuple[AliyunSmsApi, str],
) -> None:
    stand_in, endpoint = api
    planned = datetime.now(UTC) - timedelta(days=2)
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        assert sender.send(sms()).status is SendStatus.ACCEPTED
        assert sender.send(sms("another", to="+8613800001111")).status is SendStatus.ACCEPTED
        found = sender.resolve(sms(), planned)
        stand_in.calls.clear()
        missing = sender.resolve(sms("never-sent"), planned)
    assert found is not None and found.status is SendStatus.ACCEPTED
    assert found.provider_id == f"OutId:{KEY}" and found.report is None  # no receipt yet
    assert missing is None
    # Asked by number and day, today first and back to the day it was planned; no BizId.
    days = [c.params["SendDate"] for c in stand_in.calls]
    today = datetime.now(BEIJING).date()
    assert days == [f"{today - timedelta(days=n):%Y%m%d}" for n in range(len(days))]
    assert len(days) in (3, 4)  # the planned day is 2 or 3 days back in Beijing
    assert all("BizId" not in c.params and c.params["PhoneNumber"] == "13912345678"
               for c in stand_in.calls)  # fmt: skip


def test_a_found_sms_carries_its_receipt_and_its_reports_are_asked_by_out_id(
    api: tuple[AliyunSmsApi, str],
) -> None:
    stand_in, endpoint = api
    long_key = "reminder:" + "y" * 300
    now = datetime.now(UTC)
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        for key in (KEY, long_key):
            assert sender.send(sms(key)).status is SendStatus.ACCEPTED
        stand_in.settle(KEY, delivered=False, code="MOBILE_IN_BLACK")
        stand_in.settle(out_id(long_key), delivered=True, code="DELIVERED")
        refused = sender.resolve(sms(), now)
        delivered = sender.resolve(sms(long_key), now)
    assert refused is not None and refused.report is not None
    assert (refused.status, refused.report.key, refused.report.opted_out) == (
        SendStatus.ACCEPTED, KEY, True)  # fmt: skip
    assert delivered is not None and delivered.report is not None
    # A digest went as the OutId; the dispatcher gets its own key back.
    assert delivered.report.key == long_key and delivered.report.delivered
    assert delivered.provider_id is not None and len(delivered.provider_id) <= 120
    # `reminders reports` asks for such a message by its number, its day and its OutId.
    fetcher = AliyunDeliveryReports(settings(endpoint), SECRET)
    reports = fetcher.fetch([(delivered.provider_id, "+8613912345678", now)])
    assert [(r.provider_id, r.delivered, r.error_code) for r in reports] == [
        (delivered.provider_id, True, "DELIVERED")
    ]


def test_an_sms_that_cannot_be_looked_for_now_is_retry_and_a_bad_number_never_went(
    api: tuple[AliyunSmsApi, str],
) -> None:
    stand_in, endpoint = api
    stand_in.query_answer = (400, error_body("Throttling.User", "Request was denied."))
    with AliyunSmsSender(settings(endpoint), SECRET) as sender:
        asked = sender.resolve(sms(), datetime.now(UTC))
        assert sender.resolve(sms(to="12345"), datetime.now(UTC)) is None
    assert asked is not None and asked.status is SendStatus.RETRY
    assert "Throttling.User" in (asked.error_text or "")


def test_the_days_looked_at_are_the_last_thirty_at_most() -> None:
    now = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)  # the 8th in Beijing
    assert query_days(now - timedelta(days=90), now)[-1] == date(2026, 11, 9)
    assert len(query_days(now - timedelta(days=90), now)) == 30
    assert query_days(now + timedelta(days=3), now) == [date(2026, 12, 8)]
    assert query_days(datetime(2026, 12, 6, 15, 59, tzinfo=UTC), now) == [
        date(2026, 12, 8), date(2026, 12, 7), date(2026, 12, 6)]  # fmt: skip
