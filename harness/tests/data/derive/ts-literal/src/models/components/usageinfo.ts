/*
 * Written for chatcompat's tests in the layout Speakeasy's TypeScript generator emits today. Not generated code.
 */

import * as z from "zod/v4";
import { remap as remap$ } from "../../lib/primitives.js";

export type UsageInfo = {
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
  totalTokens?: number | undefined;
  /**
   * Tokens written to a five-minute cache.
   */
  ephemeral5mInputTokens?: number | null | undefined;
  additionalProperties?: { [k: string]: any } | undefined;
};

/** @internal */
export const UsageInfo$inboundSchema: z.ZodType<UsageInfo, unknown> = z.object({
  prompt_tokens: z.int().default(0),
  completion_tokens: z.int().default(0),
  total_tokens: z.int().default(0),
  ephemeral_5m_input_tokens: z.nullable(z.int()).optional(),
}).catchall(z.any()).transform((v) => {
  return remap$(v, {
    "prompt_tokens": "promptTokens",
    "completion_tokens": "completionTokens",
    "total_tokens": "totalTokens",
    "ephemeral_5m_input_tokens": "ephemeral5mInputTokens",
  });
});
