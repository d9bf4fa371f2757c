"""A local stand-in for Alibaba Cloud SMS (dysmsapi, 2017-05-25) on pytest-httpserver.

It checks every request as the provider's gateway would: the V3 signature (ACS3-HMAC-SHA256)
recomputed here from the shared secret, written from the published documentation and not
with the sender's own functions; the x-acs-* headers; the date's 15 minutes; a nonce used once;
then the operation's parameters. It answers with the documentation's bodies: OK with a BizId,
or the error a test asks for; QuerySendDetails a page at a time.

Like the provider, it keeps a record of every SMS it took (SendStatus 1, waiting for the
carrier's receipt, filed under the day in Beijing time with its OutId) until a test settles it
with a receipt (`settle`); QuerySendDetails without a BizId lists every record of the number
that day. A test may hold the answer to one SendSms (taken, not yet answered) to kill the
sender while it waits.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from werkzeug import Request, Response

KEY_ID = "LTAI5tTestKeyId00000000"
SECRET = "TestAccessKeySecret+/=8x9"
REQUEST_ID = "F655A8D5-B967-440B-8683-DAD6FF8DE990"
UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
BEIJING = ZoneInfo("Asia/Shanghai")
_AUTHORIZATION = re.compile(
    r"ACS3-HMAC-SHA256 Credential=(?P<key>[^,]+),SignedHeaders=(?P<signed>[^,]+),"
    r"Signature=(?P<signature>[0-9a-f]{64})"
)


def rfc3986(text: str) -> str:
    """Each byte of the UTF-8 text as itself when unreserved, else %XY (upper-case hex)."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        out.append(char if char in UNRESERVED else f"%{byte:02X}")
    return "".join(out)


def documented_signature(
    secret: str, method: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes
) -> tuple[str, str]:
    """(SignedHeaders, Signature) of a request, step by step as the documentation says."""
    pairs = sorted((rfc3986(name), rfc3986(value)) for name, value in query)
    canonical_query = "&".join(f"{name}={value}" for name, value in pairs)
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    names = sorted(lowered)
    canonical_headers = "".join(f"{name}:{lowered[name]}\n" for name in names)
    signed_headers = ";".join(names)
    hashed_payload = hashlib.sha256(body).hexdigest()
    canonical_request = (
        f"{method}\n/\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}"
    )
    string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode()).hexdigest()
    signature = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return signed_headers, signature


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"RequestId": REQUEST_ID, "Code": code, "Message": message}


@dataclass
class Call:
    action: str
    params: dict[str, str]
    raw_query: str  # as it came, percent-encoded
    headers: dict[str, str]


