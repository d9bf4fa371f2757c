"""SMS through Alibaba Cloud SMS (阿里云短信服务): SendSms and QuerySendDetails, API 2017-05-25.

Written to the provider's published documentation, without its SDK. Both are RPC-style
operations on dysmsapi.aliyuncs.com, called as an HTTP POST whose parameters are in the query
string (the body is empty), signed with signature method V3 (ACS3-HMAC-SHA256):

    CanonicalRequest = METHOD \\n "/" \\n CanonicalQueryString \\n CanonicalHeaders \\n
                       SignedHeaders \\n hex(SHA256(body))
    StringToSign     = "ACS3-HMAC-SHA256" \\n hex(SHA256(CanonicalRequest))
    Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))
    Authorization: ACS3-HMAC-SHA256 Credential=AccessKeyId,SignedHeaders=…,Signature=…

with names and values percent-encoded per RFC 3986 (only A-Z a-z 0-9 - _ . ~ left as they are)
and sorted, and every header signed: host, x-acs-action, x-acs-version, x-acs-date (UTC,
within 15 minutes), x-acs-signature-nonce (new for each request), x-acs-content-sha256.

A number of the Chinese mainland goes as its 11 digits (no +86); any other as its country code
and number, digits only. OutId carries the message's key (the documentation allows fewer than
256 characters; a longer or unusual key is replaced by a digest of it, the same every time).

QuerySendDetails takes the number and the day the SMS was sent (Beijing time, the last 30 days),
and a BizId only if one is known: without it, it lists every SMS of that number that day, each
with the OutId it was sent with. That is how a message whose answer was lost (a run killed
after SendSms) is found: by its OutId among its number's SMS of the days since it was planned.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from http.client import HTTPException
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import phonenumbers

from app.services.common.errors import DomainError
from app.services.common.phones import parse_phone
from app.services.messaging.base import (
    DeliveryReport,
    MessageChannel,
    OutboundMessage,
    SendResult,
    SendStatus,
)
from app.services.messaging.settings import AliyunSmsSettings

API_VERSION = "2017-05-25"
ALGORITHM = "ACS3-HMAC-SHA256"
# The documentation's times (ReceiveDate, SendDate) are Beijing time.
BEIJING = ZoneInfo("Asia/Shanghai")
# OutId: "a string shorter than 256 characters".
OUT_ID_LONGEST = 255
_OUT_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,255}")
_DIGEST_PREFIX = "sha256-"
# QuerySendDetails: 1 to 50 records a page; a message's records are few, so few pages.
PAGE_SIZE = 50
MOST_PAGES = 20
# QuerySendDetails answers for the last 30 days.
QUERY_DAYS = 30
# A message found by its OutId has no BizId (QuerySendDetails' records carry none): it is known
# to the provider by this prefix and its OutId (a digest of it past PROVIDER_ID_LONGEST, the
# dispatcher's column), and its delivery report is asked for by number, day and OutId.
OUT_ID_REFERENCE = "OutId:"
PROVIDER_ID_LONGEST = 120

# The documented answers (Code) and what each means for the message. Anything else: a code
# of the platform (isp.*) is tried again, one about the request (isv.*, others) refused.
# Transient: rate limits that lift, the platform's errors, and problems of our account or
# configuration (balance, permissions, signature, IP range) that say nothing bad of the message.
RETRY_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",  # rate limit per number (minute / hour / day)
        "isv.DAY_LIMIT_CONTROL",  # the account's daily limit set in the console
        "isv.MONTH_LIMIT_CONTROL",
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "isp.SYSTEM_ERROR",
        "isp.GATEWAY_ERROR",
        "isp.UNKNOWN",
        "InternalError",
        "ServiceUnavailable",
        "isv.OUT_OF_SERVICE",  # the account stopped: balance below zero
        "isv.AMOUNT_NOT_ENOUGH",
        "isp.RAM_PERMISSION_DENY",
        "isv.PRODUCT_UN_SUBSCRIPT",
        "isv.PRODUCT_UNSUBSCRIBE",
        "isv.ACCOUNT_NOT_EXISTS",
        "isv.ACCOUNT_ABNORMAL",
        "isv.DENY_IP_RANGE",  # our server's address is outside the mainland
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "InvalidTimeStamp.Expired",
        "SignatureNonceUsed",
    }
)
# Refused for good: this message, as it is, will never be taken.
REJECTED_CODES = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.MOBILE_COUNT_OVER_LIMIT",
        "isv.INVALID_PARAMETERS",
        "isv.INVALID_JSON_PARAM",
        "isv.SMS_TEMPLATE_ILLEGAL",
        "isv.SMS_SIGNATURE_ILLEGAL",
        "isv.SMS_SIGN_ILLEGAL",
        "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.TEMPLATE_PARAMS_ILLEGAL",
        "isv.BLACK_KEY_CONTROL_LIMIT",  # a blacklisted keyword in a template value
        "isv.PARAM_LENGTH_LIMIT",
        "isv.PARAM_NOT_SUPPORT_URL",
        "isv.SMS_CONTENT_ILLEGAL",
        "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
        "isv.EXTEND_CODE_ERROR",
        "MissingParameter",
    }
)
# Delivery receipts that say the recipient refused us: unsubscribed from this signature, or
# complained to the carrier / 12321 (the documentation's blacklist codes).
OPTED_OUT_CODES = frozenset({"MOBILE_IN_BLACK", "W-BLACK"})


class InvalidSms(DomainError):
    """A message that cannot be sent as it is (refused before any request)."""


class SmsProviderUnreachable(DomainError):
    """Alibaba Cloud SMS did not answer, or answered with a transient error."""


def percent_encode(text: str) -> str:
    """RFC 3986 encoding as the signature wants it (space %20, * %2A, ~ left as it is)."""
    return quote(text, safe="-_.~", encoding="utf-8")


def canonical_query(parameters: Mapping[str, str]) -> str:
    """The parameters sorted by name, each name=value percent-encoded, joined by &."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in parameters.items())
    return "&".join(f"{name}={value}" for name, value in encoded)


