import * as pulumi from "@pulumi/pulumi";

type Values<T extends readonly pulumi.Input<unknown>[]> = {
  [K in keyof T]: pulumi.Unwrap<T[K]>;
};

/**
 * `pulumi.all(inputs).apply(f)` for code that runs once per device. `pulumi.all` first copies every
 * Output it is given (`output()` of an Output builds a new Output and an apply on it,
 * @pulumi/pulumi output.js outputRec), so combining four Outputs builds nine Outputs before the
 * apply; at a thousand devices they are most of the plan's memory. This chains one apply per
 * Output instead, each built when the one before it settles. The result is the same: its value is
 * `f` of the values, it is secret when any input is, unknown when any is, and it depends on every
 * input's resources (an inner Output's resources are lifted into the result's, output.js
 * liftInnerOutput).
 */
export function combine<T extends readonly pulumi.Input<unknown>[], R>(
  inputs: readonly [...T],
  f: (...values: Values<T>) => R,
): pulumi.Output<pulumi.Unwrap<R>> {
  const step = (i: number, values: unknown[]): pulumi.Output<unknown> | R => {
    if (i === inputs.length) return f(...(values as Values<T>));
    const input = inputs[i];
    return pulumi.Output.isInstance(input)
      ? input.apply((v) => step(i + 1, [...values, v]))
      : step(i + 1, [...values, input]);
  };
  const result = step(0, []);
  return (pulumi.Output.isInstance(result) ? result : pulumi.output(result)) as pulumi.Output<
    pulumi.Unwrap<R>
  >;
}
