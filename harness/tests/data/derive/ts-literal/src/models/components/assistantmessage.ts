/*
 * Written for chatcompat's tests in the layout Speakeasy's TypeScript generator emits today. Not generated code.
 */

import * as z from "zod/v4";
import { remap as remap$ } from "../../lib/primitives.js";
import { smartUnion } from "../../types/smartUnion.js";
import { ContentChunk, ContentChunk$inboundSchema } from "./contentchunk.js";
import { ToolCall, ToolCall$inboundSchema } from "./toolcall.js";

export type AssistantMessageContent = string | Array<ContentChunk>;

export type AssistantMessage = {
  role?: "assistant" | undefined;
  content?: string | Array<ContentChunk> | null | undefined;
  toolCalls?: Array<ToolCall> | null | undefined;
  /**
   * Whether the message continues a prefix.
   */
  prefix?: boolean | undefined;
};

/** @internal */
export const AssistantMessageContent$inboundSchema: z.ZodType<
  AssistantMessageContent,
  unknown
> = smartUnion([z.string(), z.array(ContentChunk$inboundSchema)]);

/** @internal */
export const AssistantMessage$inboundSchema: z.ZodType<
  AssistantMessage,
  unknown
> = z.object({
  role: z.literal("assistant").default("assistant"),
  content: z.nullable(
    smartUnion([z.string(), z.array(ContentChunk$inboundSchema)]),
  ).optional(),
  tool_calls: z.nullable(z.array(ToolCall$inboundSchema)).optional(),
  prefix: z.boolean().default(false),
}).transform((v) => {
  return remap$(v, {
    "tool_calls": "toolCalls",
  });
});