@dataclass
class AliyunSmsApi:
    """What the stand-in received, and what it answers next."""

    secret: str = SECRET
    calls: list[Call] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)
    # The next answers to SendSms, in order: (HTTP status, body: JSON or raw text); then OK.
    answers: list[tuple[int, dict[str, Any] | str]] = field(default_factory=list)
    # The next answers to the SendSms of an OutId, before `answers`; then as for any other.
    answers_for: dict[str, list[tuple[int, dict[str, Any] | str]]] = field(default_factory=dict)
    # QuerySendDetails' records of a BizId, served PageSize at a time.
    details: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    query_answer: tuple[int, dict[str, Any]] | None = None
    delay: float = 0.0
    biz_ids: int = 0
    # Hold the answer to the n-th SendSms (counting from 1), once it is taken: `held` is set
    # then, and the answer goes when `release` is (or after a minute).
    hold_send: int | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    sends: int = 0
    # Hold the n-th SendSms to arrive before it is taken, then lose it (as if it never reached
    # the provider): not recorded, answered 503 on `release`; `lost` is its OutId.
    lose_send: int | None = None
    lost: str | None = None
    arrivals: int = 0

    def handle(self, request: Request) -> Response:
        if self.delay:
            time.sleep(self.delay)
        refused = self.refusal(request)
        if refused is not None:
            return self.json(400 if refused != "InvalidAccessKeyId.NotFound" else 404,
                             error_body(refused, "refused by the test's gateway"))  # fmt: skip
        raw_query = request.query_string.decode("ascii")
        params = dict(self._pairs(raw_query))
        action = request.headers["x-acs-action"]
        if action == "SendSms":
            self.arrivals += 1
            if self.arrivals == self.lose_send:
                self.lost = params.get("OutId")
                self.held.set()
                self.release.wait(60)
                return self.json(503, "<html><body>503 Service Unavailable</body></html>")
        self.calls.append(Call(action, params, raw_query, dict(request.headers)))
        if action == "SendSms":
            return self.send_sms(params)
        if action == "QuerySendDetails":
            return self.query(params)
        return self.json(404, error_body("InvalidAction.NotFound", action))

    @staticmethod
    def _pairs(raw_query: str) -> list[tuple[str, str]]:
        pairs = []
        for part in raw_query.split("&") if raw_query else []:
            name, _, value = part.partition("=")
            pairs.append((unquote(name), unquote(value)))
        return pairs

    def refusal(self, request: Request) -> str | None:
        """The gateway's refusal of the request's signature, or None when it holds."""
        match = _AUTHORIZATION.fullmatch(request.headers.get("Authorization", ""))
        if match is None:
            return "IncompleteSignature"
        if match["key"] != KEY_ID:
            return "InvalidAccessKeyId.NotFound"
        signed = match["signed"].split(";")
        present = {n.lower() for n, _ in request.headers.items() if n.lower().startswith("x-acs-")}
        required = {"host", "x-acs-action", "x-acs-version", "x-acs-date",
                    "x-acs-signature-nonce", "x-acs-content-sha256"}  # fmt: skip
        if not (required <= set(signed) and present <= set(signed)):
            return "IncompleteSignature"
        if request.headers.get("x-acs-version") != "2017-05-25":
            return "InvalidVersion"
        body = request.get_data()
        if request.headers["x-acs-content-sha256"] != hashlib.sha256(body).hexdigest():
            return "IncompleteSignature"
        moment = datetime.strptime(request.headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ")
        if abs(datetime.now(UTC) - moment.replace(tzinfo=UTC)) > timedelta(minutes=15):
            return "InvalidTimeStamp.Expired"
        nonce = request.headers["x-acs-signature-nonce"]
        if nonce in self.nonces:
            return "SignatureNonceUsed"
        headers = {name: request.headers[name] for name in signed}
        query = self._pairs(request.query_string.decode("ascii"))
        _, expected = documented_signature(self.secret, request.method, query, headers, body)
        if not hmac.compare_digest(expected, match["signature"]):
            return "SignatureDoesNotMatch"
        self.nonces.add(nonce)
        return None

    @staticmethod
    def json(status: int, body: dict[str, Any] | str) -> Response:
        if isinstance(body, str):
            return Response(body, status=status, content_type="text/html")
        return Response(json.dumps(body, ensure_ascii=False), status=status,
                        content_type="application/json;charset=utf-8")  # fmt: skip

    def send_sms(self, params: dict[str, str]) -> Response:
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not params.get(name):
                return self.json(400, error_body("MissingParameter", f"{name} is mandatory"))
        if not re.fullmatch(r"\d{6,15}", params["PhoneNumbers"]):
            return self.json(200, error_body("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"))
        if "TemplateParam" in params:
            values = json.loads(params["TemplateParam"])
            assert all(isinstance(v, str) for v in values.values())
        if len(params.get("OutId", "")) >= 256:
            return self.json(200, error_body("isv.INVALID_PARAMETERS", "OutId too long"))
        self.sends += 1
        planned = self.answers_for.get(params.get("OutId", ""))
        if planned:
            status, body = planned.pop(0)
            return self.json(status, body)
        if self.answers:
            status, body = self.answers.pop(0)
            return self.json(status, body)
        self.biz_ids += 1
        biz_id = f"90061974693649844{self.biz_ids:02d}^0"
        now = datetime.now(BEIJING)
        self.details.setdefault(biz_id, []).append(
            {
                "_day": f"{now:%Y%m%d}",
                "PhoneNum": params["PhoneNumbers"],
                "SendStatus": 1,
                "ErrCode": "",
                "TemplateCode": params["TemplateCode"],
                # The provider fills the registered template in; the stand-in has none.
                "Content": f"【{params['SignName']}】{params.get('TemplateParam', '')}",
                "SendDate": f"{now:%Y-%m-%d %H:%M:%S}",
                "ReceiveDate": "",
                "OutId": params.get("OutId", ""),
            }
        )
        if self.sends == self.hold_send:
            self.held.set()
            self.release.wait(60)
        return self.json(200, {"Code": "OK", "Message": "OK", "RequestId": REQUEST_ID,
                               "BizId": biz_id})  # fmt: skip

    def taken(self, out_id: str) -> list[dict[str, Any]]:
        """The records of the SMS taken with this OutId."""
        return [r for records in self.details.values() for r in records if r["OutId"] == out_id]

    def settle(self, out_id: str, delivered: bool, code: str) -> None:
        """The carrier's receipt for the SMS of this OutId: delivered (3) or failed (2)."""
        [record] = self.taken(out_id)
        record["SendStatus"] = 3 if delivered else 2
        record["ErrCode"] = code
        record["ReceiveDate"] = f"{datetime.now(BEIJING):%Y-%m-%d %H:%M:%S}"

    def query(self, params: dict[str, str]) -> Response:
        if self.query_answer is not None:
            return self.json(*self.query_answer)
        for name in ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"):
            if not params.get(name):
                return self.json(400, error_body("MissingParameter", f"{name} is mandatory"))
        size, page = int(params["PageSize"]), int(params["CurrentPage"])
        if not 1 <= size <= 50 or not re.fullmatch(r"\d{8}", params["SendDate"]):
            return self.json(200, error_body("isv.INVALID_PARAMETERS", "参数异常"))
        if "BizId" in params:
            filed = self.details.get(params["BizId"], [])
        else:  # every SMS of the number that day
            filed = [r for records in self.details.values() for r in records]
        records = [
            r
            for r in filed
            if r["PhoneNum"] == params["PhoneNumber"] and r["_day"] == params["SendDate"]
        ]
        shown = [
            {k: v for k, v in r.items() if not k.startswith("_")}
            for r in records[(page - 1) * size : page * size]
        ]
        return self.json(200, {"Code": "OK", "Message": "OK", "RequestId": REQUEST_ID,
                               "TotalCount": len(records),
                               "SmsSendDetailDTOs": {"SmsSendDetailDTO": shown}})  # fmt: skip


def serve(httpserver: Any, api: AliyunSmsApi) -> str:
    """Point the test's HTTP server at `api`; the endpoint to configure."""
    handler: Callable[[Request], Response] = api.handle
    httpserver.expect_request("/", method="POST").respond_with_handler(handler)
    return str(httpserver.url_for("/")).rstrip("/")
