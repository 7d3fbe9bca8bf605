/*
 * Written for chatcompat's tests in the layout Speakeasy's TypeScript generator emits today. Not generated code.
 */

import * as z from "zod/v4";

export type TextChunk = {
  type: "text";
  text: string;
};

/** @internal */
export const TextChunk$inboundSchema: z.ZodType<TextChunk, unknown> = z.object({
  type: z.literal("text"),
  text: z.string(),
});
