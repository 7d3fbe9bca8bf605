"""Written for chatcompat's tests in the layout Speakeasy's Python generator emits. Not generated code."""

from __future__ import annotations
from .toolcall import ToolCall
from example_sdk.types import BaseModel, OptionalNullable, UNSET
from typing import List, Literal, Optional, Union


AssistantMessageContent = Union[str, List["ContentChunk"]]


class AssistantMessage(BaseModel):
    role: Optional[Literal["assistant"]] = "assistant"

    content: OptionalNullable[AssistantMessageContent] = UNSET

    tool_calls: OptionalNullable[List[ToolCall]] = UNSET

    prefix: Optional[bool] = False
    r"""Whether the message continues a prefix.
    Set it on the last message only.
    """
