"""Accounts that people open themselves: an applicant registers with their real identity."""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from yiwang.accounts.models import Applicant, ApplicantKind, User
from yiwang.core.errors import InvalidInput, Problem
from yiwang.core.identifiers import InvalidIdentifier, normalize_resident_id
from yiwang.core.names import InvalidName, normalize_person_name
from yiwang.core.text import NUL_MESSAGE, join_sentences

LABELS = {
    "username": "用户名",
    "password": "密码",
    "full_name": "姓名",
    "id_number": "公民身份号码",
    "phone": "手机号码",
}
USERNAME = re.compile(r"[A-Za-z0-9_.\-]{3,30}")
MOBILE = re.compile(r"1[3-9]\d{9}")


def register_applicant(
    *, username: str, password: str, full_name: str, id_number: str, phone: str
) -> User:
    """A natural person's applicant account; every problem is reported at once."""
    typed = {
        "username": username,
        "password": password,
        "full_name": full_name,
        "id_number": id_number,
        "phone": phone,
    }
    # PostgreSQL cannot store a NUL, and a password holding one could never be typed at login;
    # a field holding one gets that message only.
    problems = [
        Problem("account.nul_character", f"{LABELS[name]}{NUL_MESSAGE}", name)
        for name, value in typed.items()
        if "\x00" in value
    ]
    with_nul = {problem.field for problem in problems}
    username = username.strip()
    id_number, phone = id_number.strip().upper(), phone.strip()
    if "username" not in with_nul:
        if not USERNAME.fullmatch(username):
            problems.append(
                Problem(
                    "account.username",
                    "用户名须为 3–30 位字母、数字、点、下划线或连字符",
                    "username",
                )
            )
        elif User.objects.filter(username__iexact=username).exists():
            problems.append(Problem("account.username_taken", "该用户名已被使用", "username"))
    if "full_name" not in with_nul:
        try:
            full_name = normalize_person_name(full_name)
        except InvalidName as exc:
            problems.append(Problem("account.full_name", exc.message, "full_name"))
    if "id_number" not in with_nul:
        try:
            id_number = normalize_resident_id(id_number)
        except InvalidIdentifier as exc:
            problems.append(Problem("account.id_number", str(exc.message), "id_number"))
        else:
            known = Applicant.objects.filter(id_number=id_number).first()
            if known is not None and known.user_id is not None:
                problems.append(
                    Problem(
                        "account.id_number_taken",
                        "该身份证号码已注册账号，请直接登录",
                        "id_number",
                    )
                )
            elif known is not None:
                # A record made at a window holds that person's cases. An ID number alone (or
                # with a name) is no proof of being that person, so the account is opened where
                # the person shows their identity card, never by typing the number online.
                problems.append(
                    Problem(
                        "account.id_number_on_record",
                        "该身份证号码已有在窗口办理的记录。为保护您的信息，"
                        "请携带本人身份证到办事窗口核验身份后开通网上账号",
                        "id_number",
                    )
                )
    if "phone" not in with_nul and not MOBILE.fullmatch(phone):
        problems.append(Problem("account.phone", "请填写 11 位手机号码", "phone"))
    if "password" not in with_nul:
        try:
            validate_password(password, User(username=username, full_name=full_name))
        except ValidationError as exc:
            problems.append(Problem("account.password", join_sentences(exc.messages), "password"))
    if problems:
        raise InvalidInput("account.invalid", "注册信息有误，请按提示修改", problems)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, password=password, full_name=full_name, phone=phone
            )
            applicant = Applicant(
                kind=ApplicantKind.PERSON,
                id_number=id_number,
                name=full_name,
                phone=phone,
                user=user,
            )
            applicant.full_clean()
            applicant.save()
    except IntegrityError:
        raise InvalidInput(
            "account.invalid",
            "注册信息有误，请按提示修改",
            [Problem("account.username_taken", "该用户名已被使用", "username")],
        ) from None
    return user
