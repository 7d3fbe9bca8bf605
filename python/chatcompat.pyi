"""Conformance checks for LLM chat-completion responses and event streams.

Every verdict, position and rule comes from the chatcompat Rust library, so the wheel
judges as the `chatcompat` binary does. Bad input never raises; an unknown provider is
a ValueError naming the known ones.
"""

from typing import Any, Literal, Optional, Union

__version__: str

Body = Union[bytes, bytearray, memoryview, str, dict[str, Any], list[Any]]
Transcript = Union[bytes, bytearray, memoryview, str]
Verdict = Literal["conforms", "conforms-with-extensions", "violates", "unreadable"]
StreamVerdict = Literal["conforms", "conforms-with-extensions", "violates"]
Severity = Literal["error", "loss", "note"]

class Violation:
    """One way a response breaks its provider's schema."""

    @property
    def pointer(self) -> str:
        """JSON pointer of the value (for a missing key: where it should be)."""
    @property
    def keyword(self) -> str:
        """The JSON Schema keyword that failed: `required`, `type`, `enum`, ..."""
    @property
    def expected(self) -> str:
        """What the schema expected, in words."""
    @property
    def found(self) -> str:
        """What the response has (`absent` for a missing key), shortened."""
    @property
    def line(self) -> Optional[int]:
        """1-based line in the checked text."""
    @property
    def column(self) -> Optional[int]:
        """1-based column, in characters."""
    def to_dict(self) -> dict[str, Any]:
        """The violation as a plain dict."""

class Checked:
    """What checking one response body found."""

    @property
    def provider(self) -> str: ...
    @property
    def verdict(self) -> Verdict: ...
    @property
    def violations(self) -> list[Violation]:
        """Every violation, in the order they stand in the text."""
    @property
    def extensions(self) -> list[str]:
        """JSON pointers of the fields the provider does not document."""
    @property
    def error(self) -> Optional[str]:
        """Why the body could not be read ("line:column: message"), when verdict is "unreadable"."""
    @property
    def error_kind(self) -> Optional[str]:
        """`syntax`, `empty`, `binary`, `invalid-utf8`, `duplicate-key`, `not-serialisable`, ..."""
    @property
    def error_line(self) -> Optional[int]: ...
    @property
    def error_column(self) -> Optional[int]: ...
    def passed(self, strict: bool = False) -> bool:
        """True when the body conforms; with strict=True, undocumented fields fail too."""
    def to_dict(self) -> dict[str, Any]:
        """The result as a plain dict of str, int, list and None (picklable, JSON-ready)."""

class Finding:
    """One thing checking a transcript found."""

    @property
    def rule(self) -> str:
        """The rule's name (`usage-lost`, `data-json`, ...); `chunk-schema` or
        `reassembled-schema` for a schema violation."""
    @property
    def severity(self) -> Severity:
        """`error`: the provider's SDK raises; `loss`: it reads but loses something; `note`."""
    @property
    def message(self) -> str: ...
    @property
    def event(self) -> Optional[int]:
        """The 1-based event; None for the stream as a whole."""
    @property
    def line(self) -> Optional[int]: ...
    @property
    def column(self) -> Optional[int]: ...
    @property
    def pointer(self) -> Optional[str]:
        """For a schema violation: the JSON pointer inside the chunk or reassembled response."""
    @property
    def keyword(self) -> Optional[str]:
        """For a schema violation: the JSON Schema keyword."""
    def to_dict(self) -> dict[str, Any]: ...

class StreamChecked:
    """What checking one event-stream transcript found."""

    @property
    def provider(self) -> str: ...
    @property
    def verdict(self) -> StreamVerdict: ...
    @property
    def events(self) -> int:
        """Events in the body (blocks of fields; comments do not count)."""
    @property
    def chunks(self) -> int:
        """Events whose data was read as a chunk."""
    @property
    def comments(self) -> int:
        """`:` comment lines (keep-alives)."""
    @property
    def done(self) -> bool:
        """Whether the `data: [DONE]` sentinel came."""
    @property
    def findings(self) -> list[Finding]:
        """Errors, losses and notes, in transcript order."""
    @property
    def extensions(self) -> list[tuple[int, str]]:
        """Undocumented fields in chunks, as (event, JSON pointer)."""
    @property
    def reassembled(self) -> Optional[dict[str, Any]]:
        """The chunks folded into one chat.completion, as the SDK's accumulator would."""
    def passed(self, strict: bool = False) -> bool:
        """True when the SDK reads the stream (no error); strict=True fails losses and extensions too."""
    def by_severity(self, severity: Severity) -> list[Finding]: ...
    def to_dict(self) -> dict[str, Any]: ...

def check(provider: str, body: Body) -> Checked:
    """Check one chat-completion response body against `provider`'s documented schema.

    bytes (exact positions), bytearray, memoryview or str are checked as they are; a dict or
    list is serialised with json.dumps(body) first, and positions refer to that one-line text.
    Bad input never raises (verdict "unreadable"); an unknown provider raises ValueError.
    """

def check_stream(provider: str, transcript: Transcript) -> StreamChecked:
    """Check one raw text/event-stream body: each chunk, the SDK's stream rules, and the
    reassembled response. Raises ValueError for an unknown provider or one without streaming."""

def providers(streaming: bool = False) -> list[str]:
    """The shipped providers' ids, sorted; with streaming=True, those that document streaming."""
