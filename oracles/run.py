"""Feeds fixture bodies (*.json) and stream transcripts (*.sse) to the Python SDKs' own clients.

Each client is the SDK's public client with a fake HTTP layer (httpx2/httpx MockTransport) that answers
200 with the file's bytes, so the SDK's own path runs from the HTTP response on: JSON decoding,
`_process_response` (openai-python: `validate_type` when `_strict_response_validation=True`,
`construct_type` otherwise), the SSE decoder and `Stream`, the accumulator, the Speakeasy unmarshalling.
Nothing leaves the process: the transport never opens a socket.

    python run.py [--sdk NAME ...] FILE...      (or file names on standard input, one a line)

prints one JSON object per file, SDK and mode: file, sdk, version, mode, outcome (accepted, rejected or
loses), error (null when accepted).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import sys
import warnings

warnings.filterwarnings("ignore")

MAX_ERROR = 400
URL_NOISE = re.compile(r"\s*For further information visit \S+")


def short(text: str) -> str:
    """One deterministic line: no pydantic help links, no input echo beyond the limit."""
    text = URL_NOISE.sub("", text)
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def describe(err: BaseException) -> str:
    parts = [f"{type(err).__name__}: {err}"]
    cause = err.__cause__
    while cause is not None:
        parts.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return short(" <- ".join(parts))


def split_events(raw: bytes) -> list[bytes]:
    """One network read per event: the bytes up to and including each blank line."""
    pieces = re.split(rb"(\r\n\r\n|\n\n|\r\r)", raw)
    out = []
    for i in range(0, len(pieces), 2):
        piece = pieces[i] + (pieces[i + 1] if i + 1 < len(pieces) else b"")
        if piece:
            out.append(piece)
    return out


def data_events(raw: bytes) -> int:
    """How many events carry data other than [DONE], up to [DONE] (what a reader should hand over)."""
    count = 0
    for event in split_events(raw):
        lines = re.split(rb"\r\n|\n|\r", event)
        data = [line[5:].lstrip(b" ") if line.startswith(b"data:") else None for line in lines]
        data = [d for d in data if d is not None]
        if not data:
            continue
        if b"\n".join(data).strip() == b"[DONE]":
            break
        count += 1
    return count


# ---------------------------------------------------------------------------------------------- openai

class OpenAIPython:
    name = "openai-python"
    package = "openai"
    # Bodies: `strict` (`_strict_response_validation=True`: `validate_type`) and `default` (`construct_type`).
    # Transcripts: the same two clients iterating `Stream` (SSE decoder, one `ChatCompletionChunk` per event),
    # plus `accumulator`: the strict client's chunks folded by `ChatCompletionStreamState`, as the
    # `client.chat.completions.stream(...)` helper does (its `get_final_completion` runs `parse_chat_completion`,
    # which raises `LengthFinishReasonError` on `finish_reason: "length"`).
    modes = ("strict", "default")
    stream_modes = ("strict", "default", "accumulator")

    def __init__(self) -> None:
        import httpx2
        import openai
        from openai.lib.streaming.chat._completions import ChatCompletionStreamState

        self.httpx = httpx2
        self.openai = openai
        self.State = ChatCompletionStreamState
        self.body: bytes = b""
        self.content_type = "application/json"
        transport = httpx2.MockTransport(self._answer)
        self.clients = {
            mode: openai.OpenAI(
                api_key="offline",
                base_url="http://oracle.invalid/v1",
                max_retries=0,
                http_client=httpx2.Client(transport=transport),
                _strict_response_validation=(mode == "strict"),
            )
            for mode in ("strict", "default")
        }

    def _answer(self, request):
        if self.content_type == "text/event-stream":
            return self.httpx.Response(
                200, headers={"content-type": self.content_type}, stream=self.httpx.ByteStream(self.body)
            )
        return self.httpx.Response(200, headers={"content-type": self.content_type}, content=self.body)

    def run(self, mode: str, raw: bytes, stream: bool) -> tuple[str, str | None]:
        self.body = raw
        self.content_type = "text/event-stream" if stream else "application/json"
        client = self.clients["strict" if mode == "accumulator" else mode]
        request = dict(model="oracle", messages=[{"role": "user", "content": "hi"}])
        if not stream:
            try:
                client.chat.completions.create(**request)
            except Exception as err:  # the SDK's own error is the verdict
                return "rejected", describe(err)
            return "accepted", None
        chunks = []
        try:
            for chunk in client.chat.completions.create(stream=True, **request):
                chunks.append(chunk)
        except Exception as err:
            return "rejected", describe(err)
        if mode != "accumulator":
            return "accepted", None
        state = self.State()
        try:
            for chunk in chunks:
                list(state.handle_chunk(chunk))
            final = state.get_final_completion()
        except Exception as err:
            return "rejected", describe(err)
        lost = []
        if any(getattr(c, "usage", None) is not None for c in chunks) and final.usage is None:
            lost.append("usage: a chunk carried it, the final completion has none")
        ids = {}
        for c in chunks:
            for choice in getattr(c, "choices", None) or []:
                for call in getattr(getattr(choice, "delta", None), "tool_calls", None) or []:
                    if getattr(call, "id", None):
                        ids.setdefault(getattr(choice, "index", 0), set()).add(call.id)
        for choice in final.choices:
            seen = len(ids.get(choice.index, ()))
            have = len(choice.message.tool_calls or [])
            if seen > have:
                lost.append(f"choices[{choice.index}]: {seen} tool-call ids streamed, {have} tool calls assembled")
        if lost:
            return "loses", short("; ".join(lost))
        return "accepted", None


# ---------------------------------------------------------------------------------------------- atoma

class AtomaPython:
    name = "atoma-sdk-python"
    package = "atoma-sdk"
    modes = ("sdk",)

    def __init__(self) -> None:
        import httpx
        from atoma_sdk import AtomaSDK

        self.httpx = httpx
        self.body = b""
        self.content_type = "application/json"
        self.client = AtomaSDK(
            bearer_auth="offline",
            server_url="http://oracle.invalid",
            client=httpx.Client(transport=httpx.MockTransport(self._answer)),
        )

    def _answer(self, request):
        return self.httpx.Response(200, headers={"content-type": self.content_type}, content=self.body)

    def run(self, mode: str, raw: bytes, stream: bool) -> tuple[str, str | None]:
        self.body = raw
        self.content_type = "text/event-stream" if stream else "application/json"
        messages = [{"role": "user", "content": "hi"}]
        try:
            if not stream:
                self.client.chat.create(model="oracle", messages=messages)
                return "accepted", None
            got = 0
            for _ in self.client.chat.create_stream(model="oracle", messages=messages):
                got += 1
        except Exception as err:
            return "rejected", describe(err)
        expected = data_events(raw)
        if got < expected:
            return "loses", f"{got} of {expected} chunks delivered"
        return "accepted", None


SDKS = {cls.name: cls for cls in (OpenAIPython, AtomaPython)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdk", action="append", choices=sorted(SDKS), help="repeatable; default all")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    files = args.files or [line.strip() for line in sys.stdin if line.strip()]
    sdks = []
    for name in args.sdk or sorted(SDKS):
        cls = SDKS[name]
        sdks.append((cls(), importlib.metadata.version(cls.package)))
    out = sys.stdout
    for path in files:
        with open(path, "rb") as handle:
            raw = handle.read()
        stream = path.endswith(".sse")
        for sdk, version in sdks:
            for mode in getattr(sdk, "stream_modes", sdk.modes) if stream else sdk.modes:
                try:
                    outcome, error = sdk.run(mode, raw, stream)
                except Exception as err:  # never let one file stop the run
                    outcome, error = "rejected", "runner: " + describe(err)
                record = dict(file=path, sdk=sdk.name, version=version, mode=mode, outcome=outcome, error=error)
                out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
