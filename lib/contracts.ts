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
export type Exports<C extends Contract<any>> = {
  [K in keyof Outputs<C>]: DeepInput<Outputs<C>[K]>;
};
/** A value whose every level may be an Output, as a stack's exports are resolved deeply. */
type DeepInput<T> = T extends readonly (infer U)[]
  ? pulumi.Input<DeepInput<U>[]>
  : T extends object
    ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
    : pulumi.Input<T>;

function contract<S extends z.ZodRawShape>(project: string, shape: S): Contract<S> {
  return { project, shape };
}

const arn = z
  .string()
  .regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/, { message: "expected an ARN" });
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
  /** One row per budget the org stack creates: what finance reads and the cost model compares with. */
  budgets: z.array(
    z.object({
      name: z.string().min(1),
      scope: z.enum(["organization", "account"]),
      accountName: z.string(),
      accountId: accountIdOut,
      limit: z.number().positive(),
      currency: z.string().min(1),
      thresholds: z.array(
        z.object({ percent: z.number().positive(), type: z.enum(["actual", "forecasted"]) }),
      ),
      subscribers: z.array(z.string()),
      freezes: z.boolean(),
      freezeAtPercent: z.number().positive().nullable(),
    }),
  ),
  /** Who may do what: each group's permission set in each account (IAM Identity Center). */
  access: z.array(
    z.object({
      group: z.string(),
      permissionSet: z.string(),
      /** The platform:accounts key, or `management`. */
      account: z.string(),
      accountName: z.string(),
      accountId: accountIdOut,
    }),
  ),
});

/** One row of the org stack's `budgets` output. */
export type BudgetSummary = Outputs<typeof orgContract>["budgets"][number];

const cidrOut = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { message: "expected an IPv4 CIDR block" });
const pem = (label: string) =>
  z.string().includes(`-----BEGIN ${label}-----`, { message: `expected a PEM ${label}` });

export const networkContract = contract("network", {
  vpcId: z.string().min(1),
  vpcCidr: cidrOut,
  publicSubnetIds: z.array(z.string()).min(1),
  privateSubnetIds: z.array(z.string()).min(1),
  availabilityZones: z.array(z.string()).min(1),
  /** Security group ids by the role of their members. */
  securityGroupIds: z.object({
    vpnServer: z.string().min(1),
    openemsBackend: z.string().min(1),
    mbeProxy: z.string().min(1),
  }),
  /** What devices and the edge stack need to know about the VPN. */
  vpn: z.object({
    /** Public address devices connect to (a kept Elastic IP). */
    host: z.string().min(1),
    port: z.number().int(),
    clientCidr: cidrOut,
    /** Admin pool: admin profiles' tunnel addresses. */
    adminCidr: cidrOut,
    /** Static device addresses, as security groups see them. */
    deviceCidrs: z.array(cidrOut).min(1),
    serverCommonName: z.string().min(1),
    /**
     * The server CA's certificates, every trusted generation, newest first: what devices verify
     * the server by. Never a private key: no output of any stack carries signing material.
     */
    serverCaPem: pem("CERTIFICATE"),
    /** Where the edge stack writes one ccd entry per device: s3://<bucket>/<prefix>/<cn>. */
    ccdBucket: z.string().min(1),
    ccdPrefix: z.string(),
  }),
  /** The VPC's flow log group. */
  flowLogGroup: z.string().min(1),
});

export const workloadsContract = contract("workloads", {
  kmsKeyArn: arn,
  /** The OpenEMS backend host. */
  backend: z.object({
    instanceId: z.string().min(1),
    /** The address of its own network interface, which outlives any one instance. */
    privateIp: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, { message: "expected an IPv4 address" }),
    networkInterfaceId: z.string().startsWith("eni-"),
  }),
  /**
   * What devices put in their OpenEMS Edge backend settings; reachable only through the VPN. The
   * address is the backend's protected network interface, so replacing the instance keeps it.
   */
  edgeWebsocketUrl: z.string().startsWith("ws://"),
  /** The MBE proxy's IAM-authenticated Function URL and the role MBE assumes to call it. */
  mbeProxyUrl: z.string().startsWith("https://"),
  mbeRoleArn: arn,
  /** HTTPS names of the UI and Odoo when the environment has the admin load balancer. */
  https: z.object({ ui: z.string(), odoo: z.string() }).nullable(),
  /** The environment's alarm topic (host alarms; the edge stack's fleet alarms use it too). */
  alarmTopicArn: arn,
});

