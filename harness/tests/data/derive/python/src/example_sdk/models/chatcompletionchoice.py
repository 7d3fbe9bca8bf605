"""Written for chatcompat's tests in the layout Speakeasy's Python generator emits. Not generated code."""

from __future__ import annotations
from .assistantmessage import AssistantMessage, AssistantMessageTypedDict
from .finishreason import FinishReason
from example_sdk.types import BaseModel, Nullable, UNSET_SENTINEL
from pydantic import model_serializer
from typing import Any, Dict, Optional
from typing_extensions import NotRequired, TypedDict


class ChatCompletionChoiceTypedDict(TypedDict):
    index: int
    message: AssistantMessageTypedDict
    finish_reason: Nullable[FinishReason]
    logprobs: NotRequired[Dict[str, Any]]


class ChatCompletionChoice(BaseModel):
    index: int

    message: AssistantMessage

    finish_reason: Nullable[FinishReason]
    r"""Why generation stopped."""

    logprobs: Optional[Dict[str, Any]] = None

    @model_serializer(mode="wrap")
    def serialize_model(self, handler):
        nullable_fields = ["finish_reason"]
        serialized = handler(self)
        m = {}
        for n, f in type(self).model_fields.items():
            k = f.alias or n
            val = serialized.get(k)
            if val != UNSET_SENTINEL:
                m[k] = val
        return m
