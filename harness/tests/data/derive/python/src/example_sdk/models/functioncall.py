"""Written for chatcompat's tests in the layout Speakeasy's Python generator emits. Not generated code."""

from __future__ import annotations
from example_sdk.types import BaseModel
import pydantic
from typing import Any, Dict, Optional, Union
from typing_extensions import Annotated


Arguments = Union[Dict[str, Any], str]


class FunctionCall(BaseModel):
    name: str

    arguments: Arguments

    format_: Annotated[Optional[str], pydantic.Field(alias="format")] = None
    r"""Sent as `format`."""
