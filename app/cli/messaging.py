"""CLI commands for the reminders' senders: `collector-workstation messaging …`.

`set-secret` keeps the SMTP password or the Alibaba Cloud AccessKey secret in the OS keychain
(read without echo, or from standard input); `test-email` and `test-sms` send one real test
message through what is configured and print the provider's answer in one line.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.cli.common import for_roles
from app.config import Config

# Exit status when the provider did not take the message but may later (unreachable, a rate
# limit): as `sync`'s for a server that did not answer.
TRY_LATER = 3


def register(commands: Any) -> None:
    """Add `messaging` to the CLI's subparsers."""
    messaging = commands.add_parser(
        "messaging",
        help="the reminders' e-mail and SMS senders: keep a secret, send a test message",
        description="The mail server and the SMS provider the reminders are sent through are"
        " configured in the environment (COLLECTOR_WORKSTATION_SMTP_*,"
        " COLLECTOR_WORKSTATION_ALIYUN_*); their secrets there or in the OS keychain.",
    )
    group = messaging.add_subparsers(title="messaging commands", metavar="COMMAND", required=True)

    secret = group.add_parser(
        "set-secret",
        help="keep the SMTP password or the Alibaba Cloud AccessKey secret in the keychain",
        description="Reads the secret without echo (or one line from standard input when it"
        " is not a terminal) and keeps it in the OS keychain, for the server and user (or the"
        " AccessKey id) configured now. It is never written to a file or printed.",
    )
    secret.add_argument("kind", choices=["smtp", "aliyun"])
    secret.set_defaults(handler=_set_secret)

    email = group.add_parser(
        "test-email",
        help="send one test e-mail and print the mail server's answer",
        description="Sends one test e-mail through the configured mail server and prints its"
        " answer in one line (exit 0: accepted; 1: refused; 3: try again later).",
    )
    email.add_argument("--to", required=True, help="the address to send it to")
    email.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    email.set_defaults(handler=_test_email)

    sms = group.add_parser(
        "test-sms",
        help="send one test SMS and print Alibaba Cloud's answer",
        description="Sends one SMS through the configured Alibaba Cloud account, from a"
        " registered template, and prints the answer in one line (exit 0: accepted; 1:"
        " refused; 3: try again later).",
    )
    sms.add_argument("--to", required=True, help="the mobile number (+86…, or any format)")
    sms.add_argument("--template", required=True, help="a registered template code (SMS_…)")
    sms.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a value of the template (repeat for each)",
    )
    sms.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    sms.set_defaults(handler=_test_sms)

    for command in (secret, email, sms):
        # The installation's senders: signed in to a server, an administrator's commands.
        for_roles(command)


def _set_secret(config: Config, args: argparse.Namespace) -> int:
    from app.services.messaging.settings import SecretKind, keep_secret, keychain_entry

    kind = SecretKind(args.kind)
    # Which entry, before asking: a missing setting is said before the secret is typed.
    keychain_entry(kind)
    prompt = "SMTP password: " if kind is SecretKind.SMTP else "AccessKey secret: "
    # A terminal: asked without echo; else one line (a pipe from a secret store, say).
    interactive = sys.stdin.isatty()
    secret = getpass.getpass(prompt) if interactive else sys.stdin.readline().rstrip("\r\n")
    entry = keep_secret(kind, secret)
    from app.services.messaging.senders import kept_line

    print(kept_line(entry))
    return 0


def _send(message: Any) -> int:
    from app.services.messaging.base import SendStatus
    from app.services.messaging.senders import answer_line, send_one

    result = send_one(message)
    print(answer_line(result))
    if result.status is SendStatus.ACCEPTED:
        return 0
    return TRY_LATER if result.status is SendStatus.RETRY else 1


def _test_email(config: Config, args: argparse.Namespace) -> int:
    from app.services.messaging.base import MessageChannel
    from app.services.messaging.senders import trial_message

    return _send(trial_message(MessageChannel.EMAIL, args.to, args.lang))


def _test_sms(config: Config, args: argparse.Namespace) -> int:
    from app.services.messaging.base import MessageChannel
    from app.services.messaging.senders import template_values, trial_message

    params = template_values(args.param)
    message = trial_message(
        MessageChannel.SMS,
        args.to,
        args.lang,
        template_code=args.template,
        template_params=params,
    )
    return _send(message)
