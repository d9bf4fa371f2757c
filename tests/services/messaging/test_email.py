"""E-mail over SMTP, sent to a real local server (aiosmtpd) and read back as it arrived."""

from __future__ import annotations

import email.utils
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.services.messaging.base import MessageChannel, OutboundMessage, SendStatus
from app.services.messaging.email import SmtpSender, message_id
from app.services.messaging.settings import SmtpSecurity, SmtpSettings
from tests.helpers.smtp_server import (
    PASSWORD,
    USER,
    Certificates,
    Handler,
    certificates,
    free_port,
    smtp_server,
)

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
SUBJECT = "还款提醒：您的账单将于12月1日到期"
TEXT = "尊敬的王女士：您的本期应还金额为1,250.00元，请于2026年12月1日前还款。\n拒收请回复R"
HTML = "<p>尊敬的王女士：您的本期应还金额为<b>1,250.00元</b>。</p>"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return certificates(tmp_path_factory.mktemp("smtp-tls"))


def settings(port: int, certs: Certificates | None, **changes: object) -> SmtpSettings:
    made = SmtpSettings(
        host="127.0.0.1",
        port=port,
        security=SmtpSecurity.STARTTLS,
        from_address="notice@hengxin.example",
        username=USER,
        ca_file=certs.ca.certificate if certs else None,
        timeout=5.0,
        list_unsubscribe="<mailto:unsubscribe@hengxin.example?subject=unsubscribe>",
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def message(
    key: str = "reminder:CW202600000042:2026-11-28:email", **changes: object
) -> OutboundMessage:
    made = OutboundMessage(
        key=key,
        channel=MessageChannel.EMAIL,
        to="wang.fang@example.cn",
        language="zh_CN",
        text=TEXT,
        subject=SUBJECT,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def test_an_email_goes_over_starttls_signed_in_and_arrives_as_written(certs: Certificates) -> None:
    with smtp_server(certs) as (controller, handler):
        sent = message(html=HTML)
        with SmtpSender(settings(controller.port, certs), PASSWORD, clock=lambda: NOW) as sender:
            result = sender.send(sent)
    assert result.status is SendStatus.ACCEPTED, result
    [arrived] = handler.received
    assert arrived.tls and arrived.login == USER
    assert arrived.mail_from == "notice@hengxin.example"
    assert arrived.rcpt_tos == ("wang.fang@example.cn",)
    raw = arrived.content.decode("ascii")  # 7-bit on the wire: no 8BITMIME needed
    # The Chinese subject and sender's name travel as UTF-8 encoded-words …
    subject_line = next(line for line in raw.splitlines() if line.startswith("Subject:"))
    assert "=?utf-8?" in subject_line.lower()
    # … and read back as written.
    mail = arrived.email
    assert mail["Subject"] == SUBJECT
    assert mail["From"].addresses[0].display_name == "恒信消费金融有限公司"
    assert mail["From"].addresses[0].addr_spec == "notice@hengxin.example"
    assert mail["To"].addresses[0].addr_spec == "wang.fang@example.cn"
    assert email.utils.parsedate_to_datetime(mail["Date"]) == NOW
    assert mail["Message-ID"] == message_id(sent.key, "hengxin.example") == result.provider_id
    assert mail["List-Unsubscribe"] == "<mailto:unsubscribe@hengxin.example?subject=unsubscribe>"
    assert mail["Content-Language"] == "zh-CN"
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == "utf-8"
    assert plain.get_content().replace("\r\n", "\n").rstrip("\n") == TEXT
    assert HTML in html.get_content()


def test_the_english_message_names_the_lender_in_english_and_a_configured_name_wins(
    certs: Certificates,
) -> None:
    with (
        smtp_server(certs) as (controller, handler),
        SmtpSender(settings(controller.port, certs), PASSWORD) as sender,
    ):
        assert (
            sender.send(message("a", language="en", subject="Reminder")).status
            is SendStatus.ACCEPTED
        )
        named = settings(controller.port, certs, from_name="Hengxin 催收部")
        with SmtpSender(named, PASSWORD) as sender:
            assert sender.send(message("b")).status is SendStatus.ACCEPTED
    names = [r.email["From"].addresses[0].display_name for r in handler.received]
    assert names == ["Hengxin Consumer Finance Co., Ltd.", "Hengxin 催收部"]


def test_a_batch_goes_over_one_connection_signed_in_once(certs: Certificates) -> None:
    with (
        smtp_server(certs) as (controller, handler),
        SmtpSender(settings(controller.port, certs), PASSWORD) as sender,
    ):
        results = [sender.send(message(f"key-{n}")) for n in range(3)]
    assert [r.status for r in results] == [SendStatus.ACCEPTED] * 3
    assert handler.connections == 1
    assert len(handler.logins) == 1
    assert len({r.email["Message-ID"] for r in handler.received}) == 3


def test_sent_again_after_a_crash_the_message_carries_the_same_message_id(
    certs: Certificates,
) -> None:
    key = "reminder:CW202600000042:2026-11-28 09:00+08:00:email/第1次"
    with smtp_server(certs) as (controller, handler):
        for _ in range(2):  # two runs, each its own connection
            with SmtpSender(settings(controller.port, certs), PASSWORD) as sender:
                assert sender.send(message(key)).status is SendStatus.ACCEPTED
    first, second = (r.email["Message-ID"] for r in handler.received)
    assert first == second == message_id(key, "hengxin.example")
    # A valid msg-id (no spaces, colons or Chinese in its left part), unlike any other key's.
    assert email.utils.parseaddr(first)[1] == first.strip("<>")
    assert " " not in first and "第" not in first
    assert message_id(key + "x", "hengxin.example") != first
    assert message_id("k" * 1000, "d.example") != message_id("k" * 999, "d.example")
    assert len(message_id("k" * 1000, "d.example")) < 100


def test_smtps_implicit_tls_is_an_option_and_auth_login_where_plain_is_not_offered(
    certs: Certificates,
) -> None:
    handler = Handler(password="ascii-only")
    with smtp_server(certs, implicit_tls=True, handler=handler, mechanisms=("LOGIN",)) as (
        controller,
        _,
    ):
        tls = settings(controller.port, certs, security=SmtpSecurity.TLS)
        with SmtpSender(tls, "ascii-only") as sender:
            assert sender.send(message()).status is SendStatus.ACCEPTED
    assert handler.received[0].tls and handler.received[0].login == USER
    assert handler.logins == [("LOGIN", USER)]


def test_temporary_refusals_retry_refused_recipients_are_rejected_opt_outs_recognised(
    certs: Certificates,
) -> None:
    handler = Handler(
        rcpt_answers={
            "nobody@example.cn": "550 5.1.1 <nobody@example.cn>: Recipient address rejected",
            "bad@example.cn": "553 5.1.3 Bad recipient address syntax",
            "left@example.cn": "550 5.7.1 Recipient is on the suppression list (unsubscribed)",
        },
        data_answers={"Later please": "451 4.3.0 Mail server temporarily rejected message"},
    )
    with (
        smtp_server(certs, handler=handler) as (controller, _),
        SmtpSender(settings(controller.port, certs), PASSWORD) as sender,
    ):
        later = sender.send(message("1", subject="Later please"))
        nobody = sender.send(message("2", to="nobody@example.cn"))
        bad = sender.send(message("3", to="bad@example.cn"))
        left = sender.send(message("4", to="left@example.cn"))
        fine = sender.send(message("5"))
    assert (later.status, later.error_code) == (SendStatus.RETRY, "451")
    assert "temporarily rejected" in (later.error_text or "")
    assert (nobody.status, nobody.error_code) == (SendStatus.REJECTED, "550")
    assert "Recipient address rejected" in (nobody.error_text or "")
    assert (bad.status, bad.error_code) == (SendStatus.REJECTED, "553")
    assert (left.status, left.error_code) == (SendStatus.OPTED_OUT, "550")
    # After each refusal the transaction was reset: the next message went on the same line.
    assert fine.status is SendStatus.ACCEPTED
    assert handler.connections == 1
    assert [r.rcpt_tos for r in handler.received] == [("wang.fang@example.cn",)]


def test_a_connection_the_server_dropped_while_idle_is_opened_again(certs: Certificates) -> None:
    port = free_port()
    sender = SmtpSender(settings(port, certs), PASSWORD)
    with sender:
        with smtp_server(certs, port=port) as (_, first):
            assert sender.send(message("1")).status is SendStatus.ACCEPTED
        # The server went away (restarted): the kept connection is dead.
        with smtp_server(certs, port=port) as (_, second):
            result = sender.send(message("2"))
    assert result.status is SendStatus.ACCEPTED, result
    assert len(first.received) == 1 and len(second.received) == 1
    assert second.connections == 1


def test_a_connection_dropped_before_the_message_went_is_retry_and_the_next_goes_on_a_new_one(
    certs: Certificates,
) -> None:
    handler = Handler(rcpt_answers={"cut.me.off@example.cn": "drop"})
    with (
        smtp_server(certs, handler=handler) as (controller, _),
        SmtpSender(settings(controller.port, certs), PASSWORD) as sender,
    ):
        before = sender.send(message("1"))
        cut = sender.send(message("2", to="cut.me.off@example.cn"))
        after = sender.send(message("3"))
    assert before.status is SendStatus.ACCEPTED and after.status is SendStatus.ACCEPTED
    assert (cut.status, cut.error_code) == (SendStatus.RETRY, "disconnected")
    assert "did not arrive, and is sent again" in (cut.error_text or "")
    assert handler.connections == 2
    assert len(handler.received) == 2


def test_a_connection_dropped_once_the_server_had_the_message_is_unknown_never_retry(
    certs: Certificates,
) -> None:
    """The whole message went and the server's answer never came: it may have arrived (this
    server kept it). Sent again, the borrower would get it twice."""
    handler = Handler(data_answers={"Cut me off": "drop"})
    with (
        smtp_server(certs, handler=handler) as (controller, _),
        SmtpSender(settings(controller.port, certs), PASSWORD) as sender,
    ):
        before = sender.send(message("1"))
        cut = sender.send(message("2", subject="Cut me off"))
        after = sender.send(message("3"))
    assert before.status is SendStatus.ACCEPTED and after.status is SendStatus.ACCEPTED
    assert (cut.status, cut.error_code) == (SendStatus.UNKNOWN, "unanswered")
    assert "may have arrived, and is not sent again by itself" in (cut.error_text or "")
    assert handler.connections == 2


def test_a_message_goes_with_its_leading_dots_doubled_and_arrives_whole(
    certs: Certificates,
) -> None:
    # Plain ASCII goes as it is (7bit), so these lines start with a dot on the wire too.
    text = "First line\n.\n.starts with a dot\n..and with two\n"
    with (
        smtp_server(certs) as (controller, handler),
        SmtpSender(settings(controller.port, certs), PASSWORD) as sender,
    ):
        result = sender.send(message(text=text))
    assert result.status is SendStatus.ACCEPTED, result
    [arrived] = handler.received
    body = arrived.email.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == text


def test_an_unreachable_server_is_retry_in_one_line() -> None:
    port = free_port()  # nothing listens there
    with SmtpSender(settings(port, None), PASSWORD) as sender:
        result = sender.send(message())
    assert (result.status, result.error_code) == (SendStatus.RETRY, "unreachable")
    text = result.error_text or ""
    assert text.startswith(f"The mail server 127.0.0.1:{port} could not be reached: ")
    assert "\n" not in text and "Traceback" not in text


def test_a_server_certificate_from_an_unknown_ca_gets_nothing(
    certs: Certificates, tmp_path: Path
) -> None:
    other = certificates(tmp_path / "other")
    with smtp_server(certs) as (controller, handler):
        stranger = settings(controller.port, other)
        with SmtpSender(stranger, PASSWORD) as sender:
            result = sender.send(message())
    assert (result.status, result.error_code) == (SendStatus.RETRY, "certificate")
    assert "certificate was not accepted" in (result.error_text or "")
    assert handler.logins == [] and handler.received == []


def test_a_server_without_starttls_is_never_told_the_password() -> None:
    with (
        smtp_server(None) as (controller, handler),
        SmtpSender(settings(controller.port, None), PASSWORD) as sender,
    ):
        result = sender.send(message())
    assert (result.status, result.error_code) == (SendStatus.RETRY, "no-starttls")
    assert handler.logins == [] and handler.received == []


def test_a_wrong_password_is_retry_with_the_servers_answer(certs: Certificates) -> None:
    with (
        smtp_server(certs) as (controller, handler),
        SmtpSender(settings(controller.port, certs), "wrong") as sender,
    ):
        result = sender.send(message())
    assert (result.status, result.error_code) == (SendStatus.RETRY, "535")
    assert "refused the sign-in" in (result.error_text or "")
    assert "wrong" not in (result.error_text or "")
    assert handler.received == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"to": "not an address"}, "is not an e-mail address"),
        ({"to": "wang@example.cn\r\nBcc: everyone@example.cn"}, "line break"),
        ({"subject": "Reminder\r\nBcc: everyone@example.cn"}, "line break"),
        ({"subject": "  "}, "no subject"),
        ({"text": ""}, "no text"),
        ({"to": "王芳@例子.中国"}, "SMTPUTF8"),
        ({"channel": MessageChannel.SMS}, "not e-mail"),
    ],
)
def test_bad_input_is_rejected_before_any_connection(
    certs: Certificates, changes: dict[str, object], words: str
) -> None:
    with (
        smtp_server(certs) as (controller, handler),
        SmtpSender(settings(controller.port, certs), PASSWORD) as sender,
    ):
        result = sender.send(message(**changes))
    assert (result.status, result.error_code) == (SendStatus.REJECTED, "invalid")
    assert words in (result.error_text or "")
    assert handler.connections == 0


def test_a_sender_name_with_a_line_break_is_refused(certs: Certificates) -> None:
    with smtp_server(certs) as (controller, handler):
        hostile = settings(controller.port, certs, from_name="Hengxin\r\nBcc: all@example.cn")
        with SmtpSender(hostile, PASSWORD) as sender:
            result = sender.send(message())
    assert result.status is SendStatus.REJECTED and "line break" in (result.error_text or "")
    assert handler.connections == 0


def test_the_password_is_in_no_repr_and_no_answer(certs: Certificates) -> None:
    sender = SmtpSender(settings(free_port(), certs), PASSWORD)
    assert PASSWORD not in repr(sender) and PASSWORD not in str(vars(sender).get("settings"))
    result = sender.send(message())
    assert PASSWORD not in repr(result)
