"""`collector-workstation messaging …` as a user runs it: a test e-mail to a real local SMTP
server, a test SMS to a local stand-in of Alibaba Cloud SMS, and a secret kept in the real
keychain (a Secret Service of the test's own) and used from there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.aliyun_api import KEY_ID, SECRET, AliyunSmsApi, error_body, serve
from tests.helpers.smtp_server import (
    PASSWORD,
    USER,
    Certificates,
    certificates,
    free_port,
    smtp_server,
)

ROOT = Path(__file__).resolve().parents[2]


def _environment(**settings: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTOR_WORKSTATION_")}
    return {**kept, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", **settings}


def _cli(tmp_path: Path, *args: str, env: dict[str, str], stdin: str = "") -> Any:
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "data"), "messaging", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return certificates(tmp_path_factory.mktemp("cli-smtp-tls"))


def _smtp(port: int, certs: Certificates, **more: str) -> dict[str, str]:
    return {
        "COLLECTOR_WORKSTATION_SMTP_HOST": "127.0.0.1",
        "COLLECTOR_WORKSTATION_SMTP_PORT": str(port),
        "COLLECTOR_WORKSTATION_SMTP_USER": USER,
        "COLLECTOR_WORKSTATION_SMTP_FROM": "notice@hengxin.example",
        "COLLECTOR_WORKSTATION_SMTP_CA_FILE": str(certs.ca.certificate),
        **more,
    }


def test_test_email_sends_one_message_and_prints_the_answer_in_one_line(
    tmp_path: Path, certs: Certificates
) -> None:
    with smtp_server(certs) as (controller, handler):
        env = _environment(
            **_smtp(controller.port, certs, COLLECTOR_WORKSTATION_SMTP_PASSWORD=PASSWORD)
        )
        done = _cli(tmp_path, "test-email", "--to", "wang.fang@example.cn", env=env)
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    assert line.startswith("accepted: the provider took the message (<test-email-")
    [arrived] = handler.received
    assert arrived.email["Subject"] == "催收工作台：测试邮件"
    assert arrived.rcpt_tos == ("wang.fang@example.cn",) and arrived.login == USER
    assert PASSWORD not in done.stdout + done.stderr


def test_test_email_to_an_unreachable_server_says_so_in_one_line(
    tmp_path: Path, certs: Certificates
) -> None:
    port = free_port()
    env = _environment(**_smtp(port, certs, COLLECTOR_WORKSTATION_SMTP_PASSWORD=PASSWORD))
    done = _cli(tmp_path, "test-email", "--to", "wang.fang@example.cn", "--lang", "en", env=env)
    assert done.returncode == 3
    assert done.stdout.splitlines() == [
        f"not sent, try again later: unreachable The mail server 127.0.0.1:{port} could not be"
        f" reached: Connection refused"
    ]
    assert done.stderr == ""


def test_test_email_refuses_a_bad_address_and_a_missing_configuration(tmp_path: Path) -> None:
    done = _cli(tmp_path, "test-email", "--to", "wang.fang@", env=_environment())
    assert done.returncode == 1
    assert done.stderr.startswith("error: No mail server is configured")
    assert len(done.stderr.splitlines()) == 1
    env = _environment(
        COLLECTOR_WORKSTATION_SMTP_HOST="127.0.0.1",
        COLLECTOR_WORKSTATION_SMTP_FROM="notice@hengxin.example",
    )
    bad = _cli(tmp_path, "test-email", "--to", "wang.fang@", env=env)
    assert bad.returncode == 1
    assert bad.stdout.startswith("refused: invalid “wang.fang@” is not an e-mail address")


def test_test_sms_sends_the_template_and_prints_alibaba_clouds_answer(
    tmp_path: Path, httpserver: Any
) -> None:
    api = AliyunSmsApi()
    env = _environment(
        COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_ID=KEY_ID,
        COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_SECRET=SECRET,
        COLLECTOR_WORKSTATION_ALIYUN_SMS_ENDPOINT=serve(httpserver, api),
        COLLECTOR_WORKSTATION_ALIYUN_SMS_SIGN_NAME="恒信消费金融",
    )
    args = ("test-sms", "--to", "+86 139 1234 5678", "--template", "SMS_462310001")
    done = _cli(tmp_path, *args, "--param", "code=1234", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "accepted: the provider took the message (9006197469364984401^0)."
    ]
    assert api.calls[0].params["PhoneNumbers"] == "13912345678"
    assert api.calls[0].params["TemplateParam"] == '{"code":"1234"}'
    assert api.calls[0].params["SignName"] == "恒信消费金融"
    api.answers.append((200, error_body("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")))
    refused = _cli(tmp_path, *args, env=env)
    assert refused.returncode == 1
    assert refused.stdout.splitlines() == ["refused: isv.MOBILE_NUMBER_ILLEGAL 非法手机号"]
    api.answers.append((200, error_body("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")))
    limited = _cli(tmp_path, *args, env=env)
    assert limited.returncode == 3
    assert "isv.BUSINESS_LIMIT_CONTROL" in limited.stdout
    wrong = _cli(tmp_path, *args, "--param", "code", env=env)
    assert (wrong.returncode, wrong.stdout) == (1, "")
    assert wrong.stderr == "error: A template value is NAME=VALUE, not “code”.\n"
    assert SECRET not in done.stdout + done.stderr + refused.stdout + limited.stdout


def test_set_secret_without_a_keychain_says_where_else_it_may_go(tmp_path: Path) -> None:
    env = _environment(COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_ID=KEY_ID)
    done = _cli(tmp_path, "set-secret", "aliyun", env=env, stdin="a-secret\n")
    assert done.returncode == 1
    assert done.stderr == (
        "error: No keychain is available here: set COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_SECRET"
        " in the job's environment instead.\n"
    )
    unset = _cli(tmp_path, "set-secret", "smtp", env=_environment(), stdin="x\n")
    assert unset.returncode == 1 and "COLLECTOR_WORKSTATION_SMTP_USER" in unset.stderr


# Inside a D-Bus session with an unlocked keyring of its own: the secret is kept with
# `set-secret`, then `test-email` signs in with it from the keychain, no password anywhere else.
DRIVER = """
import subprocess, sys
import keyring

