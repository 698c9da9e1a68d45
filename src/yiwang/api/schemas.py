"""The base of every request body the API reads."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """A JSON body that refuses fields it does not define (422, "不是可接受的字段"): a misspelt
    optional field, such as ``expected_verison``, would otherwise be dropped without a word and
    its check (here: the concurrency check) silently skipped."""

    model_config = ConfigDict(extra="forbid")
