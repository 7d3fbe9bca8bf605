// Feeds fixture bodies (*.json) and stream transcripts (*.sse) to the Speakeasy TypeScript SDKs' own clients.
//
// Each client is the SDK's public client with its own `HTTPClient` and a fake `fetcher` that answers 200 with the
// file's bytes, so the SDK's own path runs from the HTTP response on: the response matchers (`M.json` / `M.sse`),
// the inbound zod schemas (`ChatCompletionResponse$inboundSchema` and the like, through `safeParse`), and the
// `EventStream` reader with the chunk schema. Nothing leaves the process: the fetcher never opens a socket.
// A transcript is handed over one event per read (as a server flushes them), so a reader that loses data when
// several events share a read is not blamed for the way the bytes were cut here.
//
//     node run.mjs [--sdk NAME ...] FILE...      (or file names on standard input, one a line)
//
// prints one JSON object per file and SDK: file, sdk, version, mode, outcome (accepted, rejected or loses),
// error (null when accepted).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const MAX_ERROR = 400;

function short(text) {
  const one = String(text).split(/\s+/).join(" ").trim();
  return one.length <= MAX_ERROR ? one : one.slice(0, MAX_ERROR - 1) + "…";
}

// Zod issues (path: message) when the SDK wraps a ZodError, else the error's own message. A union's issue
// shows its first member's issues (zod 3 `unionErrors`, zod 4 `errors`), which is where a body fails.
function issueText(issue, prefix = []) {
  const path = [...prefix, ...(issue.path ?? [])];
  const branches = issue.unionErrors?.map((e) => e.issues) ?? issue.errors;
  if (issue.code === "invalid_union" && Array.isArray(branches) && branches.length && branches[0].length) {
    return branches[0].map((i) => issueText(i, path)).join("; ");
  }
  return `${path.join(".") || "(root)"}: ${issue.message}`;
}

function describe(err) {
  const parts = [];
  let e = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const issues = e.issues;
    if (Array.isArray(issues) && issues.length) {
      parts.push(`${e.name ?? "ZodError"}: ` + issues.map((i) => issueText(i)).join("; "));
      break;
    }
    const message = String(e.message ?? e).split("\n")[0].replace(/: \[$/, "");
    parts.push(`${e.name ?? "Error"}: ${message}`);
    e = e.cause;
  }
  return short(parts.join(" <- "));
}

function splitEvents(bytes) {
  const text = Buffer.from(bytes);
  const out = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const a = text[i], b = text[i + 1], c = text[i + 2], d = text[i + 3];
    let len = 0;
    if (a === 13 && b === 10 && c === 13 && d === 10) len = 4;
    else if ((a === 10 && b === 10) || (a === 13 && b === 13)) len = 2;
    if (len) {
      out.push(text.subarray(start, i + len));
      start = i + len;
      i += len - 1;
    }
  }
  if (start < text.length) out.push(text.subarray(start));
  return out;
}

// How many events carry data other than [DONE], up to [DONE]: what a reader should hand over.
function dataEvents(bytes) {
  let count = 0;
  for (const event of splitEvents(bytes)) {
    const lines = event.toString("utf8").split(/\r\n|\n|\r/);
    const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, ""));
    if (!data.length) continue;
    if (data.join("\n").trim() === "[DONE]") break;
    count++;
  }
  return count;
}

function fakeFetcher(state) {
  return async () => {
    if (state.stream) {
      const events = splitEvents(state.body);
      const body = new ReadableStream({
        pull(controller) {
          const next = events.shift();
          if (next) controller.enqueue(new Uint8Array(next));
          else controller.close();
        },
      });
      return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
    }
    return new Response(state.body, { status: 200, headers: { "content-type": "application/json" } });
  };
}

const messages = [{ role: "user", content: "hi" }];

