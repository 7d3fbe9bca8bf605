/*
 * Written for chatcompat's tests in the older layout Speakeasy's TypeScript generator emitted (zod 3).
 * Not generated code.
 */

import * as z from "zod";

export type FunctionCall = {
  name: string;
  arguments: string;
};

/** @internal */
export const FunctionCall$inboundSchema: z.ZodType<
  FunctionCall,
  z.ZodTypeDef,
  unknown
> = z.object({
  name: z.string(),
  arguments: z.string(),
});
