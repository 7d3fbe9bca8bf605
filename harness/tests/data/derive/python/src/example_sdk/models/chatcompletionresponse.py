"""Written for chatcompat's tests in the layout Speakeasy's Python generator emits. Not generated code."""

from __future__ import annotations
from .chatcompletionchoice import ChatCompletionChoice
from .usageinfo import UsageInfo
from example_sdk.types import BaseModel
import pydantic
from typing import List, Literal
from typing_extensions import Annotated


class ChatCompletionResponse(BaseModel):
    id: str

    model: str

    usage: UsageInfo

    created: int

    choices: List[ChatCompletionChoice]

    OBJECT: Annotated[Literal["chat.completion"], pydantic.Field(alias="object")] = "chat.completion"
