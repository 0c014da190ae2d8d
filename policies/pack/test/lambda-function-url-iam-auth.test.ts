import { policy } from "../policies/lambda-function-url-iam-auth";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";

const url = planned("aws:lambda/functionUrl:FunctionUrl", "dev-mbe-proxy", {
  functionName: "dev-mbe-proxy",
  authorizationType: "AWS_IAM",
});
const invokeForMbe = planned("aws:lambda/permission:Permission", "dev-mbe-proxy-url", {
  function: "dev-mbe-proxy",
  action: "lambda:InvokeFunctionUrl",
  principal: "arn:aws:iam::136345661854:role/mbe-vercel",
  functionUrlAuthType: "AWS_IAM",
});

describe("lambda-function-url-iam-auth", () => {
  it("passes an AWS_IAM function URL and an IAM-authenticated invoke permission", async () => {
    assertClean(policy, [url, invokeForMbe]);
  });

  it("reports a public function URL", async () => {
    const open = edited(url, (r) => (r.inputs.authorizationType = "NONE"));
    assertOneViolation(policy, [open, invokeForMbe], open.urn, [
      /authorizationType NONE; expected "AWS_IAM"/,
    ]);
  });

  it("reports a permission that lets anyone invoke through a URL", async () => {
    const open = edited(invokeForMbe, (r) =>
      Object.assign(r.inputs, { principal: "*", functionUrlAuthType: "NONE" }),
    );
    assertOneViolation(policy, [url, open], open.urn, [
      /grants lambda:InvokeFunctionUrl to \* with functionUrlAuthType "NONE"/,
    ]);
  });
});