const SDKS = {
  "mistral-gcp-ts": {
    pkg: "@mistralai/mistralai-gcp",
    make(state) {
      const { MistralGoogleCloud } = require("@mistralai/mistralai-gcp");
      const { HTTPClient } = require("@mistralai/mistralai-gcp/lib/http.js");
      const client = new MistralGoogleCloud({
        apiKey: "offline",
        projectId: "offline",
        region: "oracle",
        httpClient: new HTTPClient({ fetcher: fakeFetcher(state) }),
      });
      return {
        complete: () => client.chat.complete({ model: "mistral-large-2407", messages }),
        stream: () => client.chat.stream({ model: "mistral-large-2407", messages }),
      };
    },
  },
  "openrouter-ts": {
    pkg: "@openrouter/sdk",
    async make(state) {
      const { OpenRouter } = await import("@openrouter/sdk");
      const { HTTPClient } = await import("@openrouter/sdk/lib/http.js");
      const client = new OpenRouter({
        apiKey: "offline",
        serverURL: "http://oracle.invalid/api/v1",
        httpClient: new HTTPClient({ fetcher: fakeFetcher(state) }),
      });
      return {
        complete: () => client.chat.send({ chatRequest: { model: "oracle", messages, stream: false } }),
        stream: () => client.chat.send({ chatRequest: { model: "oracle", messages, stream: true } }),
      };
    },
  },
  "atoma-sdk-ts": {
    pkg: "atoma-sdk",
    make(state) {
      // `AtomaSDK` (index.js) also loads the confidential-compute modules, which need the native `blake2`
      // addon; its `chat` getter is `new Chat(this._options)`, so the same client is built from `sdk/chat.js`.
      const { Chat } = require("atoma-sdk/sdk/chat.js");
      const { HTTPClient } = require("atoma-sdk/lib/http.js");
      const chat = new Chat({
        bearerAuth: "offline",
        serverURL: "http://oracle.invalid",
        httpClient: new HTTPClient({ fetcher: fakeFetcher(state) }),
      });
      return {
        complete: () => chat.create({ model: "oracle", messages }),
        stream: () => chat.createStream({ model: "oracle", messages, stream: true }),
      };
    },
  },
};

function version(pkg) {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")).version;
}

async function runOne(client, raw, stream) {
  try {
    if (!stream) {
      await client.complete();
      return ["accepted", null];
    }
    const events = await client.stream();
    let got = 0;
    for await (const _ of events) got++;
    const expected = dataEvents(raw);
    if (got < expected) return ["loses", `${got} of ${expected} chunks delivered`];
    return ["accepted", null];
  } catch (err) {
    return ["rejected", describe(err)];
  }
}

async function main() {
  const args = process.argv.slice(2);
  const chosen = [];
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--sdk") chosen.push(args[++i]);
    else files.push(args[i]);
  }
  if (!files.length) {
    files.push(...readFileSync(0, "utf8").split("\n").map((l) => l.trim()).filter(Boolean));
  }
  const names = chosen.length ? chosen : Object.keys(SDKS).sort();
  const sdks = [];
  for (const name of names) {
    const spec = SDKS[name];
    if (!spec) throw new Error(`unknown SDK ${name}; known: ${Object.keys(SDKS).join(", ")}`);
    const state = { body: new Uint8Array(), stream: false };
    sdks.push({ name, version: version(spec.pkg), state, client: await spec.make(state) });
  }
  const out = [];
  for (const file of files) {
    const raw = readFileSync(file);
    const stream = file.endsWith(".sse");
    for (const sdk of sdks) {
      sdk.state.body = raw;
      sdk.state.stream = stream;
      const [outcome, error] = await runOne(sdk.client, raw, stream);
      out.push(JSON.stringify({ file, sdk: sdk.name, version: sdk.version, mode: "sdk", outcome, error }));
    }
  }
  process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
}

main().catch((err) => {
  process.stderr.write(`oracles/run.mjs: ${err.stack ?? err}\n`);
  process.exit(2);
});
