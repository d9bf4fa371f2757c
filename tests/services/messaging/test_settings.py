"""The senders' settings from the environment, their secrets from it or the keychain, and the
senders the dispatcher is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.common.errors import InvalidInput
from app.services.messaging.aliyun_sms import AliyunDeliveryReports, AliyunSmsSender
from app.services.messaging.base import MessageChannel, SendResult, SendStatus
from app.services.messaging.email import SmtpSender
from app.services.messaging.senders import (
    ChannelNotConfigured,
    answer_line,
    configured_delivery_reports,
    configured_senders,
    sender_for,
    template_values,
)
from app.services.messaging.settings import (
    MessagingNotConfigured,
    SecretKind,
    SecretUnavailable,
    SmtpSecurity,
    aliyun_settings,
    keep_secret,
    smtp_settings,
)
from tests.helpers.keychain import memory_keychain, no_keychain

SMTP = {
    "COLLECTOR_WORKSTATION_SMTP_HOST": "smtp.hengxin.example",
    "COLLECTOR_WORKSTATION_SMTP_USER": "reminders@hengxin.example",
    "COLLECTOR_WORKSTATION_SMTP_FROM": "notice@hengxin.example",
}
SMS = {"COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_ID": "LTAI5tKeyId"}
SMTP_SECRET, SMS_SECRET = "smtp-secret-Xy7", "aliyun-secret-Qz9"


def test_nothing_configured_means_no_sender() -> None:
    assert smtp_settings({}) is None and aliyun_settings({}) is None
    assert configured_senders({}) == {} and configured_delivery_reports({}) == {}
    with pytest.raises(ChannelNotConfigured, match="COLLECTOR_WORKSTATION_SMTP_HOST"):
        sender_for(MessageChannel.EMAIL, {})
    with pytest.raises(ChannelNotConfigured, match="ALIYUN_ACCESS_KEY_ID"):
        sender_for(MessageChannel.SMS, {})


def test_smtp_defaults_starttls_on_587_and_smtps_on_465() -> None:
    made = smtp_settings(SMTP)
    assert made is not None
    assert (made.port, made.security, made.timeout) == (587, SmtpSecurity.STARTTLS, 30.0)
    tls = smtp_settings({**SMTP, "COLLECTOR_WORKSTATION_SMTP_SECURITY": "TLS"})
    assert tls is not None and (tls.port, tls.security) == (465, SmtpSecurity.TLS)
    assert (
        made.keychain_entry == "messaging:smtp:reminders@hengxin.example@smtp.hengxin.example:587"
    )


def test_the_aliyun_endpoint_defaults_to_the_providers_and_is_https() -> None:
    made = aliyun_settings(SMS)
    assert made is not None and made.endpoint == "https://dysmsapi.aliyuncs.com"
    regional = aliyun_settings(
        {**SMS, "COLLECTOR_WORKSTATION_ALIYUN_SMS_ENDPOINT": "dysmsapi.ap-southeast-1.aliyuncs.com"}
    )
    assert regional is not None
    assert regional.endpoint == "https://dysmsapi.ap-southeast-1.aliyuncs.com"
    local = aliyun_settings(
        {**SMS, "COLLECTOR_WORKSTATION_ALIYUN_SMS_ENDPOINT": "http://127.0.0.1:8080"}
    )
    assert local is not None and local.endpoint == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"COLLECTOR_WORKSTATION_SMTP_FROM": ""}, "COLLECTOR_WORKSTATION_SMTP_FROM is not"),
        ({"COLLECTOR_WORKSTATION_SMTP_FROM": "no address"}, "is not an e-mail address"),
        ({"COLLECTOR_WORKSTATION_SMTP_PORT": "smtp"}, "must be a port number"),
        ({"COLLECTOR_WORKSTATION_SMTP_PORT": "70000"}, "must be a port number"),
        ({"COLLECTOR_WORKSTATION_SMTP_SECURITY": "none"}, "must be starttls or tls"),
        ({"COLLECTOR_WORKSTATION_SMTP_TIMEOUT": "-1"}, "number of seconds"),
        ({"COLLECTOR_WORKSTATION_SMTP_TIMEOUT": "nan"}, "number of seconds"),
        ({"COLLECTOR_WORKSTATION_SMTP_CA_FILE": "/nowhere/ca.crt"}, "names no file"),
        ({"COLLECTOR_WORKSTATION_SMTP_FROM_NAME": "Hengxin\nBcc: x@y.z"}, "line break"),
    ],
)
def test_smtp_settings_that_make_no_sense_are_refused_in_one_line(
    changes: dict[str, str], words: str
) -> None:
    with pytest.raises(MessagingNotConfigured) as refused:
        smtp_settings({**SMTP, **changes})
    assert words in refused.value.message and "\n" not in refused.value.message


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://dysmsapi.aliyuncs.com",  # phone numbers and texts in the clear
        "https://dysmsapi.aliyuncs.com/path",
        "https://dysmsapi.aliyuncs.com:port",
        "ftp://dysmsapi.aliyuncs.com",
    ],
)
def test_an_sms_endpoint_in_the_clear_or_with_a_path_is_refused(endpoint: str) -> None:
    with pytest.raises(MessagingNotConfigured, match="https address"):
        aliyun_settings({**SMS, "COLLECTOR_WORKSTATION_ALIYUN_SMS_ENDPOINT": endpoint})


def test_secrets_from_the_environment_make_both_senders_and_none_is_printed() -> None:
    environ = {
        **SMTP,
        **SMS,
        "COLLECTOR_WORKSTATION_SMTP_PASSWORD": SMTP_SECRET,
        "COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_SECRET": SMS_SECRET,
    }
    with no_keychain():
        senders = configured_senders(environ)
        reports = configured_delivery_reports(environ)
    assert isinstance(senders[MessageChannel.EMAIL], SmtpSender)
    assert isinstance(senders[MessageChannel.SMS], AliyunSmsSender)
    assert isinstance(reports[MessageChannel.SMS], AliyunDeliveryReports)
    assert MessageChannel.EMAIL not in reports
    shown = repr(senders) + str(senders) + repr(reports)
    shown += repr(smtp_settings(environ)) + repr(aliyun_settings(environ))
    assert SMTP_SECRET not in shown and SMS_SECRET not in shown


def test_without_a_secret_a_configured_channel_says_where_to_put_it() -> None:
    with no_keychain(), pytest.raises(SecretUnavailable) as smtp:
        configured_senders(SMTP)
    assert "COLLECTOR_WORKSTATION_SMTP_PASSWORD" in smtp.value.message
    assert "messaging set-secret smtp" in smtp.value.message
    with no_keychain(), pytest.raises(SecretUnavailable, match="set-secret aliyun"):
        configured_senders(SMS)
    # A mail server without a user needs no password.
    anonymous = {k: v for k, v in SMTP.items() if not k.endswith("_USER")}
    with no_keychain():
        assert MessageChannel.EMAIL in configured_senders(anonymous)


def test_a_secret_kept_in_the_keychain_is_used_and_the_environment_wins() -> None:
    with memory_keychain() as keychain:
        entry = keep_secret(SecretKind.SMTP, SMTP_SECRET, SMTP)
        keep_secret(SecretKind.ALIYUN, SMS_SECRET, SMS)
        assert keychain.entries[("collector-workstation", entry)] == SMTP_SECRET
        senders = configured_senders({**SMTP, **SMS})
        assert senders[MessageChannel.EMAIL]._password == SMTP_SECRET  # type: ignore[attr-defined]
        assert senders[MessageChannel.SMS]._client._secret == SMS_SECRET  # type: ignore[attr-defined]
        overridden = configured_senders({**SMTP, "COLLECTOR_WORKSTATION_SMTP_PASSWORD": "env"})
        assert overridden[MessageChannel.EMAIL]._password == "env"  # type: ignore[attr-defined]
        # Kept for one server and user: another server's settings do not find it.
        other = {**SMTP, "COLLECTOR_WORKSTATION_SMTP_HOST": "mail.other.example"}
        with pytest.raises(SecretUnavailable):
            configured_senders(other)


def test_keeping_a_secret_needs_the_account_and_a_keychain() -> None:
    with memory_keychain(), pytest.raises(MessagingNotConfigured, match="SMTP_USER"):
        keep_secret(SecretKind.SMTP, SMTP_SECRET, {})
    with memory_keychain(), pytest.raises(MessagingNotConfigured, match="ACCESS_KEY_ID"):
        keep_secret(SecretKind.ALIYUN, SMS_SECRET, {})
    with memory_keychain(), pytest.raises(SecretUnavailable, match="empty"):
        keep_secret(SecretKind.SMTP, "", SMTP)
    with no_keychain(), pytest.raises(SecretUnavailable, match="No keychain"):
        keep_secret(SecretKind.ALIYUN, SMS_SECRET, SMS)


def test_template_values_and_answer_lines() -> None:
    assert template_values(["name=王芳", "amount=1,250.00", "note=a=b"]) == {
        "name": "王芳",
        "amount": "1,250.00",
        "note": "a=b",
    }
    with pytest.raises(InvalidInput, match="NAME=VALUE"):
        template_values(["name"])
    accepted = SendResult("k", SendStatus.ACCEPTED, provider_id="123^0")
    assert answer_line(accepted) == "accepted: the provider took the message (123^0)."
    later = SendResult(
        "k", SendStatus.RETRY, error_code="isv.BUSINESS_LIMIT_CONTROL", error_text="流控"
    )
    assert answer_line(later) == "not sent, try again later: isv.BUSINESS_LIMIT_CONTROL 流控"


def test_a_ca_file_that_exists_is_kept(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    made = smtp_settings({**SMTP, "COLLECTOR_WORKSTATION_SMTP_CA_FILE": str(ca)})
    assert made is not None and made.ca_file == ca
