"""A person's name as the identity document writes it: Chinese characters (with the middle dot
of minority names) or Latin letters; emoji, markup and other symbols are refused."""

from __future__ import annotations

import pytest

from yiwang.core.names import InvalidName, normalize_person_name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("王芳", "王芳"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提•艾力", "买买提·艾力"),  # the dots people type are stored as the card's dot
        ("买买提・艾力", "买买提·艾力"),
        (" 阿卜杜热合曼 . 阿卜杜克热木 ", "阿卜杜热合曼·阿卜杜克热木"),
        ("欧阳 娜娜", "欧阳娜娜"),
        ("\U00020000\U0002a6d6", "\U00020000\U0002a6d6"),  # rare characters (CJK extension B)
        ("Jean-Luc O'Neil", "Jean-Luc O'Neil"),
        ("J. R. Smith", "J. R. Smith"),
        ("José  Álvarez", "José Álvarez"),
        ("Smith Jr.", "Smith Jr."),
        ("ＭＡＲＹ Ａｎｎ", "MARY Ann"),  # full-width letters from a Chinese input method
    ],
)
def test_real_names_are_accepted(typed, stored):
    assert normalize_person_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code", "shown"),
    [
        ("😀😀", "name.characters", "“😀”"),
        ("<script>alert(1)</script>", "name.characters", "“<”"),
        ("Robert'); DROP TABLE users;--", "name.characters", "“)”"),
        ("王芳1", "name.characters", "“1”"),
        ("王芳&", "name.characters", "“&”"),
        ("王\u200b芳", "name.characters", "不可见"),
        ("王芳A", "name.mixed", "汉字和拉丁字母"),
        ("·买买提", "name.dot", "间隔号"),
        ("买买提··艾力", "name.dot", "间隔号"),
        ("Ann--Lee", "name.latin_shape", "字母之间"),
        ("'Ann", "name.latin_shape", "字母之间"),
        ("Ann·Lee", "name.characters", "“·”"),
        ("王", "name.too_short", "至少 2 个字"),
        ("王" * 51, "name.too_long", "50"),
        ("   ", "name.required", "请填写姓名"),
        ("王\x00芳", "name.nul", "空字符"),
    ],
)
def test_anything_else_is_refused_with_a_message_naming_the_fault(typed, code, shown):
    with pytest.raises(InvalidName) as caught:
        normalize_person_name(typed)
    assert caught.value.code == code
    assert shown in caught.value.message and caught.value.message.startswith(
        ("姓名", "请填写", "间隔号", "外文姓名")
    )
