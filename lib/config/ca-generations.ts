import { z } from "zod";

/** A CA generation's name: part of its resource names, so it never changes once deployed. */
const GENERATION = /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;

/**
 * The generations of one CA, oldest first; the last one signs. Every listed generation is trusted
 * (its certificate is in the bundle), so a rollover adds a generation, waits for the bundle to
 * reach every peer, and only then removes the old one (README, "CA rollover"). At most three:
 * the one being retired, the current one and the next.
 */
export const caGenerations = z
  .array(
    z.string().regex(GENERATION, {
      message:
        "expected 1-16 characters of a-z, 0-9 and '-', starting and ending with a letter or digit",
    }),
  )
  .min(1, { message: "expected at least one CA generation (the last one signs)" })
  .max(3, { message: "expected at most three CA generations (retiring, current, next)" })
  .default(["1"])
  .superRefine((names, ctx) => {
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [i],
          message: `got "${name}" twice; expected each CA generation once`,
        });
    });
  });
