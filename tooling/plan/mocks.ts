import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { parseCidr, intToIp, Cidr } from "../../lib/net/ipv4";
import type { PlannedResource } from "../stack-plan";
import { hasAssets, plainAssets } from "./assets";
import zoneOfferingsFile from "./zone-offerings.json";

export type { PlannedResource };

/** The organization `aws.organizations.getOrganization` answers with (adoption plans and tests). */
export interface OrganizationFixture {
  readonly id: string;
  readonly featureSet?: string;
  /** Default: the account of the calling provider (the management account). */
  readonly masterAccountId?: string;
  readonly rootId?: string;
  readonly awsServiceAccessPrincipals: readonly string[];
  readonly enabledPolicyTypes: readonly string[];
  readonly accounts: readonly { id: string; name: string; status?: string }[];
  /** Existing OUs by parent id (the root's id or an OU's); default: each adopted OU where config puts it. */
  readonly ous?: Readonly<Record<string, readonly string[]>>;
}

/** A region's zones (one account's name mapping) and, by instance family, the zone IDs offering it. */
export interface RegionZones {
  readonly zones: readonly { readonly name: string; readonly zoneId: string }[];
  readonly families: Readonly<Record<string, readonly string[]>>;
}

/** The shipped zone facts (tooling/plan/zone-offerings.json, a fixture whose header cites its sources). */
export const ZONE_OFFERINGS: Readonly<Record<string, RegionZones>> = zoneOfferingsFile.regions;

export interface MockOptions {
  /** Planned outputs of upstream stacks, by fully qualified stack name. */
  readonly stackOutputs?: ReadonlyMap<string, Record<string, unknown>>;
  /** Which of those outputs each upstream stack exported as secrets (StackReference.secretOutputNames). */
  readonly stackSecretOutputs?: ReadonlyMap<string, readonly string[]>;
  /** Account the default (ambient) credentials point at: the management account. */
  readonly defaultAccountId?: string;
  readonly defaultRegion?: string;
  /**
   * The existing organization lookups answer with. Default: one consistent with the stack's
   * platform:adopt config (its organization id and adopted accounts), already using Identity
   * Center and SCPs, which is what an organization worth adopting typically runs.
   */
  readonly organization?: OrganizationFixture;
  /** Zones and instance-type offerings by region; default {@link ZONE_OFFERINGS}. */
  readonly zones?: Readonly<Record<string, RegionZones>>;
}

interface ProviderFacts {
  accountId: string;
  region: string;
}

function hex(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++)
    out += crypto.createHash("sha256").update(`${seed}#${i}`).digest("hex");
  return out.slice(0, length);
}
/** A UUID-shaped id (KMS key ids, ACM certificate ids). */
function uuid(seed: string): string {
  return [8, 4, 4, 4, 12].map((n, i) => hex(seed + i, n)).join("-");
}
function digits(seed: string, length: number): string {
  return BigInt(`0x${hex(seed, 24)}`)
    .toString()
    .padStart(length, "7")
    .slice(-length)
    .replace(/^0/, "1");
}

