/*
 * Written for chatcompat's tests in the layout Speakeasy's TypeScript generator emits today. Not generated code.
 */

import * as z from "zod/v4";
import { remap as remap$ } from "../../lib/primitives.js";
import * as openEnums from "../../types/enums.js";
import { OpenEnum } from "../../types/enums.js";
import {
  AssistantMessage,
  AssistantMessage$inboundSchema,
} from "./assistantmessage.js";

export const FinishReason = {
  Stop: "stop",
  Length: "length",
  ToolCalls: "tool_calls",
} as const;
export type FinishReason = OpenEnum<typeof FinishReason>;

export type ChatCompletionChoice = {
  index: number;
  message: AssistantMessage;
  finishReason: FinishReason | null;
};

/** @internal */
export const FinishReason$inboundSchema: z.ZodType<FinishReason, unknown> =
  openEnums.inboundSchema(FinishReason);

/** @internal */
export const ChatCompletionChoice$inboundSchema: z.ZodType<
  ChatCompletionChoice,
  unknown
> = z.object({
  index: z.int(),
  message: AssistantMessage$inboundSchema,
  finish_reason: z.nullable(FinishReason$inboundSchema),
}).transform((v) => {
  return remap$(v, {
    "finish_reason": "finishReason",
  });
});
