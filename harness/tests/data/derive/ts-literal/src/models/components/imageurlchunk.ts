/*
 * Written for chatcompat's tests in the layout Speakeasy's TypeScript generator emits today. Not generated code.
 */

import * as z from "zod/v4";
import { remap as remap$ } from "../../lib/primitives.js";

export type ImageURLChunk = {
  type: "image_url";
  imageUrl: string;
};

/** @internal */
export const ImageURLChunk$inboundSchema: z.ZodType<ImageURLChunk, unknown> = z
  .object({
    type: z.literal("image_url"),
    image_url: z.string(),
  }).transform((v) => {
    return remap$(v, {
      "image_url": "imageUrl",
    });
  });
