"""Written for chatcompat's tests in the layout Speakeasy's Python generator emits. Not generated code."""

from __future__ import annotations
from example_sdk.types import BaseModel, OptionalNullable, UNSET
import pydantic
from pydantic import ConfigDict
from typing import Any, Dict, Optional


class UsageInfo(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, extra="allow"
    )
    __pydantic_extra__: Dict[str, Any] = pydantic.Field(init=False)

    prompt_tokens: Optional[int] = 0

    completion_tokens: Optional[int] = 0

    total_tokens: Optional[int] = 0

    cost: OptionalNullable[float] = UNSET

    @property
    def additional_properties(self):
        return self.__pydantic_extra__
