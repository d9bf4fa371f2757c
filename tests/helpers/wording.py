"""Words a letter to a borrower must never use (docs/domain.md §4: no threats, insults,
impersonation of courts, police or officials, no exposing the debt to others, no inducing the
borrower to borrow elsewhere to repay), in English and Chinese, and a scan for them."""

from __future__ import annotations

import re

# English: whole words or phrases, any case.
ENGLISH = (
    # Courts, police, officials and what only they do.
    "police",
    "court",
    "courts",
    "judge",
    "prosecute",
    "prosecution",
    "arrest",
    "jail",
    "prison",
    "criminal",
    "crime",
    "fraud",
    "lawsuit",
    "sue",
    "sued",
    "summons",
    "subpoena",
    "warrant",
    "bailiff",
    "seize",
    "seizure",
    "confiscate",
    "garnish",
    "enforcement officer",
    "government",
    "public security",
    "official notice",
    # Exposure, and people who are not the borrower.
    "blacklist",
    "shame",
    "expose",
    "publicly",
    "your family",
    "your relatives",
    "your parents",
    "your employer",
    "your colleagues",
    "your contacts",
    "your neighbours",
    "your neighbors",
    "visit your home",
    "at your workplace",
    # Borrowing elsewhere to repay.
    "borrow from",
    "borrow elsewhere",
    "borrow money",
    "another loan",
    "new loan",
    "credit card",
    "cash advance",
    "pawn",
    "sell your",
    # Threats and insults.
    "final warning",
    "last warning",
    "ultimatum",
    "or else",
    "serious consequences",
    "you will regret",
    "threat",
    "deadbeat",
    "liar",
    "cheat",
    "stupid",
    "idiot",
    "shameless",
)
# Chinese: substrings.
CHINESE = (
    "公安", "警察", "派出所", "法院", "起诉", "诉讼", "传票", "拘留", "逮捕", "坐牢", "判刑",
    "刑事", "犯罪", "诈骗", "立案", "强制执行", "查封", "冻结", "拍卖", "执法", "政府", "律师函",
    "老赖", "失信被执行人", "黑名单", "曝光", "公示", "通讯录", "家人", "亲属", "亲友", "父母",
    "单位", "同事", "领导", "邻居", "上门",
    "网贷", "借钱还", "以贷养贷", "借新还旧", "信用卡", "套现", "变卖",
    "后果自负", "后果严重", "最后通牒", "最后通知", "否则", "骗子", "无赖", "不要脸",
)  # fmt: skip
_ENGLISH = re.compile(
    r"\b(" + "|".join(re.escape(phrase).replace(r"\ ", r"\s+") for phrase in ENGLISH) + r")\b",
    re.IGNORECASE,
)


def forbidden_in(text: str) -> list[str]:
    """Every forbidden word or phrase `text` uses (line breaks and spacing as a page has them)."""
    found = [match.group(0) for match in _ENGLISH.finditer(text)]
    squashed = re.sub(r"\s+", "", text)
    found += [phrase for phrase in CHINESE if phrase in squashed]
    return found
