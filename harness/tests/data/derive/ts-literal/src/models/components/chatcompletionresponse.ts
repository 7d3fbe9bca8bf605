/*
 * Written for chatcompat's tests in the layout Speakeasy's TypeScript generator emits today
 * (zod v4 inbound schemas, remap$ for renamed keys). Not generated code.
 */

import * as z from "zod/v4";
import { remap as remap$ } from "../../lib/primitives.js";
import {
  ChatCompletionChoice,
  ChatCompletionChoice$inboundSchema,
} from "./chatcompletionchoice.js";
import { UsageInfo, UsageInfo$inboundSchema } from "./usageinfo.js";

export type ChatCompletionResponse = {
  id: string;
  object: "chat.completion";
  model: string;
  usage: UsageInfo;
  created: number;
  choices: Array<ChatCompletionChoice>;
  metadata?: { [k: string]: string } | undefined;
};

/** @internal */
export const ChatCompletionResponse$inboundSchema: z.ZodType<
  ChatCompletionResponse,
  unknown
> = z.object({
  id: z.string(),
  object: z.literal("chat.completion"),
  model: z.string(),
  usage: UsageInfo$inboundSchema,
  created: z.int(),
  choices: z.array(ChatCompletionChoice$inboundSchema),
  _metadata: z.record(z.string(), z.string()).optional(),
}).transform((v) => {
  return remap$(v, {
    "_metadata": "metadata",
  });
});
