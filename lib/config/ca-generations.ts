import { z } from "zod";

/** A CA generation's name: part of its resource names, so it never changes once deployed. */
const GENERATION = /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;

/**
 * The generations of one CA, oldest first. Every listed generation is trusted (its certificate is
 * in the bundle); which one signs depends on where the bundle goes (README, "CA rollover"): the
 * client CA signs with the newest (the server gets the bundle within minutes), the server CA with
 * the oldest (devices get it only when they re-fetch their profiles). At most three.
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
