import * as assert from "assert";
import { retainedFixedNameAdoptable as rule } from "../rules/retained-fixed-name-adoptable";
import { resource, stack } from "./fixtures";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const SECRET = "aws:secretsmanager/secret:Secret";
const kept = { retainOnDelete: true };

describe("readiness rule retained-fixed-name-adoptable", () => {
  it("fails retained fixed-name log groups and secrets that platform:adopt cannot import", () => {
    const plan = stack(
      [
        resource(LOG_GROUP, "stray", { name: "/openems/dev/stray" }, kept),
        resource(SECRET, "stray", { name: "openems/dev/stray" }, kept),
      ],
      "workloads",
      "dev",
    );
    const findings = rule.check([plan]);
    assert.deepStrictEqual(
      findings.map((f) => f.urn.split("::").slice(-2).join(" ")),
      [`${LOG_GROUP} stray`, `${SECRET} stray`],
    );
    assert.match(findings[0].message, /ResourceAlreadyExistsException/);
    assert.match(findings[1].message, /recovery window/);
    assert.match(findings[1].fix, /RETAINED_NAMES\.secrets/);
  });

  it("fails another environment's name: the list is per environment", () => {
    const plan = stack(
      [resource(LOG_GROUP, "b", { name: "/openems/prod/backend" }, kept)],
      "workloads",
      "dev",
    );
    assert.strictEqual(rule.check([plan]).length, 1);
  });

  it("passes adoptable names, imported ones, auto-named ones and ones not retained", () => {
    const plan = stack(
      [
        resource(LOG_GROUP, "b", { name: "/openems/dev/backend" }, kept),
        resource(SECRET, "h", { name: "openems/dev/backend-host" }, kept),
        resource(SECRET, "i", { name: "x" }, { ...kept, import: "arn:x" }),
        resource(LOG_GROUP, "p", { namePrefix: "/x/" }, kept),
        resource(LOG_GROUP, "n", { name: "/x/y" }),
      ],
      "workloads",
      "dev",
    );
    assert.deepStrictEqual(rule.check([plan]), []);
  });
});
