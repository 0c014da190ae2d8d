import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { noDeprecatedInputs } from "../rules/no-deprecated-inputs";
import { AWS_PACKAGE, TABLE_FILE, deprecatedInputs } from "../deprecations/generate";
import { resource, stack } from "./fixtures";

const ROLE = "aws:iam/role:Role";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const BUCKET = "aws:s3/bucket:Bucket";
const rule = noDeprecatedInputs();

describe("readiness rule no-deprecated-inputs", () => {
  const cases = [
    {
      name: "fails managedPolicyArns on a role",
      r: resource(ROLE, "a", { managedPolicyArns: ["x"] }),
      fails: /managedPolicyArns.*terraform-provider-aws/,
    },
    {
      name: "fails inlinePolicies on a role",
      r: resource(ROLE, "b", { inlinePolicies: [{ name: "p" }] }),
      fails: /inlinePolicies.*#39203/,
    },
    {
      name: "fails an empty lifecycle filter",
      r: resource(LIFECYCLE, "c", { rules: [{ id: "r", filter: {} }] }),
      fails: /empty lifecycle/,
    },
    {
      name: "fails an input the .d.ts marks @deprecated",
      r: resource(BUCKET, "d", { acl: "private" }),
      fails: /sets acl, which @pulumi\/aws@[\d.]+ deprecates: acl is deprecated/,
    },
    {
      name: "fails a nested input the .d.ts marks, inside an array",
      r: resource(LIFECYCLE, "e", {
        rules: [
          { id: "r", filter: { prefix: "" } },
          { id: "s", prefix: "logs/" },
        ],
      }),
      fails: /sets rules\.prefix/,
    },
    {
      name: "passes a role without them",
      r: resource(ROLE, "f", { assumeRolePolicy: "{}" }),
      fails: undefined,
    },
    {
      name: "passes a prefix filter",
      r: resource(LIFECYCLE, "g", { rules: [{ id: "r", filter: { prefix: "" } }] }),
      fails: undefined,
    },
    {
      name: "passes a bucket with only current inputs",
      r: resource(BUCKET, "h", { bucketPrefix: "x-", forceDestroy: false }),
      fails: undefined,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const findings = rule.check([stack([c.r])]);
      if (!c.fails) return assert.deepStrictEqual(findings, []);
      assert.strictEqual(findings.length, 1, JSON.stringify(findings));
      assert.match(findings[0].message, c.fails);
    });
});

describe("deprecated-input table (npm run deprecations)", function () {
  this.timeout(60_000);

  it("reads @deprecated from a resource's Args and from nested input types", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deprecations-"));
    fs.mkdirSync(path.join(dir, "types"));
    fs.mkdirSync(path.join(dir, "widget"));
    fs.writeFileSync(path.join(dir, "package.json"), '{"version":"0.0.1"}');
    fs.writeFileSync(
      path.join(dir, "types", "input.d.ts"),
      `export declare namespace widget {
        interface GizmoPart {
          /** @deprecated old_size is deprecated. Use size instead. */
          oldSize?: number;
          size?: number;
        }
      }`,
    );
    fs.writeFileSync(
      path.join(dir, "widget", "gizmo.d.ts"),
      `export interface GizmoArgs {
        /**
         * A colour.
         *
         * @deprecated colour is deprecated. Use paint instead.
         */
        colour?: string;
        parts?: pulumi.Input<pulumi.Input<inputs.widget.GizmoPart>[]>;
        paint?: string;
      }
      export interface GizmoState {
        /** @deprecated not an input */
        arn?: string;
      }`,
    );
    assert.deepStrictEqual(deprecatedInputs(["aws:widget/gizmo:Gizmo"], dir), {
      package: "@pulumi/aws@0.0.1",
      types: {
        "aws:widget/gizmo:Gizmo": {
          colour: "colour is deprecated. Use paint instead.",
          "parts.oldSize": "old_size is deprecated. Use size instead.",
        },
      },
    });
  });

  it("the committed table is what the installed @pulumi/aws says for its types", () => {
    const committed = JSON.parse(fs.readFileSync(TABLE_FILE, "utf8"));
    const types = Object.keys(committed.types);
    assert.ok(types.length > 0, "the table has types");
    const version = JSON.parse(
      fs.readFileSync(path.join(AWS_PACKAGE, "package.json"), "utf8"),
    ).version;
    assert.deepStrictEqual(deprecatedInputs(types), committed, "stale: run npm run deprecations");
    assert.strictEqual(committed.package, `@pulumi/aws@${version}`);
  });
});