data = sys.argv[1]


def cli(*args, stdin=""):
    done = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", data, "messaging", *args],
        input=stdin, capture_output=True, text=True, timeout=120,
    )
    print(f"$ {' '.join(args)} -> {done.returncode}")
    print(done.stdout, end="")
    print(done.stderr, end="")
    return done


kept = cli("set-secret", "smtp", stdin=sys.argv[2] + "\\n")
assert kept.returncode == 0, kept
assert kept.stdout.startswith("kept in the keychain as messaging:smtp:"), kept.stdout
assert sys.argv[2] not in kept.stdout + kept.stderr
assert "SecretService" in type(keyring.get_keyring()).__module__
sent = cli("test-email", "--to", "wang.fang@example.cn")
assert sent.returncode == 0, sent
print("keychain ok")
"""


def test_a_secret_kept_in_the_real_keychain_is_used_and_written_nowhere(
    tmp_path: Path, certs: Certificates
) -> None:
    tools = [shutil.which(name) for name in ("dbus-run-session", "gnome-keyring-daemon")]
    if not all(tools):
        why = "no Secret Service here: scripts/system-packages installs gnome-keyring"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    script = tmp_path / "keychain.py"
    script.write_text(DRIVER, encoding="utf-8")
    unlock = "echo unlock-for-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null"
    home = tmp_path / "home"
    home.mkdir()
    with smtp_server(certs) as (controller, handler):
        settings = _smtp(controller.port, certs)
        env = {
            **_environment(**settings),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "share"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        env.pop("PYTHON_KEYRING_BACKEND")  # the real keychain this time
        result = subprocess.run(
            ["dbus-run-session", "--", "sh", "-c", f'{unlock} && "$0" "$@"', sys.executable,
             str(script), str(tmp_path / "data"), PASSWORD],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("keychain ok")
    assert handler.logins and handler.received[0].login == USER
    # Nowhere in a file: not in the data folder, not in the home folder (the keyring's own file
    # is encrypted).
    for path in [*tmp_path.rglob("*")]:
        if path.is_file() and path != script:
            assert PASSWORD.encode() not in path.read_bytes(), path
