import * as assert from "assert";
import { validateAdopt, retainedOptions } from "../retained";

const ARN = "arn:aws:secretsmanager:us-east-1:222222222222:secret:openems/dev/backend-host-AbC123";

describe("config validateAdopt (platform:adopt of an environment file)", () => {
  it("accepts the environment's retained names and an ARN of the named secret in its region", () => {
    const { value, problems } = validateAdopt("dev", "us-east-1", {
      logGroups: ["/openems/dev-flow-logs", "/aws/lambda/openems-dev-mbe-proxy"],
      secrets: { "openems/dev/backend-host": ARN },
    });
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(retainedOptions(value!, "secrets", "openems/dev/backend-host"), {
      retainOnDelete: true,
      import: ARN,
    });
    assert.deepStrictEqual(retainedOptions(value!, "logGroups", "/openems/dev/backend"), {
      retainOnDelete: true,
    });
  });

  it("defaults to adopting nothing", () => {
    assert.deepStrictEqual(validateAdopt("dev", "us-east-1", undefined), {
      value: { logGroups: [], secrets: {} },
      problems: [],
    });
  });

  it("refuses an ARN without the six-character suffix and a log group of another environment", () => {
    const { problems } = validateAdopt("stage", "us-east-1", {
      logGroups: ["/openems/dev/backend"],
      secrets: {
        "openems/stage/backend-host":
          "arn:aws:secretsmanager:us-east-1:222222222222:secret:openems/stage/backend-host",
      },
    });
    assert.strictEqual(problems.length, 2);
    assert.match(
      problems[0],
      /^platform:adopt\.logGroups\[0\]: got "\/openems\/dev\/backend"; expected a log group the stack keeps: \/openems\/stage-flow-logs/,
    );
    assert.match(
      problems[1],
      /^platform:adopt\.secrets\.openems\/stage\/backend-host: got "arn:.*"; expected the secret's ARN/,
    );
  });
});