/** Provider inputs of object type reach the mocks JSON-encoded; resource inputs do not. */
function providerInput(v: unknown): any {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

type DeployOptions = Pick<
  PlannedResource,
  | "dependencies"
  | "deleteBeforeReplace"
  | "replaceOnChanges"
  | "ignoreChanges"
  | "import"
  | "additionalSecretOutputs"
>;

/**
 * Options that change how the engine deploys a resource, read from the raw registration request
 * (resource.proto's RegisterResourceRequest). `dependencies` is the union of the explicit
 * `dependsOn` (the SDK has already expanded a component to its children) and the resources the
 * inputs came from (`propertyDependencies`), as the engine orders them.
 */
function deployOptions(req: any): DeployOptions {
  const dependencies = new Set<string>(req.getDependenciesList());
  req.getPropertydependenciesMap().forEach((deps: any) => {
    for (const urn of deps.getUrnsList()) dependencies.add(urn);
  });
  return {
    dependencies: [...dependencies].sort(),
    deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
    replaceOnChanges: req.getReplaceonchangesList(),
    ignoreChanges: req.getIgnorechangesList(),
    import: req.getImportid() || null,
    // The SDK's own list for the type (tls.PrivateKey's privateKeyPem, random's result, ...)
    // plus the program's; the plan redacts those state properties.
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
  };
}

/** The moment certificates are issued in a plan: fixed, so two plans of the same code are equal. */
export const PLAN_CLOCK_MS = Date.UTC(2026, 0, 1);

const PLANNED_SUBNETS = new Map<string, { cidr: Cidr; az: string }>();

/** A stable private address for a resource inside its subnet (the 11th address onwards). */
function addressIn(subnet: { cidr: Cidr }, seed: string): string {
  const usable = subnet.cidr.last - subnet.cidr.first + 1 - 20;
  return intToIp(subnet.cidr.first + 10 + (parseInt(hex(seed, 8), 16) % usable));
}

/**
 * Mocks that answer like a plausible AWS: ids and ARNs in the account and region of the resource's
 * provider, private addresses inside the subnet's block, public addresses for Elastic IPs, and an
 * answer for every data-source call the programs make. Anything else fails loudly with its token,
 * so a new data source cannot slip into the plan with a made-up answer.
 */
export class PlatformMocks implements pulumi.runtime.Mocks {
  readonly resources: PlannedResource[] = [];
  private readonly providers = new Map<string, ProviderFacts>();
  /**
   * Subnets of every VPC planned in this process, shared by all stacks: the workloads stack places
   * instances in subnets the network stack's plan created (ids are deterministic hashes).
   */
  private readonly subnets = PLANNED_SUBNETS;
  private readonly interfaces = new Map<string, { privateIp: string; subnetId: string }>();
  private pendingMeta:
    | ({ parent: string; protect: boolean; retainOnDelete: boolean; urn: string } & DeployOptions)
    | undefined;
  private readonly defaultFacts: ProviderFacts;

  constructor(private readonly opts: MockOptions = {}) {
    this.defaultFacts = {
      accountId: opts.defaultAccountId ?? "111111111111",
      region: opts.defaultRegion ?? "us-east-1",
    };
  }

  /**
   * The mocks interface does not pass parent, protect or retainOnDelete; they are read from the raw
   * registration request, which the monitor hands to `newResource` synchronously.
   */
  attach(): void {
    const monitor: any =
      (pulumi.runtime as any).getMonitor?.() ??
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- fallback for SDKs whose runtime index does not re-export getMonitor
      require("@pulumi/pulumi/runtime/settings").getMonitor();
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
      this.pendingMeta = {
        parent: req.getParent() || "",
        protect: Boolean(req.getProtect()),
        retainOnDelete: Boolean(req.getRetainondelete()),
        urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
        ...deployOptions(req),
      };
      try {
        return original(req, callback);
      } finally {
        this.pendingMeta = undefined;
      }
    };
  }

  private facts(provider: string | undefined): ProviderFacts {
    if (!provider) return this.defaultFacts;
    const urn = provider.split("::").slice(0, -1).join("::");
    return this.providers.get(urn) ?? this.defaultFacts;
  }

  async newResource(
    args: pulumi.runtime.MockResourceArgs,
  ): Promise<{ id: string | undefined; state: Record<string, any> }> {
    const meta = this.pendingMeta;
    const answered = this.answer(args);
    // An imported resource keeps the id it has in AWS.
    const imported = meta?.import || undefined;
    const { id, state } = imported ? { id: imported, state: answered.state } : answered;
    const record: PlannedResource = {
      urn:
        meta?.urn ??
        `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${args.type}::${args.name}`,
      type: args.type,
      name: args.name,
      id: id ?? null,
      parent: meta?.parent || null,
      protect: meta?.protect ?? false,
      retainOnDelete: meta?.retainOnDelete ?? false,
      provider: args.provider ? args.provider.split("::").slice(0, -1).join("::") : null,
      dependencies: meta?.dependencies ?? [],
      deleteBeforeReplace: meta?.deleteBeforeReplace ?? false,
      replaceOnChanges: meta?.replaceOnChanges ?? [],
      ignoreChanges: meta?.ignoreChanges ?? [],
      import: meta?.import ?? null,
      additionalSecretOutputs: meta?.additionalSecretOutputs ?? [],
      custom: args.custom ?? true,
      inputs: args.inputs,
      state,
    };
    this.resources.push(record);
    if (args.type === "pulumi:providers:aws" && meta) {
      const roles = providerInput(args.inputs.assumeRoles) as { roleArn?: string }[] | undefined;
      const allowed = providerInput(args.inputs.allowedAccountIds) as string[] | undefined;
      const fromRole = roles?.[0]?.roleArn?.split(":")[4];
      this.providers.set(meta.urn, {
        accountId: allowed?.[0] ?? fromRole ?? this.defaultFacts.accountId,
        region: args.inputs.region ?? this.defaultFacts.region,
      });
    }
    // Show the code that deploys: asset contents instead of the runtime's promise-backed objects.
    if (hasAssets(args.inputs)) record.inputs = (await plainAssets(args.inputs)) as any;
    return { id, state };
  }

  private answer(args: pulumi.runtime.MockResourceArgs): {
    id: string | undefined;
    state: Record<string, any>;
  } {
    const seed = `${pulumi.getStack()}/${pulumi.getProject()}/${args.type}/${args.name}`;
    const { accountId, region } = this.facts(args.provider);
    const inputs = args.inputs;
    const arn = (
      service: string,
      resource: string,
      opts: { global?: boolean; noAccount?: boolean } = {},
    ) =>
      `arn:aws:${service}:${opts.global ? "" : region}:${opts.noAccount ? "" : accountId}:${resource}`;
    const physical = (prefix?: string) => inputs.name ?? `${prefix ?? args.name}-${hex(seed, 7)}`;

    switch (args.type) {
      case "pulumi:pulumi:StackReference": {
        const outputs = this.opts.stackOutputs?.get(inputs.name);
        if (!outputs)
          throw new Error(
            `no planned outputs for upstream stack ${inputs.name}: plan it first (order: org, network, workloads, edge)`,
          );
        // The engine answers a reference with the upstream outputs and the names of the secret ones;
        // getOutput marks exactly those secret.
        const secretOutputNames = [...(this.opts.stackSecretOutputs?.get(inputs.name) ?? [])];
        // getOutput marks exactly those secret, and `outputs` as a whole is secret once any is.
        return {
          id: inputs.name,
          state: {
            ...inputs,
            outputs: secretOutputNames.length ? pulumi.secret(outputs) : outputs,
            secretOutputNames,
          },
        };
      }
      case "pulumi:providers:aws":
      case "pulumi:providers:random":
      case "pulumi:providers:tls":
        return { id: `provider-${hex(seed, 8)}`, state: inputs };
      case "aws:organizations/organization:Organization": {
        const id = this.pendingMeta?.import || `o-${hex(seed, 10)}`;
        const rootId = this.pendingMeta?.import
          ? this.existingOrganization(accountId).roots[0].id
          : `r-${hex(seed + "root", 4)}`;
        return {
          id,
          state: {
            ...inputs,
            arn: `arn:aws:organizations::${accountId}:organization/${id}`,
            masterAccountId: accountId,
            roots: [
              {
                id: rootId,
                arn: `arn:aws:organizations::${accountId}:root/${id}/${rootId}`,
                name: "Root",
                policyTypes: [],
              },
            ],
          },
        };
      }
      case "aws:organizations/organizationalUnit:OrganizationalUnit": {
        const id = `ou-${hex(seed, 4)}-${hex(seed + "ou", 8)}`;
        return {
          id,
          state: { ...inputs, arn: `arn:aws:organizations::${accountId}:ou/o-mock/${id}` },
        };
      }
      case "aws:organizations/account:Account": {
        const id = digits(seed, 12);
        return {
          id,
          state: {
            ...inputs,
            arn: `arn:aws:organizations::${accountId}:account/o-mock/${id}`,
            status: "ACTIVE",
          },
        };
      }
      case "aws:organizations/policy:Policy": {
        const id = `p-${hex(seed, 8)}`;
        return {
          id,
          state: {
            ...inputs,
            arn: `arn:aws:organizations::${accountId}:policy/o-mock/${inputs.type?.toLowerCase() ?? "service_control_policy"}/${id}`,
          },
        };
      }
      case "aws:iam/role:Role": {
        const name = physical();
        return {
          id: name,
          state: {
            ...inputs,
            name,
            arn: `arn:aws:iam::${accountId}:role${inputs.path ?? "/"}${name}`,
            uniqueId: `AROA${hex(seed, 16).toUpperCase()}`,
          },
        };
      }
      case "aws:iam/policy:Policy": {
        const name = physical();
        const policyArn = `arn:aws:iam::${accountId}:policy${inputs.path ?? "/"}${name}`;
        return { id: policyArn, state: { ...inputs, name, arn: policyArn } };
      }
      case "aws:identitystore/group:Group": {
        const groupId = uuid(seed);
        return { id: `${inputs.identityStoreId}/${groupId}`, state: { ...inputs, groupId } };
      }
      case "aws:ssoadmin/permissionSet:PermissionSet": {
        const instance = String(inputs.instanceArn).split("/").pop();
        const psArn = `arn:aws:sso:::permissionSet/${instance}/ps-${hex(seed, 16)}`;
        return { id: `${psArn},${inputs.instanceArn}`, state: { ...inputs, arn: psArn } };
      }
      case "aws:kms/key:Key": {
        const id = uuid(seed);
        return { id, state: { ...inputs, keyId: id, arn: arn("kms", `key/${id}`) } };
      }
      case "aws:kms/alias:Alias":
        return { id: inputs.name, state: { ...inputs, arn: arn("kms", inputs.name) } };
      case "aws:s3/bucket:Bucket":
      case "aws:s3/bucketV2:BucketV2": {
        const name = inputs.bucket ?? `${args.name}-${hex(seed, 7)}`;
        return {
          id: name,
          state: {
            ...inputs,
            bucket: name,
            arn: `arn:aws:s3:::${name}`,
            bucketDomainName: `${name}.s3.amazonaws.com`,
            region,
          },
        };
      }
      case "aws:sns/topic:Topic": {
        const name = physical();
        const topicArn = arn("sns", name);
        return { id: topicArn, state: { ...inputs, name, arn: topicArn } };
      }
      case "aws:cloudwatch/logGroup:LogGroup": {
        const name = physical();
        return { id: name, state: { ...inputs, name, arn: arn("logs", `log-group:${name}`) } };
      }
      case "aws:cloudtrail/trail:Trail": {
        const name = physical();
        return { id: name, state: { ...inputs, name, arn: arn("cloudtrail", `trail/${name}`) } };
      }
      case "awsx:ec2:Vpc":
        return { id: undefined, state: this.vpc(seed, inputs, region) };
      case "aws:ec2/vpc:Vpc": {
        const id = `vpc-${hex(seed, 17)}`;
        return { id, state: { ...inputs, arn: arn("ec2", `vpc/${id}`) } };
      }
      case "aws:ec2/securityGroup:SecurityGroup": {
        const id = `sg-${hex(seed, 17)}`;
        return {
          id,
          state: { ...inputs, arn: arn("ec2", `security-group/${id}`), name: physical() },
        };
      }
      case "aws:ec2/eip:Eip": {
        const id = `eipalloc-${hex(seed, 17)}`;
        const h = hex(seed, 6);
        const publicIp = `54.${(parseInt(h.slice(0, 2), 16) % 200) + 20}.${parseInt(h.slice(2, 4), 16)}.${(parseInt(h.slice(4, 6), 16) % 250) + 2}`;
        return {
          id,
          state: {
            ...inputs,
            allocationId: id,
            publicIp,
            publicDns: `ec2-${publicIp.replace(/\./g, "-")}.compute-1.amazonaws.com`,
          },
        };
      }
      case "aws:ec2/networkInterface:NetworkInterface": {
        const id = `eni-${hex(seed, 17)}`;
        const subnet = this.subnets.get(inputs.subnetId);
        if (!subnet)
          throw new Error(
            `network interface ${args.name}: subnet ${inputs.subnetId} is not a subnet the plan created`,
          );
        const privateIp = inputs.privateIp ?? addressIn(subnet, seed);
        this.interfaces.set(id, { privateIp, subnetId: inputs.subnetId });
        return {
          id,
          state: {
            ...inputs,
            arn: arn("ec2", `network-interface/${id}`),
            privateIp,
            privateIps: [privateIp],
            availabilityZone: subnet.az,
          },
        };
      }
      case "aws:ebs/volume:Volume": {
        const id = `vol-${hex(seed, 17)}`;
        return { id, state: { ...inputs, arn: arn("ec2", `volume/${id}`) } };
      }
      case "aws:secretsmanager/secret:Secret": {
        const name = physical();
        const secretArn = arn("secretsmanager", `secret:${name}-${hex(seed, 6)}`);
        return { id: secretArn, state: { ...inputs, name, arn: secretArn } };
      }
      case "aws:acm/certificate:Certificate": {
        const id = uuid(seed);
        const names: string[] = [inputs.domainName, ...(inputs.subjectAlternativeNames ?? [])];
        const domainValidationOptions = names.map((domainName) => ({
          domainName,
          resourceRecordName: `_${hex(seed + domainName, 32)}.${domainName}.`,
          resourceRecordType: "CNAME",
          resourceRecordValue: `_${hex(seed + domainName + "v", 32)}.acm-validations.aws.`,
        }));
        return {
          id,
          state: { ...inputs, arn: arn("acm", `certificate/${id}`), domainValidationOptions },
        };
      }
      case "aws:lb/loadBalancer:LoadBalancer": {
        const name = inputs.name ?? `${args.name.slice(0, 24)}-${hex(seed, 7)}`;
        const id = arn("elasticloadbalancing", `loadbalancer/app/${name}/${hex(seed, 16)}`);
        return {
          id,
          state: {
            ...inputs,
            name,
            arn: id,
            dnsName: `${name}-${digits(seed, 10)}.${region}.elb.amazonaws.com`,
            zoneId: "Z35SXDOTRQ7X7K",
          },
        };
      }
      case "aws:route53/record:Record":
        return {
          id: `${inputs.zoneId}_${inputs.name}_${inputs.type}`,
          state: { ...inputs, fqdn: String(inputs.name).replace(/\.$/, "") },
        };
      case "aws:ssm/parameter:Parameter":
        return {
          id: inputs.name,
          state: {
            ...inputs,
            arn: arn("ssm", `parameter/${String(inputs.name).replace(/^\//, "")}`),
            version: 1,
          },
        };
      case "aws:ec2/instance:Instance": {
        const id = `i-${hex(seed, 17)}`;
        const eni = inputs.primaryNetworkInterface
          ? this.interfaces.get(inputs.primaryNetworkInterface.networkInterfaceId)
          : undefined;
        if (inputs.primaryNetworkInterface && !eni)
          throw new Error(
            `instance ${args.name}: network interface ${inputs.primaryNetworkInterface.networkInterfaceId} is not one the plan created`,
          );
        const subnetId = eni?.subnetId ?? inputs.subnetId;
        const subnet = this.subnets.get(subnetId);
        const privateIp =
          eni?.privateIp ?? inputs.privateIp ?? (subnet ? addressIn(subnet, seed) : undefined);
        if (subnetId && !subnet)
          throw new Error(
            `instance ${args.name}: subnet ${subnetId} is not a subnet the plan created`,
          );
        return {
          id,
          state: {
            ...inputs,
            arn: arn("ec2", `instance/${id}`),
            privateIp,
            privateDns: privateIp ? `ip-${privateIp.replace(/\./g, "-")}.ec2.internal` : undefined,
            subnetId,
            primaryNetworkInterfaceId:
              inputs.primaryNetworkInterface?.networkInterfaceId ?? `eni-${hex(seed, 17)}`,
            availabilityZone: subnet?.az,
            publicIp: inputs.associatePublicIpAddress ? "" : undefined,
          },
        };
      }
      case "aws:lambda/function:Function": {
        const name = physical();
        return {
          id: name,
          state: {
            ...inputs,
            name,
            arn: arn("lambda", `function:${name}`),
            invokeArn: `arn:aws:apigateway:${region}:lambda:path/functions/${arn("lambda", `function:${name}`)}/invocations`,
          },
        };
      }
      case "aws:iam/instanceProfile:InstanceProfile": {
        // Auto-named like a role: instances refer to the profile by this name.
        const name = physical();
        return {
          id: name,
          state: { ...inputs, name, arn: arn("iam", `instance-profile/${name}`, { global: true }) },
        };
      }
      case "aws:lambda/functionUrl:FunctionUrl":
        return {
          id: `${inputs.functionName}`,
          state: {
            ...inputs,
            functionUrl: `https://${hex(seed, 32)}.lambda-url.${region}.on.aws/`,
            urlId: hex(seed, 32),
          },
        };
      case "random:index/randomPassword:RandomPassword":
      case "random:index/randomString:RandomString":
        return {
          id: hex(seed, 8),
          state: { ...inputs, result: `mock-${hex(seed, Math.max(8, (inputs.length ?? 32) - 5))}` },
        };
      case "tls:index/privateKey:PrivateKey": {
        const body = Buffer.from(hex(seed, 64)).toString("base64");
        return {
          id: hex(seed, 40),
          state: {
            ...inputs,
            privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`,
            publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n`,
          },
        };
      }
      case "random:index/randomBytes:RandomBytes": {
        const bytes = Buffer.from(hex(seed, (inputs.length ?? 32) * 2), "hex");
        return {
          id: hex(seed, 8),
          state: { ...inputs, hex: bytes.toString("hex"), base64: bytes.toString("base64") },
        };
      }
      case "tls:index/certRequest:CertRequest": {
        const body = Buffer.from(hex(seed, 64)).toString("base64");
        return {
          id: hex(seed, 40),
          state: {
            ...inputs,
            certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`,
          },
        };
      }
      case "tls:index/selfSignedCert:SelfSignedCert":
      case "tls:index/locallySignedCert:LocallySignedCert": {
        const body = Buffer.from(hex(seed, 96)).toString("base64");
        return {
          id: digits(seed, 20),
          state: {
            ...inputs,
            certPem: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
            readyForRenewal: false,
            // RFC 3339, as the provider writes them, from a fixed planning clock so plans compare.
            validityStartTime: new Date(PLAN_CLOCK_MS).toISOString().replace(".000Z", "Z"),
            validityEndTime: new Date(PLAN_CLOCK_MS + (inputs.validityPeriodHours ?? 0) * 3600_000)
              .toISOString()
              .replace(".000Z", "Z"),
          },
        };
      }
    }
    if (!args.custom) return { id: undefined, state: inputs };
    return this.generic(args.type, seed, inputs, accountId, region);
  }

  /** Any other AWS resource: an id in its service's style and an ARN in the right account and region. */
  private generic(
    type: string,
    seed: string,
    inputs: Record<string, any>,
    accountId: string,
    region: string,
  ) {
    const [pkg, mod] = type.split(":");
    const service = (mod ?? "").split("/")[0].toLowerCase();
    const id = inputs.name ?? `${service}-${hex(seed, 12)}`;
    const state: Record<string, any> = { ...inputs };
    if (pkg === "aws")
      state.arn = `arn:aws:${service}:${region}:${accountId}:${type.split(":")[2].toLowerCase()}/${id}`;
    return { id, state };
  }

  /**
   * awsx's VPC is a remote component: under the mocks its subnets, routes and gateways are never
   * registered. Its outputs are derived from its arguments instead: the program passes explicit
   * subnet blocks per zone, and this returns their ids in the same order.
   */
  private vpc(seed: string, inputs: Record<string, any>, region: string) {
    const azNames: string[] =
      inputs.availabilityZoneNames ??
      ["a", "b", "c"].slice(0, inputs.numberOfAvailabilityZones ?? 2).map((s) => `${region}${s}`);
    const vpcId = `vpc-${hex(seed, 17)}`;
    const byType: Record<string, string[]> = { Public: [], Private: [], Isolated: [] };
    const layout: any[] = [];
    for (const spec of inputs.subnetSpecs ?? []) {
      const blocks: string[] = spec.cidrBlocks ?? [];
      blocks.forEach((block, i) => {
        const id = `subnet-${hex(`${seed}/${spec.type}/${i}`, 17)}`;
        this.subnets.set(id, { cidr: parseCidr(block), az: azNames[i % azNames.length] });
        byType[spec.type]?.push(id);
        layout.push({
          type: spec.type,
          name: spec.name,
          cidrBlock: block,
          availabilityZone: azNames[i % azNames.length],
          id,
        });
      });
    }
    return {
      ...inputs,
      vpcId,
      publicSubnetIds: byType.Public,
      privateSubnetIds: byType.Private,
      isolatedSubnetIds: byType.Isolated,
      subnetLayout: layout,
    };
  }

  /** OU ids by parent id: the fixture's, or each OU of platform:adopt where its path puts it. */
  private existingOus(accountId: string): Readonly<Record<string, readonly string[]>> {
    if (this.opts.organization?.ous) return this.opts.organization.ous;
    const raw = pulumi.runtime.allConfig()["platform:adopt"];
    const ous: Record<string, string> = raw ? (JSON.parse(raw).ous ?? {}) : {};
    const rootId = this.existingOrganization(accountId).roots[0].id;
    const byParent: Record<string, string[]> = {};
    for (const [path, id] of Object.entries(ous)) {
      const parent = path.includes("/") ? ous[path.slice(0, path.lastIndexOf("/"))] : rootId;
      if (parent) (byParent[parent] ??= []).push(id);
    }
    return byParent;
  }

  /** The getOrganization answer: the fixture, or one matching the stack's platform:adopt. */
  private existingOrganization(accountId: string) {
    let fixture = this.opts.organization;
    if (!fixture) {
      const raw = pulumi.runtime.allConfig()["platform:adopt"];
      const adopt = raw ? (JSON.parse(raw) as { organizationId?: string; accounts?: object }) : {};
      fixture = {
        id: adopt.organizationId ?? "o-fixture0001",
        awsServiceAccessPrincipals: ["sso.amazonaws.com"],
        enabledPolicyTypes: ["SERVICE_CONTROL_POLICY"],
        accounts: Object.entries(adopt.accounts ?? {}).map(([key, id]) => ({
          id: String(id),
          name: key,
        })),
      };
    }
    const master = fixture.masterAccountId ?? accountId;
    const rootId = fixture.rootId ?? `r-${hex(fixture.id, 4)}`;
    const accounts = [
      { id: master, name: "management", status: "ACTIVE" },
      ...fixture.accounts,
    ].map((a) => ({
      id: a.id,
      name: a.name,
      status: a.status ?? "ACTIVE",
      email: `${a.name}@example.com`,
      arn: `arn:aws:organizations::${master}:account/${fixture.id}/${a.id}`,
    }));
    return {
      id: fixture.id,
      arn: `arn:aws:organizations::${master}:organization/${fixture.id}`,
      featureSet: fixture.featureSet ?? "ALL",
      masterAccountId: master,
      masterAccountArn: `arn:aws:organizations::${master}:account/${fixture.id}/${master}`,
      masterAccountEmail: "management@example.com",
      masterAccountName: "management",
      awsServiceAccessPrincipals: [...fixture.awsServiceAccessPrincipals],
      enabledPolicyTypes: [...fixture.enabledPolicyTypes],
      accounts,
      nonMasterAccounts: accounts.filter((a) => a.id !== master),
      roots: [
        {
          id: rootId,
          arn: `arn:aws:organizations::${master}:root/${fixture.id}/${rootId}`,
          name: "Root",
          policyTypes: fixture.enabledPolicyTypes.map((type) => ({ type, status: "ENABLED" })),
        },
      ],
    };
  }

  private regionZones(region: string): RegionZones {
    const all = this.opts.zones ?? ZONE_OFFERINGS;
    const found = all[region];
    if (!found)
      throw new Error(
        `tooling/plan/zone-offerings.json: no zones for region ${region}; expected one of ${Object.keys(all).join(", ")} (add the region's zones and offerings)`,
      );
    return found;
  }

  /**
   * DescribeInstanceTypeOfferings as the data source calls it: the `instance-type` filter's values
   * (exact types), by zone ID, zone name or region. A type whose family the fixture lacks is not
   * offered anywhere, as AWS answers for a type the region does not have.
   */
  private instanceTypeOfferings(region: string, inputs: Record<string, any>) {
    const { zones, families } = this.regionZones(region);
    const locationType = inputs.locationType ?? "region";
    const filters: { name: string; values: string[] }[] = inputs.filters ?? [];
    const types = filters.find((f) => f.name === "instance-type")?.values;
    if (!types)
      throw new Error(
        "getInstanceTypeOfferings: the mocks answer only an instance-type filter with exact types",
      );
    const rows: [string, string][] = [];
    for (const type of types) {
      const ids = families[type.split(".")[0]] ?? [];
      if (locationType === "region") {
        if (ids.length) rows.push([type, region]);
        continue;
      }
      for (const z of zones)
        if (ids.includes(z.zoneId))
          rows.push([type, locationType === "availability-zone-id" ? z.zoneId : z.name]);
    }
    return {
      ...inputs,
      id: region,
      instanceTypes: rows.map((r) => r[0]),
      locations: rows.map((r) => r[1]),
      locationTypes: rows.map(() => locationType),
    };
  }

  async call(args: pulumi.runtime.MockCallArgs): Promise<Record<string, any>> {
    const { accountId, region } = this.facts(args.provider);
    switch (args.token) {
      case "aws:organizations/getOrganization:getOrganization":
        return this.existingOrganization(accountId);
      case "aws:organizations/getOrganizationalUnits:getOrganizationalUnits": {
        const parentId = String(args.inputs.parentId);
        const ids = this.existingOus(accountId)[parentId] ?? [];
        return {
          id: parentId,
          parentId,
          children: ids.map((id) => ({
            id,
            name: id,
            arn: `arn:aws:organizations::${accountId}:ou/o-mock/${id}`,
          })),
        };
      }
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId,
          arn: `arn:aws:sts::${accountId}:assumed-role/platform-deploy/pulumi`,
          userId: "AROAMOCK:pulumi",
          id: accountId,
        };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, id: region, description: region };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        const { zones } = this.regionZones(region);
        return {
          names: zones.map((z) => z.name),
          zoneIds: zones.map((z) => z.zoneId),
          groupNames: [region],
          id: region,
        };
      }
      case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings":
        return this.instanceTypeOfferings(region, args.inputs);
      case "aws:route53/getZone:getZone": {
        const zoneId = `Z${hex(`zone/${args.inputs.name}`, 20).toUpperCase()}`;
        return {
          id: zoneId,
          zoneId,
          name: args.inputs.name,
          privateZone: false,
          arn: `arn:aws:route53:::hostedzone/${zoneId}`,
          nameServers: [],
          tags: {},
          callerReference: "mock",
          comment: "",
          resourceRecordSetCount: 2,
          linkedServiceDescription: "",
          linkedServicePrincipal: "",
          primaryNameServer: "",
        };
      }
      case "aws:ec2/getRouteTable:getRouteTable": {
        const subnetId = String(args.inputs.subnetId ?? "");
        if (!this.subnets.has(subnetId)) break;
        const id = `rtb-${hex(`route-table/${subnetId}`, 17)}`;
        return {
          id,
          routeTableId: id,
          subnetId,
          vpcId: args.inputs.vpcId ?? "",
          routes: [],
          associations: [],
          tags: {},
          ownerId: accountId,
          arn: `arn:aws:ec2:${region}:${accountId}:route-table/${id}`,
        };
      }
      case "aws:ssoadmin/getInstances:getInstances":
        // The organization's Identity Center instance (a fixture: enabling one is a console step).
        return {
          arns: [`arn:aws:sso:::instance/ssoins-${hex("sso-instance", 16)}`],
          identityStoreIds: [`d-${hex("identity-store", 10)}`],
          id: region,
          region,
        };
      case "aws:identitystore/getGroup:getGroup": {
        const groupId = uuid(`group/${JSON.stringify(args.inputs.alternateIdentifier ?? {})}`);
        return { ...args.inputs, id: groupId, groupId, displayName: "", description: "" };
      }
      case "aws:ssm/getParameter:getParameter":
        if (String(args.inputs.name).startsWith("/aws/service/")) {
          return {
            name: args.inputs.name,
            type: "String",
            value: `ami-${hex(String(args.inputs.name), 17)}`,
            insecureValue: `ami-${hex(String(args.inputs.name), 17)}`,
            id: args.inputs.name,
          };
        }
        break;
    }
    throw new Error(`Mock not implemented: ${args.token}`);
  }
}
