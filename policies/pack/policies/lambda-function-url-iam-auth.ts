import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { read, show, UNKNOWN } from "../lib/values";

export const appliesTo = [
  "aws:lambda/functionUrl:FunctionUrl",
  "aws:lambda/permission:Permission",
] as const;

/**
 * The same two rules as the lambda-url-iam-auth SCP, checked before deploy: the MBE proxy's URL is
 * signed with SigV4 by MBE's role, and a public URL would forward JSON-RPC from anyone.
 */
export const policy: ResourceValidationPolicy = {
  name: "lambda-function-url-iam-auth",
  description:
    "Checks that every Lambda function URL uses AWS_IAM authorization and that no permission grants public " +
    "(NONE) URL invocation.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: [
    validateResourceOfType(aws.lambda.FunctionUrl, (url, _args, report) => {
      const auth = read(() => url.authorizationType);
      if (auth !== "AWS_IAM" && auth !== UNKNOWN) {
        report(
          `function URL has authorizationType ${show(auth)}; expected "AWS_IAM" (callers sign with SigV4).`,
        );
      }
    }),
    validateResourceOfType(aws.lambda.Permission, (permission, _args, report) => {
      if (read(() => permission.functionUrlAuthType) === "NONE") {
        const action = show(read(() => permission.action));
        const principal = show(read(() => permission.principal));
        report(
          `permission grants ${action} to ${principal} with functionUrlAuthType "NONE"; ` +
            "function URLs must require AWS_IAM.",
        );
      }
    }),
  ],
};
