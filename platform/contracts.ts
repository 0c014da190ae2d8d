import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ENVIRONMENTS } from "./repo";

/**
 * Every output that crosses a stack boundary is declared here once. Producers type their exports
 * with {@link Exports}; consumers read them through {@link readUpstream}, which checks the shape and
 * names the upstream stack and key when something is missing or malformed.
 */
export interface Contract<S extends z.ZodRawShape> {
  readonly project: string;
  readonly shape: S;
}
export type Outputs<C extends Contract<any>> = z.output<z.ZodObject<C["shape"]>>;
/** What a producing program returns: each declared output as a Pulumi input. */
export type Exports<C extends Contract<any>> = { [K in keyof Outputs<C>]: pulumi.Input<Outputs<C>[K]> };

function contract<S extends z.ZodRawShape>(project: string, shape: S): Contract<S> {
  return { project, shape };
}

const arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/, { message: "expected an ARN" });
const accountIdOut = z.string().regex(/^\d{12}$/, { message: "expected a 12-digit account id" });
const envName = z.enum(ENVIRONMENTS);

export const orgContract = contract("org", {
  /** Per environment: the member account and the role its stacks assume to deploy. */
  environments: z.record(
    envName,
    z.object({ accountId: accountIdOut, accountName: z.string(), deployRoleArn: arn }),
  ),
  /** Values of the cost allocation tags (keys in tags.ts) every provider applies. */
  tags: z.object({ project: z.string(), owner: z.string(), costCenter: z.string() }),
  allowedRegions: z.array(z.string()).min(1),
  organizationId: z.string(),
});

export const networkContract = contract("network", {
  vpcId: z.string().min(1),
  vpcCidr: z.string(),
  publicSubnetIds: z.array(z.string()).min(1),
  privateSubnetIds: z.array(z.string()).min(1),
  availabilityZones: z.array(z.string()).min(1),
});

export const workloadsContract = contract("workloads", {
  kmsKeyArn: arn,
});

export const edgeContract = contract("edge", {
  kmsKeyArn: arn,
  deviceCount: z.number().int().min(0),
});

/** `<org>/<project>/<stack>`, the only place stack reference names are built. */
export function stackRefName(pulumiOrg: string, project: string, stack: string, override?: string): string {
  return override ?? `${pulumiOrg}/${project}/${stack}`;
}

/** Checks a stack's outputs against its contract; the error names the stack and each bad key. */
export function checkOutputs<C extends Contract<any>>(c: C, stackName: string, outputs: Record<string, unknown>): Outputs<C> {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(c.shape as z.ZodRawShape)) {
    if (!(key in outputs) || outputs[key] === undefined) {
      problems.push(`output "${key}" is missing (has \`pulumi up\` run for ${stackName}?)`);
      continue;
    }
    const r = (schema as z.ZodType).safeParse(outputs[key]);
    if (r.success) parsed[key] = r.data;
    else {
      for (const issue of r.error.issues) {
        const at = [key, ...issue.path.map(String)].join(".");
        problems.push(`output "${at}": ${issue.message}`);
      }
    }
  }
  if (problems.length) {
    throw new Error(`Upstream stack ${stackName} does not provide what ${c.project} consumers need:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return parsed as Outputs<C>;
}

/** Reads a whole upstream stack through a StackReference, checked against its contract. */
export function readUpstream<C extends Contract<any>>(c: C, stackName: string, opts?: pulumi.CustomResourceOptions): pulumi.Output<Outputs<C>> {
  const ref = new pulumi.StackReference(stackName, { name: stackName }, opts);
  return ref.outputs.apply((o) => checkOutputs(c, stackName, o));
}
