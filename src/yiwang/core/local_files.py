"""Reading a file an operator names on the command line, with every refusal said in Chinese.

Python's OSError reads "[Errno 2] No such file or directory: 'x'"; the commands of ``yiwang``
(catalog import, workdays load, seals register) say "找不到文件 x" instead, through this module.
"""

from __future__ import annotations

import errno
from pathlib import Path


class UnreadableFile(Exception):
    """A file that could not be read; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def os_error_message(name: object, exc: OSError) -> str:
    """Why the operating system would not let ``name`` be read."""
    if isinstance(exc, FileNotFoundError):
        return f"找不到文件 {name}"
    if isinstance(exc, IsADirectoryError):
        return f"{name} 是目录，不是文件"
    if isinstance(exc, NotADirectoryError):
        return f"找不到文件 {name}（路径中有一段不是目录）"
    if isinstance(exc, PermissionError):
        return f"无权读取文件 {name}"
    if exc.errno == errno.ENAMETOOLONG:
        return f"文件名过长：{name}"
    code = errno.errorcode.get(exc.errno or 0, "")
    # The symbolic code (EIO …) rather than the system's English sentence.
    return f"无法读取文件 {name}" + (f"（系统错误 {code}）" if code else "")


def limit_text(at_most: int) -> str:
    """A file-size limit as a message tells it: 20 MB, 1000 KB, 100 字节."""
    if at_most >= 1_000_000:
        return f"{at_most // 1_000_000} MB"
    if at_most >= 1000:
        return f"{at_most // 1000} KB"
    return f"{at_most} 字节"


def read_bytes(path: Path, at_most: int) -> bytes:
    """Up to ``at_most`` bytes of ``path``; the caller reads one past its limit to tell a file
    that is too large. Never reads more, so a device such as /dev/zero cannot fill memory."""
    try:
        with path.open("rb") as handle:
            return handle.read(at_most)
    except OSError as exc:
        raise UnreadableFile(os_error_message(path, exc)) from None


def read_text(path: Path, at_most: int) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark is dropped); UnreadableFile when it is not
    text or longer than ``at_most`` bytes."""
    data = read_bytes(path, at_most + 1)
    if len(data) > at_most:
        raise UnreadableFile(f"文件 {path} 过大（超过 {limit_text(at_most)}）")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(f"文件 {path} 不是 UTF-8 编码的文本") from None