def authorization(
    *,
    method: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    access_key_id: str,
    secret: str,
) -> str:
    """The Authorization header of a V3-signed request to an RPC API (path "/").

    headers: host and the x-acs-* headers, x-acs-content-sha256 among them; every one is signed.
    """
    signed = {name.lower(): value.strip() for name, value in headers.items()}
    names = sorted(signed)
    canonical_headers = "".join(f"{name}:{signed[name]}\n" for name in names)
    signed_headers = ";".join(names)
    canonical_request = "\n".join(
        (
            method.upper(),
            "/",
            canonical_query(query),
            canonical_headers,
            signed_headers,
            hashlib.sha256(body).hexdigest(),
        )
    )
    string_to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    signature = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},"
        f"Signature={signature}"
    )


def provider_number(e164: str) -> str:
    """The number as PhoneNumbers takes it: 11 digits for the mainland, else country code and
    number in digits. InvalidPhoneNumber or InvalidSms for what is no mobile number."""
    parsed = parse_phone(e164, "CN")
    if not parsed.mobile:
        raise InvalidSms("{number} is not a mobile number: no SMS is sent to it.", number=e164)
    number = phonenumbers.parse(parsed.e164, None)
    national = phonenumbers.national_significant_number(number)
    if parsed.region == "CN":
        return national
    return f"{number.country_code}{national}"


def out_id(key: str) -> str:
    """The OutId of the message with this key: the key itself where the documentation allows,
    else a digest of it (the same every time)."""
    if _OUT_ID.fullmatch(key) and not key.startswith(_DIGEST_PREFIX):
        return key
    return _DIGEST_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


