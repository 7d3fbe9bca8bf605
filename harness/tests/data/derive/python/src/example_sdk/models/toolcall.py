"""Written for chatcompat's tests in the layout Speakeasy's Python generator emits. Not generated code."""

from __future__ import annotations
from .functioncall import FunctionCall
from example_sdk.types import BaseModel
from typing import Optional


class ToolCall(BaseModel):
    function: FunctionCall

    id: Optional[str] = "null"

    index: Optional[int] = 0
