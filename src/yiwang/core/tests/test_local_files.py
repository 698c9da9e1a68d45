"""A file an operator names is refused in Chinese, whatever the operating system says."""

from __future__ import annotations

from pathlib import Path

import pytest

from yiwang.core.local_files import UnreadableFile, read_bytes, read_text


def refusal(path: Path, at_most: int = 100) -> str:
    with pytest.raises(UnreadableFile) as info:
        read_text(path, at_most)
    return info.value.message


def test_missing_files_directories_and_broken_paths_are_named(tmp_path):
    assert refusal(tmp_path / "none.yaml") == f"找不到文件 {tmp_path / 'none.yaml'}"
    assert refusal(tmp_path) == f"{tmp_path} 是目录，不是文件"
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    assert refusal(tmp_path / "plain" / "x.yaml").endswith("（路径中有一段不是目录）")
    assert refusal(tmp_path / ("长" * 200)).startswith("文件名过长：")


def test_too_large_and_not_text(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * 101)
    assert refusal(big) == f"文件 {big} 过大（超过 100 字节）"
    assert read_text(big, 101) == "x" * 101
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("年份：2027".encode("gbk"))
    assert refusal(gbk) == f"文件 {gbk} 不是 UTF-8 编码的文本"


def test_a_device_is_read_no_further_than_asked():
    assert read_bytes(Path("/dev/zero"), 10) == b"\0" * 10
    with pytest.raises(UnreadableFile) as info:
        read_text(Path("/dev/zero"), 20_000_000)
    assert info.value.message == "文件 /dev/zero 过大（超过 20 MB）"


def test_text_loses_its_byte_order_mark(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffyear: 2027".encode())
    assert read_text(path, 100) == "year: 2027"