class _Client:
    """Signed calls to the SMS API; the secret is kept out of repr."""

    def __init__(
        self,
        settings: AliyunSmsSettings,
        secret: str,
        clock: Callable[[], datetime],
        nonce: Callable[[], str],
    ) -> None:
        self.settings = settings
        self._secret = secret
        self._clock = clock
        self._nonce = nonce
        self.host = urlsplit(settings.endpoint).netloc

    def __repr__(self) -> str:
        return f"_Client({self.settings.endpoint}, key={self.settings.access_key_id})"

    def call(self, action: str, query: Mapping[str, str]) -> tuple[int | None, dict[str, Any]]:
        """POST the action; its HTTP status and JSON answer. SmsProviderUnreachable when there
        is none to read (no connection, no answer in time, not JSON)."""
        body = b""
        headers = {
            "host": self.host,
            "x-acs-action": action,
            "x-acs-version": API_VERSION,
            "x-acs-date": self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": self._nonce(),
            "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        }
        headers["Authorization"] = authorization(
            method="POST",
            query=query,
            headers=headers,
            body=body,
            access_key_id=self.settings.access_key_id,
            secret=self._secret,
        )
        request = urllib.request.Request(
            f"{self.settings.endpoint}/?{canonical_query(query)}",
            data=body,
            method="POST",
            headers={**headers, "Accept": "application/json"},
        )
        status: int | None
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (urllib.error.URLError, OSError, HTTPException) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            if isinstance(reason, socket.timeout | TimeoutError):
                text = "no answer in time"
            else:
                text = _one_line(getattr(reason, "strerror", None) or reason or type(reason))
            raise SmsProviderUnreachable(
                "Alibaba Cloud SMS ({endpoint}) could not be reached: {reason}",
                endpoint=self.settings.endpoint,
                reason=text,
            ) from None
        try:
            answer = json.loads(raw.decode("utf-8"))
            if not isinstance(answer, dict):
                raise ValueError
        except ValueError:
            raise SmsProviderUnreachable(
                "Alibaba Cloud SMS answered HTTP {status} without a readable body.", status=status
            ) from None
        return status, answer


def sms_status(code: str, http_status: int | None) -> SendStatus:
    """What SendSms's Code means for the message (OK, documented codes, then by kind)."""
    if code == "OK":
        return SendStatus.ACCEPTED
    if code in OPTED_OUT_CODES:
        return SendStatus.OPTED_OUT
    if code in RETRY_CODES:
        return SendStatus.RETRY
    if code in REJECTED_CODES:
        return SendStatus.REJECTED
    if code.startswith("isp.") or (http_status is not None and http_status >= 500):
        return SendStatus.RETRY
    return SendStatus.REJECTED


def _default_nonce() -> str:
    return secrets.token_hex(16)


class AliyunSmsSender:
    """Sends each SMS with one SendSms call: a registered template, its values, a signature.

    secret: the AccessKey secret; kept out of repr and of every answer.
    """

    channel = MessageChannel.SMS
    # The carrier's receipt says later whether an SMS reached the phone (QuerySendDetails).
    reports_delivery = True

    def __init__(
        self,
        settings: AliyunSmsSettings,
        secret: str,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        nonce: Callable[[], str] = _default_nonce,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._client = _Client(settings, secret, clock, nonce)

    def __repr__(self) -> str:
        return f"AliyunSmsSender({self.settings.endpoint}, key={self.settings.access_key_id})"

    def __enter__(self) -> AliyunSmsSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing is kept open between calls (each is one HTTPS request)."""

    def parameters(self, message: OutboundMessage) -> dict[str, str]:
        """SendSms's parameters for `message`; InvalidSms for what cannot be sent."""
        if message.channel is not MessageChannel.SMS:
            raise InvalidSms("This message is for the {channel} channel, not SMS.",
                             channel=str(message.channel))  # fmt: skip
        number = provider_number(message.to)
        if not message.template_code:
            raise InvalidSms(
                "Alibaba Cloud sends an SMS only from a registered template: the message has no"
                " template code."
            )
        sign_name = message.sign_name or self.settings.sign_name
        if not sign_name:
            raise InvalidSms(
                "The SMS has no signature (签名): give the message one, or set"
                " COLLECTOR_WORKSTATION_ALIYUN_SMS_SIGN_NAME."
            )
        for text in (message.template_code, sign_name, *message.template_params.values()):
            if any(ord(c) < 32 for c in text):
                raise InvalidSms("A value of the SMS holds a line break or another control"
                                 " character.")  # fmt: skip
        query = {
            "PhoneNumbers": number,
            "SignName": sign_name,
            "TemplateCode": message.template_code,
            "OutId": out_id(message.key),
        }
        if message.template_params:
            query["TemplateParam"] = json.dumps(
                dict(message.template_params), ensure_ascii=False, separators=(",", ":")
            )
        return query

    def send(self, message: OutboundMessage) -> SendResult:
        """One SendSms call; the provider's answer as a result, never raised."""
        try:
            query = self.parameters(message)
        except DomainError as error:
            return SendResult(
                message.key, SendStatus.REJECTED, error_code="invalid", error_text=error.message
            )
        try:
            http_status, answer = self._client.call("SendSms", query)
        except SmsProviderUnreachable as error:
            return SendResult(
                message.key, SendStatus.RETRY, error_code="unreachable", error_text=error.message
            )
        code = str(answer.get("Code") or f"HTTP {http_status}")
        status = sms_status(code, http_status)
        if status is SendStatus.ACCEPTED:
            biz_id = answer.get("BizId")
            return SendResult(message.key, status, provider_id=str(biz_id) if biz_id else None)
        return SendResult(
            message.key,
            status,
            error_code=code,
            error_text=_one_line(answer.get("Message") or code),
        )

    def resolve(self, message: OutboundMessage, since: datetime) -> SendResult | None:
        """Whether `message` went, asked of QuerySendDetails by its number and OutId on each
        day from `since` (when it was planned) to today, the newest first: ACCEPTED (with its
        delivery report once the carrier's receipt is in) when an SMS with its OutId is there,
        None when none is (it never reached the provider), RETRY when the provider cannot be
        asked now."""
        try:
            number = provider_number(message.to)
        except DomainError:
            return None  # refused before any request: it never went
        wanted = out_id(message.key)
        try:
            for day in query_days(since, self._clock()):
                details = _details(self._client, number, day, None, PAGE_SIZE)
                mine = [d for d in details if d.get("OutId") == wanted]
                if mine:
                    return _found(message, mine)
        except SmsProviderUnreachable as error:
            return SendResult(
                message.key, SendStatus.RETRY, error_code="unreachable", error_text=error.message
            )
        return None


def query_days(since: datetime, now: datetime) -> list[date]:
    """The days (Beijing time) an SMS planned at `since` may have been sent on, newest first:
    from that day to today, within the 30 QuerySendDetails answers for."""
    last = now.astimezone(BEIJING).date()
    first = min(since.astimezone(BEIJING).date(), last)
    first = max(first, last - timedelta(days=QUERY_DAYS - 1))
    return [last - timedelta(days=n) for n in range((last - first).days + 1)]


def reference(out: str) -> str:
    """The provider id of a message found by its OutId (see OUT_ID_REFERENCE)."""
    made = OUT_ID_REFERENCE + out
    if len(made) <= PROVIDER_ID_LONGEST:
        return made
    return OUT_ID_REFERENCE + _DIGEST_PREFIX + hashlib.sha256(out.encode("utf-8")).hexdigest()


def _found(message: OutboundMessage, details: Sequence[Mapping[str, Any]]) -> SendResult:
    """The answer for a message QuerySendDetails lists: accepted, with its receipt if in."""
    provider_id = reference(out_id(message.key))
    for detail in details:
        report = _report(detail, provider_id, message.to)
        if report is not None:
            # The dispatcher's own key, even where the OutId is a digest of it.
            return SendResult(
                message.key,
                SendStatus.ACCEPTED,
                provider_id=provider_id,
                report=replace(report, key=message.key),
            )
    return SendResult(message.key, SendStatus.ACCEPTED, provider_id=provider_id)


def _details(
    client: _Client, number: str, day: date, biz_id: str | None, page_size: int
) -> list[Mapping[str, Any]]:
    """The SmsSendDetailDTOs of the number on the day (of the BizId, if given), page by page;
    none when the provider refuses the question for good (a day too old, say), and
    SmsProviderUnreachable when it cannot answer now."""
    found: list[Mapping[str, Any]] = []
    for page in range(1, MOST_PAGES + 1):
        query = {
            "PhoneNumber": number,
            "SendDate": day.strftime("%Y%m%d"),
            "PageSize": str(page_size),
            "CurrentPage": str(page),
        }
        if biz_id is not None:
            query["BizId"] = biz_id
        http_status, answer = client.call("QuerySendDetails", query)
        code = str(answer.get("Code") or f"HTTP {http_status}")
        if code != "OK":
            if sms_status(code, http_status) is SendStatus.RETRY:
                raise SmsProviderUnreachable(
                    "Alibaba Cloud SMS did not give delivery reports now: {code} {text}",
                    code=code,
                    text=_one_line(answer.get("Message") or ""),
                )
            return found
        details = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
        found += [d for d in details if isinstance(d, Mapping)]
        if not details or len(found) >= int(answer.get("TotalCount") or 0):
            break
    return found


class AliyunDeliveryReports:
    """Delivery reports of accepted SMS, asked for with QuerySendDetails (by BizId, number
    and the day it was sent, Beijing time). A message still waiting for its receipt
    (SendStatus 1) has no report yet."""

    def __init__(
        self,
        settings: AliyunSmsSettings,
        secret: str,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        nonce: Callable[[], str] = _default_nonce,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.settings = settings
        self._client = _Client(settings, secret, clock, nonce)
        self.page_size = page_size

    def __repr__(self) -> str:
        return f"AliyunDeliveryReports({self.settings.endpoint})"

    def fetch(self, sent: Sequence[tuple[str, str, datetime]]) -> list[DeliveryReport]:
        """Reports for (BizId, E.164 number, sent at) each; SmsProviderUnreachable when the
        provider cannot be asked now (nothing is lost: ask again later)."""
        reports: list[DeliveryReport] = []
        for biz_id, to, sent_at in sent:
            try:
                number = provider_number(to)
            except DomainError:
                continue  # never sent: no report to ask for
            reports.extend(self._reports(biz_id, to, number, sent_at))
        return reports

    def _reports(
        self, biz_id: str, to: str, number: str, sent_at: datetime
    ) -> list[DeliveryReport]:
        day = sent_at.astimezone(BEIJING).date()
        if biz_id.startswith(OUT_ID_REFERENCE):
            # Found by its OutId: no BizId to ask with, the number's SMS of the day instead.
            details = [
                d
                for d in _details(self._client, number, day, None, self.page_size)
                if isinstance(d.get("OutId"), str) and reference(d["OutId"]) == biz_id
            ]
        else:
            details = _details(self._client, number, day, biz_id, self.page_size)
        found: list[DeliveryReport] = []
        for detail in details:
            report = _report(detail, biz_id, to)
            if report is not None:
                found.append(report)
        return found


def _beijing(text: object) -> datetime | None:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


def _report(detail: Mapping[str, Any], biz_id: str, to: str) -> DeliveryReport | None:
    """One SmsSendDetailDTO as a report: 3 delivered, 2 failed (ErrCode says why), 1 waiting."""
    try:
        state = int(detail.get("SendStatus") or 0)
    except (TypeError, ValueError):
        return None
    if state not in (2, 3):
        return None
    moment = _beijing(detail.get("ReceiveDate")) or _beijing(detail.get("SendDate"))
    if moment is None:
        return None
    reference = detail.get("OutId")
    key = reference if isinstance(reference, str) and reference else None
    if key is not None and key.startswith(_DIGEST_PREFIX):
        key = None  # a digest stands for a key too long to send: the dispatcher has the key
    error = detail.get("ErrCode")
    code = str(error) if error not in (None, "") else None
    return DeliveryReport(
        provider_id=biz_id,
        to=to,
        delivered=state == 3,
        reported_at=moment,
        key=key,
        error_code=code,
        opted_out=state == 2 and code in OPTED_OUT_CODES,
    )


def opted_out(report: DeliveryReport) -> bool:
    """Whether a delivery report says the recipient refused our messages (unsubscribed from
    the signature, or complained to the carrier): stop sending them SMS."""
    return report.opted_out
