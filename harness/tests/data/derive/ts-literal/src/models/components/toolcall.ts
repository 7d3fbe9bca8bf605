/*
 * Written for chatcompat's tests in the older layout Speakeasy's TypeScript generator emitted
 * (zod 3: `z.ZodTypeDef`, `z.number().int()`), which SDKs generated before zod v4 still ship.
 * Not generated code.
 */

import * as z from "zod";
import { FunctionCall, FunctionCall$inboundSchema } from "./functioncall.js";

export type ToolCall = {
  id?: string | undefined;
  type?: "function" | undefined;
  function: FunctionCall;
  index?: number | undefined;
};

/** @internal */
export const ToolCall$inboundSchema: z.ZodType<
  ToolCall,
  z.ZodTypeDef,
  unknown
> = z.object({
  id: z.string().default("null"),
  type: z.literal("function").optional(),
  function: FunctionCall$inboundSchema,
  index: z.number().int().default(0),
});