export const edgeContract = contract("edge", {
  kmsKeyArn: arn,
  deviceCount: z.number().int().min(0),
  /** Every device, its tunnel address and where its bundle lives (never the secret itself). */
  devices: z.array(
    z.object({
      id: z.string(),
      site: z.string(),
      address: z.string(),
      pinned: z.boolean(),
      profileParameter: z.string(),
      settingsParameter: z.string(),
    }),
  ),
});

/** `<org>/<project>/<stack>`, the only place stack reference names are built. */
export function stackRefName(
  pulumiOrg: string,
  project: string,
  stack: string,
  override?: string,
): string {
  return override ?? `${pulumiOrg}/${project}/${stack}`;
}

function missing(key: string, stackName: string): string {
  return `output "${key}" is missing (has \`pulumi up\` run for ${stackName}?)`;
}

function problemsOf(key: string, schema: z.ZodType, value: unknown, stackName: string) {
  if (value === undefined) return { problems: [missing(key, stackName)] };
  const r = schema.safeParse(value);
  if (r.success) return { value: r.data, problems: [] };
  return {
    problems: r.error.issues.map(
      (issue) => `output "${[key, ...issue.path.map(String)].join(".")}": ${issue.message}`,
    ),
  };
}

function upstreamError(c: Contract<any>, stackName: string, problems: string[]): Error {
  return new Error(
    `Upstream stack ${stackName} does not provide what ${c.project} consumers need:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
  );
}

/** Checks a stack's outputs against its contract; the error names the stack and each bad key. */
export function checkOutputs<C extends Contract<any>>(
  c: C,
  stackName: string,
  outputs: Record<string, unknown>,
): Outputs<C> {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(c.shape as z.ZodRawShape)) {
    const value = key in outputs ? outputs[key] : undefined;
    const r = problemsOf(key, schema as z.ZodType, value, stackName);
    if (r.problems.length) problems.push(...r.problems);
    else parsed[key] = r.value;
  }
  if (problems.length) throw upstreamError(c, stackName, problems);
  return parsed as Outputs<C>;
}

/**
 * An upstream stack as its consumers see it: one Output per contract key. Each is read by name
 * (`StackReference.getOutput`), so it is secret only if the upstream stack exported that key as a
 * secret; `ref.outputs` as a whole is secret as soon as any one output is, and would make every
 * upstream value secret in the consumer's state.
 */
export type Upstream<C extends Contract<any>> = {
  readonly [K in keyof Outputs<C>]-?: pulumi.Output<Outputs<C>[K]>;
};

/** Reads an upstream stack through a StackReference, each output by name, checked against its contract. */
export function readUpstream<C extends Contract<any>>(
  c: C,
  stackName: string,
  opts?: pulumi.CustomResourceOptions,
): Upstream<C> {
  const ref = new pulumi.StackReference(stackName, { name: stackName }, opts);
  const result: Record<string, pulumi.Output<unknown>> = {};
  for (const [key, schema] of Object.entries(c.shape as z.ZodRawShape)) {
    // getOutput keeps the secret bit of this output only (pulumi/stackReference.ts).
    result[key] = ref.getOutput(key).apply((value: unknown) => {
      const r = problemsOf(key, schema as z.ZodType, value, stackName);
      if (r.problems.length) throw upstreamError(c, stackName, r.problems);
      return r.value;
    });
  }
  return result as Upstream<C>;
}
