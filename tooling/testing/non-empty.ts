import * as assert from "assert";

/**
 * The list a test is about to check item by item, after asserting it holds something: a loop over
 * an empty list passes without checking anything.
 */
export function nonEmpty<T>(items: Iterable<T>, what: string): T[] {
  const list = [...items];
  assert.ok(list.length > 0, `expected at least one ${what}, found none`);
  return list;
}
