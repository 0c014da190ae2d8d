import type { PlannedResource, StackPlan } from "../stack-plan";
import {
  Classifier,
  DAYS_PER_MONTH,
  ItemDraft,
  PricingRule,
  RuleContext,
  RuleResult,
} from "./model";

/**
 * Pricing rules by resource type. Each reads the planned inputs of one resource and returns what is
 * charged, with a description that says how the quantity was derived, so finance can follow every
 * line back to the plan or to a usage assumption.
 */

const fmt = (n: number) =>
  Number.isInteger(n)
    ? n.toLocaleString("en-US")
    : n.toLocaleString("en-US", { maximumFractionDigits: 2 });
const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v)
    ? v
    : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;
const arr = <T = any>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const nameOf = (r: PlannedResource): string =>
  (r.inputs.name as string | undefined) ?? (r.state.name as string | undefined) ?? r.name;

// ---------------------------------------------------------------------------------------------
// EBS volumes (also the root and extra volumes of instances and launch templates)

interface VolumeSpec {
  label: string;
  sizeGb: number;
  type: string;
  iops?: number;
  throughput?: number;
  tags: Record<string, string>;
}

export function volumeItems(v: VolumeSpec): ItemDraft[] {
  const items: ItemDraft[] = [
    {
      description: `${v.label}: ${fmt(v.sizeGb)} GB ${v.type}`,
      quantity: v.sizeGb,
      priceKey: `ebs.${v.type}.storage`,
    },
  ];
  if (v.type === "gp3") {
    // gp3 includes 3,000 IOPS and 125 MB/s; only what is provisioned above that is billed.
    if (v.iops !== undefined && v.iops > 3000)
      items.push({
        description: `${v.label}: ${fmt(v.iops - 3000)} IOPS above the free 3,000`,
        quantity: v.iops - 3000,
        priceKey: "ebs.gp3.iops",
      });
    if (v.throughput !== undefined && v.throughput > 125)
      items.push({
        description: `${v.label}: ${fmt(v.throughput - 125)} MB/s above the free 125`,
        quantity: v.throughput - 125,
        priceKey: "ebs.gp3.throughput",
      });
  } else if (v.iops !== undefined && (v.type === "io1" || v.type === "io2")) {
    items.push({
      description: `${v.label}: ${fmt(v.iops)} provisioned IOPS`,
      quantity: v.iops,
      priceKey: `ebs.${v.type}.iops`,
    });
  }
  return items;
}

/** Root and extra volumes as an instance (or launch template) declares them. */
function instanceVolumes(
  ctx: RuleContext,
  root: Record<string, any> | undefined,
  extra: Record<string, any>[],
  volumeTags: Record<string, string> | undefined,
): VolumeSpec[] {
  const out: VolumeSpec[] = [];
  const rootSize = num(root?.volumeSize);
  out.push({
    label:
      rootSize === undefined
        ? `root volume (size left to the AMI: platform:cost.ebs.rootVolumeGb)`
        : "root volume",
    sizeGb: rootSize ?? ctx.usage.ebs.rootVolumeGb,
    // Amazon Linux 2023 AMIs map their root device as gp3.
    type: (root?.volumeType as string | undefined) ?? "gp3",
    iops: num(root?.iops),
    throughput: num(root?.throughput),
    tags: { ...(volumeTags ?? {}), ...((root?.tags as Record<string, string>) ?? {}) },
  });
  for (const d of extra) {
    const size = num(d.volumeSize);
    if (size === undefined)
      throw new Error(
        `volume ${d.deviceName ?? "?"} has no volumeSize (a size from its snapshot cannot be known before deploy)`,
      );
    out.push({
      label: `volume ${d.deviceName ?? ""}`.trim(),
      sizeGb: size,
      type: (d.volumeType as string | undefined) ?? "gp2",
      iops: num(d.iops),
      throughput: num(d.throughput),
      tags: { ...(volumeTags ?? {}), ...((d.tags as Record<string, string>) ?? {}) },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Instances, launch templates, auto scaling groups

function launchTemplateOf(
  ctx: RuleContext,
  ref: Record<string, any> | undefined,
): PlannedResource | undefined {
  if (!ref) return undefined;
  return ctx
    .ofType("aws:ec2/launchTemplate:LaunchTemplate")
    .find(
      (lt) =>
        (ref.id && lt.id === ref.id) ||
        (ref.name && (lt.inputs.name === ref.name || lt.state.name === ref.name)),
    );
}

/** An Elastic IP on the instance or one of its interfaces replaces the address it would get on launch. */
function hasElasticIp(ctx: RuleContext, instance: PlannedResource): boolean {
  const enis = new Set(
    [
      instance.state.primaryNetworkInterfaceId,
      instance.inputs.primaryNetworkInterface?.networkInterfaceId,
      ...arr(instance.inputs.networkInterfaces).map((n) => n.networkInterfaceId),
    ].filter((x): x is string => typeof x === "string" && x !== ""),
  );
  return (
    ctx
      .ofType("aws:ec2/eip:Eip")
      .some(
        (e) =>
          (instance.id && e.inputs.instance === instance.id) || enis.has(e.inputs.networkInterface),
      ) ||
    ctx
      .ofType("aws:ec2/eipAssociation:EipAssociation")
      .some(
        (a) =>
          (instance.id && a.inputs.instanceId === instance.id) ||
          enis.has(a.inputs.networkInterfaceId),
      )
  );
}

interface ComputeSpec {
  instanceType: string | undefined;
  volumes: VolumeSpec[];
  detailedMonitoring: boolean;
  publicIpv4: string | undefined;
  count: number;
  what: string;
}

function computeItems(ctx: RuleContext, s: ComputeSpec): RuleResult {
  if (!s.instanceType) return { unpriced: `${s.what}: no instance type in the plan` };
  const h = ctx.hoursPerMonth;
  const n = s.count;
  const times = n === 1 ? "" : `${n} × `;
  const items: ItemDraft[] = [
    {
      description: `${times}${s.instanceType} on-demand, Linux, ${fmt(h)} h a month`,
      quantity: n * h,
      priceKey: `ec2.instance.${s.instanceType}`,
    },
  ];
  for (const v of s.volumes)
    for (const i of volumeItems(v))
      items.push({ ...i, description: `${times}${i.description}`, quantity: n * i.quantity });
  if (s.detailedMonitoring) {
    // AWS bills detailed (1-minute) monitoring as custom metrics: 7 per instance.
    items.push({
      description: `${times}detailed monitoring: 7 instance metrics at custom-metric rate`,
      quantity: n * 7,
      priceKey: "cloudwatch.metric",
    });
  }
  if (s.publicIpv4)
    items.push({
      description: `${times}public IPv4 address (${s.publicIpv4})`,
      quantity: n * h,
      priceKey: "vpc.public-ipv4",
    });
  return items;
}

const instanceRule: PricingRule = (r, ctx) => {
  const i = r.inputs;
  if (i.tenancy && i.tenancy !== "default")
    return { unpriced: `tenancy "${i.tenancy}" is not in the price table (shared tenancy only)` };
  if (i.instanceMarketOptions?.marketType === "spot")
    return { unpriced: "spot instances have no list price" };
  const lt = launchTemplateOf(ctx, i.launchTemplate);
  const instanceType =
    (i.instanceType as string | undefined) ?? (lt?.inputs.instanceType as string | undefined);
  let publicIpv4: string | undefined;
  if (!hasElasticIp(ctx, r)) {
    if (i.associatePublicIpAddress === true) publicIpv4 = "associatePublicIpAddress";
    else if (i.associatePublicIpAddress === undefined && ctx.publicSubnetIds.has(i.subnetId))
      publicIpv4 = "launched in a public subnet, which maps a public IPv4 on launch";
  }
  return computeItems(ctx, {
    instanceType,
    volumes: instanceVolumes(ctx, i.rootBlockDevice, arr(i.ebsBlockDevices), i.volumeTags),
    detailedMonitoring: i.monitoring === true,
    publicIpv4,
    count: 1,
    what: r.name,
  });
};

const ROOT_DEVICES = ["/dev/xvda", "/dev/sda1"];

const autoScalingGroupRule: PricingRule = (r, ctx) => {
  const i = r.inputs;
  if (i.mixedInstancesPolicy) return { unpriced: "mixed instances policies are not modelled" };
  const lt = launchTemplateOf(ctx, i.launchTemplate);
  if (!lt) return { unpriced: "its launch template is not in the plan" };
  const count = num(i.desiredCapacity) ?? num(i.minSize) ?? 0;
  const l = lt.inputs;
  const mappings = arr(l.blockDeviceMappings).filter((m) => m.ebs);
  const root = mappings.find((m) => ROOT_DEVICES.includes(m.deviceName));
  const eni = arr(l.networkInterfaces)[0];
  const subnets = arr<string>(i.vpcZoneIdentifiers);
  const pub = eni?.associatePublicIpAddress;
  const publicIpv4 =
    pub === true || pub === "true"
      ? "launch template associatePublicIpAddress"
      : pub === undefined && subnets.length > 0 && subnets.every((s) => ctx.publicSubnetIds.has(s))
        ? "public subnets map a public IPv4 on launch"
        : undefined;
  return computeItems(ctx, {
    instanceType: l.instanceType,
    volumes: instanceVolumes(
      ctx,
      root?.ebs,
      mappings.filter((m) => m !== root).map((m) => ({ deviceName: m.deviceName, ...m.ebs })),
      undefined,
    ),
    detailedMonitoring: l.monitoring?.enabled === true,
    publicIpv4,
    count,
    what: `${r.name} (desiredCapacity or minSize ${count})`,
  });
};

const volumeRule: PricingRule = (r) => {
  const size = num(r.inputs.size);
  if (size === undefined)
    return {
      unpriced: "no size in the plan (a size from its snapshot cannot be known before deploy)",
    };
  const type = (r.inputs.type as string | undefined) ?? "gp2";
  return volumeItems({
    label: r.inputs.type ? "EBS volume" : "EBS volume (type not set: AWS default gp2)",
    sizeGb: size,
    type,
    iops: num(r.inputs.iops),
    throughput: num(r.inputs.throughput),
    tags: r.inputs.tags ?? {},
  });
};

// ---------------------------------------------------------------------------------------------
// Snapshots: DLM lifecycle policies and AWS Backup selections

interface CoveredVolume {
  label: string;
  sizeGb: number;
}

/** Every EBS volume in scope with the tags it carries and the instance it belongs to. */
function volumesInScope(ctx: RuleContext): {
  label: string;
  sizeGb: number;
  tags: Record<string, string>;
  arn?: string;
  instance?: PlannedResource;
}[] {
  const out: {
    label: string;
    sizeGb: number;
    tags: Record<string, string>;
    arn?: string;
    instance?: PlannedResource;
  }[] = [];
  for (const v of ctx.ofType("aws:ebs/volume:Volume")) {
    const size = num(v.inputs.size);
    if (size === undefined) continue;
    const att = ctx
      .ofType("aws:ec2/volumeAttachment:VolumeAttachment")
      .find((a) => v.id && a.inputs.volumeId === v.id);
    out.push({
      label: v.name,
      sizeGb: size,
      tags: v.inputs.tags ?? {},
      arn: v.state.arn,
      instance: att ? ctx.byId(att.inputs.instanceId) : undefined,
    });
  }
  for (const inst of ctx.ofType("aws:ec2/instance:Instance")) {
    for (const s of instanceVolumes(
      ctx,
      inst.inputs.rootBlockDevice,
      arr(inst.inputs.ebsBlockDevices).filter((d) => num(d.volumeSize) !== undefined),
      inst.inputs.volumeTags,
    )) {
      out.push({
        label: `${inst.name} ${s.label.startsWith("root") ? "root volume" : s.label}`,
        sizeGb: s.sizeGb,
        tags: s.tags,
        instance: inst,
      });
    }
  }
  return out;
}

const tagsMatch = (
  have: Record<string, string> | undefined,
  want: Record<string, string>,
): boolean =>
  Object.keys(want).length > 0 && Object.entries(want).every(([k, v]) => have?.[k] === v);

function snapshotItems(
  ctx: RuleContext,
  covered: CoveredVolume[],
  retained: number,
  how: string,
): RuleResult {
  if (!covered.length)
    return {
      unpriced: `${how}: no volume in this environment matches it, so its snapshots cannot be sized`,
    };
  const { snapshotUsedShare: used, snapshotDailyChangeShare: change } = ctx.usage.ebs;
  const size = covered.reduce((s, v) => s + v.sizeGb, 0);
  // Incremental snapshots: the first holds the used blocks, each further one the blocks changed since.
  const gb = size * used * (1 + change * Math.max(0, retained - 1));
  return [
    {
      description: `snapshots of ${covered.map((v) => `${v.label} (${fmt(v.sizeGb)} GB)`).join(", ")}: ${fmt(retained)} kept; ${fmt(used * 100)} % of each volume holds data, ${fmt(change * 100)} % of it changes a day (platform:cost.ebs)`,
      quantity: gb,
      priceKey: "ebs.snapshot.standard",
    },
  ];
}

const HOURS_PER_UNIT: Record<string, number> = {
  HOURS: 1,
  DAYS: 24,
  WEEKS: 24 * 7,
  MONTHS: 24 * 30,
  YEARS: 24 * 365,
};

const dlmRule: PricingRule = (r, ctx) => {
  const d = r.inputs.policyDetails ?? {};
  if (r.inputs.state === "DISABLED")
    return { free: "disabled lifecycle policy: creates no snapshots" };
  if (d.policyType && d.policyType !== "EBS_SNAPSHOT_MANAGEMENT")
    return { unpriced: `DLM policy type ${d.policyType} is not modelled` };
  const want = (d.targetTags ?? {}) as Record<string, string>;
  const types = arr<string>(d.resourceTypes);
  const all = volumesInScope(ctx);
  const covered = types.includes("INSTANCE")
    ? all.filter((v) => v.instance && tagsMatch(v.instance.inputs.tags, want))
    : all.filter((v) => tagsMatch(v.tags, want));
  let retained = 0;
  for (const s of arr(d.schedules)) {
    const every =
      s.createRule?.interval && s.createRule?.intervalUnit
        ? s.createRule.interval * (HOURS_PER_UNIT[s.createRule.intervalUnit] ?? 24)
        : 24;
    const keep =
      num(s.retainRule?.count) ??
      (s.retainRule?.interval
        ? (s.retainRule.interval * (HOURS_PER_UNIT[s.retainRule.intervalUnit] ?? 24)) / every
        : undefined);
    if (keep !== undefined) retained = Math.max(retained, Math.ceil(keep));
  }
  if (!retained)
    return { unpriced: "no retain rule in its schedules: snapshots would be kept forever" };
  return snapshotItems(ctx, covered, retained, `targetTags ${JSON.stringify(want)}`);
};

const backupSelectionRule: PricingRule = (r, ctx) => {
  const plan = ctx.byId(r.inputs.planId);
  if (!plan) return { unpriced: "its backup plan is not in the plan" };
  const keepDays = arr(plan.inputs.rules).map((rule) => num(rule.lifecycle?.deleteAfter));
  if (!keepDays.length || keepDays.some((d) => d === undefined))
    return { unpriced: "a rule of its backup plan keeps recovery points forever" };
  // Daily schedules are assumed: a rule keeping N days holds N recovery points.
  const retained = Math.max(...(keepDays as number[]));
  const arns = new Set(arr<string>(r.inputs.resources));
  const tagConds = arr(r.inputs.selectionTags).filter((t) => t.type === "STRINGEQUALS");
  const byTag = (tags: Record<string, string> | undefined) =>
    tagConds.length > 0 && tagConds.every((t) => tags?.[t.key] === t.value);
  const covered = volumesInScope(ctx).filter(
    (v) =>
      (v.arn && arns.has(v.arn)) ||
      (v.instance && arns.has(v.instance.state.arn)) ||
      byTag(v.tags) ||
      (v.instance && byTag(v.instance.inputs.tags)),
  );
  return snapshotItems(ctx, covered, retained, "its resources and selection tags");
};

// ---------------------------------------------------------------------------------------------
// Network

const eipRule: PricingRule = (r, ctx) => {
  const pool = r.inputs.publicIpv4Pool as string | undefined;
  if (pool && pool !== "amazon")
    return { free: "address from your own (BYOIP) pool: no public IPv4 charge" };
  return [
    {
      description: "Elastic IP: public IPv4, charged attached or idle",
      quantity: ctx.hoursPerMonth,
      priceKey: "vpc.public-ipv4",
    },
  ];
};

const natGatewayRule: PricingRule = (r, ctx) => [
  {
    description: `NAT gateway (${r.inputs.connectivityType ?? "public"}), ${fmt(ctx.hoursPerMonth)} h`,
    quantity: ctx.hoursPerMonth,
    priceKey: "vpc.nat-gateway.hour",
  },
  {
    description: `NAT data processed: ${fmt(ctx.usage.network.natGbPerGateway)} GB (platform:cost.network.natGbPerGateway)`,
    quantity: ctx.usage.network.natGbPerGateway,
    priceKey: "vpc.nat-gateway.gb",
  },
];

function interfaceEndpointItems(
  ctx: RuleContext,
  label: string,
  zones: number,
  howZones: string,
): ItemDraft[] {
  const h = ctx.hoursPerMonth;
  return [
    {
      description: `interface endpoint ${label}: ${zones} zone(s) (${howZones}) × ${fmt(h)} h`,
      quantity: zones * h,
      priceKey: "vpc.interface-endpoint.hour",
    },
    {
      description: `interface endpoint ${label}: ${fmt(ctx.usage.network.endpointGbPerEndpoint)} GB processed (platform:cost.network.endpointGbPerEndpoint)`,
      quantity: ctx.usage.network.endpointGbPerEndpoint,
      priceKey: "vpc.interface-endpoint.gb",
    },
  ];
}

const vpcEndpointRule: PricingRule = (r, ctx) => {
  const type = (r.inputs.vpcEndpointType as string | undefined) ?? "Gateway";
  if (type === "Gateway") return { free: "gateway endpoints (S3, DynamoDB) carry no charge" };
  if (type !== "Interface") return { unpriced: `endpoint type ${type} is not modelled` };
  const subnets = arr(r.inputs.subnetIds);
  if (!subnets.length)
    return { unpriced: "interface endpoint with no subnetIds: its zone count is unknown" };
  return interfaceEndpointItems(
    ctx,
    r.inputs.serviceName ?? r.name,
    subnets.length,
    "its subnetIds",
  );
};

/**
 * awsx's VPC is a remote component: under the mocks only the component is registered with its
 * arguments, never its subnets, gateways or Elastic IPs. NAT gateways and their public addresses are
 * therefore derived from `natGateways.strategy` and the zones, as awsx itself would create them.
 */
const awsxVpcRule: PricingRule = (r, ctx) => {
  const i = r.inputs;
  const zones = arr(i.availabilityZoneNames).length || num(i.numberOfAvailabilityZones) || 3;
  const specTypes = new Set(arr(i.subnetSpecs).map((s) => String(s.type)));
  const explicit = i.natGateways?.strategy as string | undefined;
  // awsx: "If private and public subnets are both specified, defaults to one gateway per availability zone."
  const strategy =
    explicit ??
    (specTypes.size === 0 || (specTypes.has("Public") && specTypes.has("Private"))
      ? "OnePerAz"
      : "None");
  const count = strategy === "Single" ? 1 : strategy === "OnePerAz" ? zones : 0;
  const how = `awsx natGateways.strategy ${strategy}${explicit ? "" : " (awsx default)"}${strategy === "OnePerAz" ? `, ${zones} zones` : ""}`;
  const h = ctx.hoursPerMonth;
  const items: ItemDraft[] = [
    {
      description: `NAT gateways: ${count} (${how}) × ${fmt(h)} h`,
      quantity: count * h,
      priceKey: "vpc.nat-gateway.hour",
    },
  ];
  if (count > 0) {
    items.push({
      description: `NAT data processed: ${count} × ${fmt(ctx.usage.network.natGbPerGateway)} GB (platform:cost.network.natGbPerGateway)`,
      quantity: count * ctx.usage.network.natGbPerGateway,
      priceKey: "vpc.nat-gateway.gb",
    });
    // With elasticIpAllocationIds the addresses are Eip resources of the plan, priced there.
    if (!arr(i.natGateways?.elasticIpAllocationIds).length) {
      items.push({
        description: `public IPv4 of the ${count} NAT gateway(s) (Elastic IPs awsx creates)`,
        quantity: count * h,
        priceKey: "vpc.public-ipv4",
      });
    }
  }
  for (const spec of arr(i.vpcEndpointSpecs)) {
    if ((spec.vpcEndpointType ?? "Gateway") !== "Interface") continue;
    const n = arr(spec.subnetIds).length;
    items.push(
      ...interfaceEndpointItems(
        ctx,
        spec.serviceName,
        n || zones,
        n ? "its subnetIds" : "one per VPC zone, assumed",
      ),
    );
  }
  return items;
};

const loadBalancerRule: PricingRule = (r, ctx) => {
  const type = (r.inputs.loadBalancerType as string | undefined) ?? "application";
  const kind = type === "application" ? "alb" : type === "network" ? "nlb" : undefined;
  if (!kind) return { unpriced: `load balancer type ${type} is not modelled` };
  const h = ctx.hoursPerMonth;
  const lcu = ctx.usage.network.lcuPerLoadBalancer;
  const items: ItemDraft[] = [
    {
      description: `${type} load balancer, ${fmt(h)} h`,
      quantity: h,
      priceKey: `elb.${kind}.hour`,
    },
    {
      description: `${fmt(lcu)} capacity unit(s) on average (platform:cost.network.lcuPerLoadBalancer) × ${fmt(h)} h`,
      quantity: lcu * h,
      priceKey: `elb.${kind}.${kind === "alb" ? "lcu" : "nlcu"}`,
    },
  ];
  if (r.inputs.internal !== true) {
    const zones = arr(r.inputs.subnets).length || arr(r.inputs.subnetMappings).length;
    if (!zones)
      return {
        unpriced: "internet-facing load balancer with no subnets: its public IPv4 count is unknown",
      };
    items.push({
      description: `public IPv4 of the internet-facing load balancer: one per subnet (${zones})`,
      quantity: zones * h,
      priceKey: "vpc.public-ipv4",
    });
  }
  return items;
};

// ---------------------------------------------------------------------------------------------
// Keys, secrets, parameters

const kmsKeyRule: PricingRule = (r, ctx) => [
  {
    description: `customer managed key${r.inputs.enableKeyRotation ? " (rotation on: +$1/month after each of the first two rotations, from year 2)" : ""}`,
    quantity: 1,
    priceKey: "kms.key",
  },
  {
    description: `${fmt(ctx.usage.kms.requestsPerKey)} requests (platform:cost.kms.requestsPerKey)`,
    quantity: ctx.usage.kms.requestsPerKey / 10_000,
    priceKey: "kms.requests",
  },
];

const secretRule: PricingRule = (r, ctx) => {
  const replicas = arr(r.inputs.replicas).length;
  return [
    {
      description: replicas ? `secret and ${replicas} replica(s)` : "secret",
      quantity: 1 + replicas,
      priceKey: "secretsmanager.secret",
    },
    {
      description: `${fmt(ctx.usage.secrets.apiCallsPerSecret)} API calls (platform:cost.secrets.apiCallsPerSecret)`,
      quantity: ctx.usage.secrets.apiCallsPerSecret / 10_000,
      priceKey: "secretsmanager.api",
    },
  ];
};

const ssmParameterRule: PricingRule = (r) => {
  const tier = (r.inputs.tier as string | undefined) ?? "Standard";
  const value =
    typeof r.inputs.value === "string"
      ? r.inputs.value
      : typeof r.inputs.insecureValue === "string"
        ? r.inputs.insecureValue
        : "";
  // Intelligent-Tiering stores a parameter as advanced only when it needs to (over 4 KB).
  if (tier === "Advanced" || (tier === "Intelligent-Tiering" && Buffer.byteLength(value) > 4096)) {
    return [
      {
        description: `advanced parameter${tier === "Advanced" ? "" : " (Intelligent-Tiering, value over 4 KB)"}`,
        quantity: 1,
        priceKey: "ssm.parameter.advanced",
      },
    ];
  }
  return { free: "standard tier parameter: no charge" };
};

// ---------------------------------------------------------------------------------------------
// Logs, metrics, alarms

function logGroupTargets(ctx: RuleContext, group: PlannedResource): PlannedResource[] {
  const arn = String(group.state.arn ?? "");
  const name = nameOf(group);
  return ctx.ofType("aws:ec2/flowLog:FlowLog").filter((f) => {
    if ((f.inputs.logDestinationType ?? "cloud-watch-logs") !== "cloud-watch-logs") return false;
    const dest = String(f.inputs.logDestination ?? "");
    return (arn && (dest === arn || dest === `${arn}:*`)) || f.inputs.logGroupName === name;
  });
}

function logItems(
  ctx: RuleContext,
  label: string,
  gb: number,
  retentionDays: number | undefined,
  klass: string | undefined,
  how: string,
): ItemDraft[] {
  const months = retentionDays ? retentionDays / DAYS_PER_MONTH : ctx.usage.logs.neverExpireMonths;
  const infrequent = klass === "INFREQUENT_ACCESS";
  return [
    {
      description: `${label}: ${fmt(gb)} GB ingested a month (${how})${infrequent ? ", Infrequent Access class" : ""}`,
      quantity: gb,
      priceKey: infrequent ? "logs.ingestion.infrequent-access" : "logs.ingestion.standard",
    },
    {
      description: retentionDays
        ? `${label}: ${fmt(gb * months)} GB stored (${retentionDays} days retention, uncompressed size as an upper bound)`
        : `${label}: ${fmt(gb * months)} GB stored (never expires: ${fmt(months)} months accumulated, platform:cost.logs.neverExpireMonths)`,
      quantity: gb * months,
      priceKey: "logs.storage",
    },
  ];
}

const logGroupRule: PricingRule = (r, ctx) => {
  const flows = logGroupTargets(ctx, r);
  const gb = flows.length
    ? flows.length * ctx.usage.logs.flowLogGbPerMonth
    : ctx.usage.logs.ingestGbPerGroup;
  const how = flows.length
    ? `${flows.length} VPC flow log(s): platform:cost.logs.flowLogGbPerMonth`
    : "platform:cost.logs.ingestGbPerGroup";
  const retention = num(r.inputs.retentionInDays);
  return logItems(
    ctx,
    `log group ${nameOf(r)}`,
    gb,
    retention || undefined,
    r.inputs.logGroupClass,
    how,
  );
};

const flowLogRule: PricingRule = (r, ctx) => {
  const type = (r.inputs.logDestinationType as string | undefined) ?? "cloud-watch-logs";
  if (type !== "cloud-watch-logs")
    return { unpriced: `flow logs delivered to ${type} are not modelled` };
  const dest = String(r.inputs.logDestination ?? "");
  const planned = ctx
    .ofType("aws:cloudwatch/logGroup:LogGroup")
    .some((g) => logGroupTargets(ctx, g).includes(r));
  if (planned)
    return {
      free: "billed as ingestion of its destination log group (platform:cost.logs.flowLogGbPerMonth)",
    };
  return [
    {
      description: `flow log records into ${dest || "a log group outside the plan"}: ${fmt(ctx.usage.logs.flowLogGbPerMonth)} GB (platform:cost.logs.flowLogGbPerMonth)`,
      quantity: ctx.usage.logs.flowLogGbPerMonth,
      priceKey: "logs.ingestion.standard",
    },
  ];
};

const metricAlarmRule: PricingRule = (r) => {
  const queries = arr(r.inputs.metricQueries);
  const metrics = queries.filter((q) => q.metric).length || 1;
  const anomaly = queries.some(
    (q) => typeof q.expression === "string" && q.expression.includes("ANOMALY_DETECTION_BAND"),
  );
  const periods = [num(r.inputs.period), ...queries.map((q) => num(q.metric?.period))].filter(
    (p): p is number => p !== undefined,
  );
  const high = periods.some((p) => p < 60);
  // An anomaly detection alarm is billed as three metrics: the metric and the band's two bounds.
  const n = anomaly ? metrics * 3 : metrics;
  return [
    {
      description: `${high ? "high-resolution" : "standard"} alarm, ${n} metric(s)${anomaly ? " (anomaly detection counts 3 per metric)" : ""}`,
      quantity: n,
      priceKey: high ? "cloudwatch.alarm.high-resolution" : "cloudwatch.alarm.standard",
    },
  ];
};

// ---------------------------------------------------------------------------------------------
// Lambda, S3, notifications, DNS

const lambdaRule: PricingRule = (r, ctx) => {
  const { requestsPerFunction: requests, averageDurationMs: ms } = ctx.usage.lambda;
  const memory = num(r.inputs.memorySize) ?? 128;
  const arm = arr<string>(r.inputs.architectures).includes("arm64");
  const gbs = requests * (ms / 1000) * (memory / 1024);
  const items: ItemDraft[] = [
    {
      description: `${fmt(requests)} invocations (platform:cost.lambda.requestsPerFunction)`,
      quantity: requests / 1_000_000,
      priceKey: "lambda.requests",
    },
    {
      description: `${fmt(requests)} × ${fmt(ms)} ms × ${memory} MB = ${fmt(gbs)} GB-s, ${arm ? "arm64" : "x86_64"} (platform:cost.lambda.averageDurationMs)`,
      quantity: gbs,
      priceKey: arm ? "lambda.gb-second.arm" : "lambda.gb-second.x86",
    },
  ];
  // Lambda writes to /aws/lambda/<name>, creating it without retention when no program does.
  const fnName = nameOf(r);
  const target =
    (r.inputs.loggingConfig?.logGroup as string | undefined) ?? `/aws/lambda/${fnName}`;
  const declared = ctx.ofType("aws:cloudwatch/logGroup:LogGroup").some((g) => nameOf(g) === target);
  if (!declared)
    items.push(
      ...logItems(
        ctx,
        `log group ${target} (created by Lambda, not in the plan)`,
        ctx.usage.logs.ingestGbPerGroup,
        undefined,
        undefined,
        "platform:cost.logs.ingestGbPerGroup",
      ),
    );
  return items;
};

const bucketRule: PricingRule = (r, ctx) => {
  const s = ctx.usage.s3;
  return [
    {
      description: `${fmt(s.gbPerBucket)} GB stored (platform:cost.s3.gbPerBucket)`,
      quantity: s.gbPerBucket,
      priceKey: "s3.standard.storage",
    },
    {
      description: `${fmt(s.putRequestsPerBucket)} PUT/LIST requests (platform:cost.s3.putRequestsPerBucket)`,
      quantity: s.putRequestsPerBucket / 1000,
      priceKey: "s3.put",
    },
    {
      description: `${fmt(s.getRequestsPerBucket)} GET requests (platform:cost.s3.getRequestsPerBucket)`,
      quantity: s.getRequestsPerBucket / 1000,
      priceKey: "s3.get",
    },
  ];
};

const topicRule: PricingRule = (r, ctx) => [
  {
    description: `${fmt(ctx.usage.notifications.publishesPerTopic)} publishes (platform:cost.notifications.publishesPerTopic)`,
    quantity: ctx.usage.notifications.publishesPerTopic / 1_000_000,
    priceKey: "sns.publish",
  },
];

const subscriptionRule: PricingRule = (r, ctx) => {
  const protocol = String(r.inputs.protocol ?? "");
  if (protocol === "email" || protocol === "email-json") {
    const n = ctx.usage.notifications.emailsPerSubscription;
    return [
      {
        description: `${fmt(n)} e-mails (platform:cost.notifications.emailsPerSubscription)`,
        quantity: n / 100_000,
        priceKey: "sns.email",
      },
    ];
  }
  if (["lambda", "sqs", "firehose"].includes(protocol))
    return { free: "deliveries to Lambda, SQS and Firehose carry no SNS charge" };
  return { unpriced: `deliveries over ${protocol || "an unknown protocol"} are not modelled` };
};

const hostedZoneRule: PricingRule = (r, ctx) => [
  { description: "hosted zone", quantity: 1, priceKey: "route53.hosted-zone" },
  {
    description: `${fmt(ctx.usage.dns.queriesPerZone)} standard queries (platform:cost.dns.queriesPerZone)`,
    quantity: ctx.usage.dns.queriesPerZone / 1_000_000,
    priceKey: "route53.queries",
  },
];

// ---------------------------------------------------------------------------------------------
// Organization: budgets and the trail

const budgetRule: PricingRule = () => [
  {
    description: `budget without actions: ${fmt(DAYS_PER_MONTH)} budget-days`,
    quantity: DAYS_PER_MONTH,
    priceKey: "budgets.budget",
  },
];

/** The first 62 action-enabled budget-days a month are free per payer: about two budgets. */
const FREE_ACTION_BUDGET_DAYS = 62;

const budgetActionRule: PricingRule = (r, ctx) => {
  const actions = ctx.ofType("aws:budgets/budgetAction:BudgetAction");
  const budgets = [...new Set(actions.map((a) => String(a.inputs.budgetName)))].sort();
  const mine = String(r.inputs.budgetName);
  if (actions.find((a) => String(a.inputs.budgetName) === mine) !== r)
    return {
      free: "its budget is already action-enabled by another action (billed per budget, not per action)",
    };
  const before = budgets.indexOf(mine) * DAYS_PER_MONTH;
  const freeLeft = Math.max(0, FREE_ACTION_BUDGET_DAYS - before);
  const billed = Math.max(0, DAYS_PER_MONTH - freeLeft);
  return [
    {
      description: `action-enabled budget ${budgets.indexOf(mine) + 1} of ${budgets.length}: ${fmt(billed)} of ${fmt(DAYS_PER_MONTH)} budget-days billed (62 a month free per payer)`,
      quantity: billed,
      priceKey: "budgets.action-enabled",
    },
  ];
};

const trailRule: PricingRule = (r, ctx) => {
  const i = r.inputs;
  if (arr(i.insightSelectors).length) return { unpriced: "CloudTrail Insights are not modelled" };
  const dataEvents =
    arr(i.eventSelectors).some((s) => arr(s.dataResources).length > 0) ||
    arr(i.advancedEventSelectors).length > 0;
  if (dataEvents)
    return {
      unpriced:
        "data events are not modelled (their volume depends on object and function traffic)",
    };
  const recordsManagement = (t: PlannedResource) =>
    arr(t.inputs.eventSelectors).every((s) => s.includeManagementEvents !== false);
  const trails = ctx
    .ofType("aws:cloudtrail/trail:Trail")
    .filter(recordsManagement)
    .sort((a, b) => a.urn.localeCompare(b.urn));
  if (!recordsManagement(r)) return { free: "records no management events" };
  if (trails[0] === r)
    return [
      {
        description:
          "first copy of management events: no CloudTrail charge (log delivery is billed by S3)",
        quantity: 0,
        priceKey: "cloudtrail.management-additional",
      },
    ];
  const n = ctx.usage.audit.managementEventsPerTrail;
  return [
    {
      description: `additional copy of management events: ${fmt(n)} events (platform:cost.audit.managementEventsPerTrail)`,
      quantity: n / 100_000,
      priceKey: "cloudtrail.management-additional",
    },
  ];
};

// ---------------------------------------------------------------------------------------------

const one =
  (priceKey: string, description: string): PricingRule =>
  () => [{ description, quantity: 1, priceKey }];

export const PRICING_RULES: Readonly<Record<string, PricingRule>> = {
  "aws:ec2/instance:Instance": instanceRule,
  "aws:autoscaling/group:Group": autoScalingGroupRule,
  "aws:ebs/volume:Volume": volumeRule,
  "aws:dlm/lifecyclePolicy:LifecyclePolicy": dlmRule,
  "aws:backup/selection:Selection": backupSelectionRule,
  "aws:ec2/eip:Eip": eipRule,
  "aws:ec2/natGateway:NatGateway": natGatewayRule,
  "aws:ec2/vpcEndpoint:VpcEndpoint": vpcEndpointRule,
  "awsx:ec2:Vpc": awsxVpcRule,
  "aws:lb/loadBalancer:LoadBalancer": loadBalancerRule,
  "aws:alb/loadBalancer:LoadBalancer": loadBalancerRule,
  "aws:kms/key:Key": kmsKeyRule,
  "aws:kms/replicaKey:ReplicaKey": kmsKeyRule,
  "aws:kms/externalKey:ExternalKey": kmsKeyRule,
  "aws:secretsmanager/secret:Secret": secretRule,
  "aws:ssm/parameter:Parameter": ssmParameterRule,
  "aws:cloudwatch/logGroup:LogGroup": logGroupRule,
  "aws:ec2/flowLog:FlowLog": flowLogRule,
  "aws:cloudwatch/metricAlarm:MetricAlarm": metricAlarmRule,
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": one(
    "cloudwatch.alarm.composite",
    "composite alarm",
  ),
  "aws:cloudwatch/dashboard:Dashboard": one("cloudwatch.dashboard", "dashboard"),
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": one(
    "cloudwatch.metric",
    "metric filter: one custom metric (more if it adds dimensions)",
  ),
  "aws:lambda/function:Function": lambdaRule,
  "aws:s3/bucket:Bucket": bucketRule,
  "aws:s3/bucketV2:BucketV2": bucketRule,
  "aws:sns/topic:Topic": topicRule,
  "aws:sns/topicSubscription:TopicSubscription": subscriptionRule,
  "aws:route53/zone:Zone": hostedZoneRule,
  "aws:budgets/budget:Budget": budgetRule,
  "aws:budgets/budgetAction:BudgetAction": budgetActionRule,
  "aws:cloudtrail/trail:Trail": trailRule,
};

/** Price keys the rules use whatever the inputs (instance types and volume types come from the plan). */
export const STATIC_PRICE_KEYS = [
  "ebs.gp3.storage",
  "ebs.gp3.iops",
  "ebs.gp3.throughput",
  "ebs.gp2.storage",
  "ebs.snapshot.standard",
  "vpc.public-ipv4",
  "vpc.nat-gateway.hour",
  "vpc.nat-gateway.gb",
  "vpc.interface-endpoint.hour",
  "vpc.interface-endpoint.gb",
  "elb.alb.hour",
  "elb.alb.lcu",
  "elb.nlb.hour",
  "elb.nlb.nlcu",
  "kms.key",
  "kms.requests",
  "secretsmanager.secret",
  "secretsmanager.api",
  "ssm.parameter.advanced",
  "logs.ingestion.standard",
  "logs.ingestion.infrequent-access",
  "logs.storage",
  "cloudwatch.metric",
  "cloudwatch.alarm.standard",
  "cloudwatch.alarm.high-resolution",
  "cloudwatch.alarm.composite",
  "cloudwatch.dashboard",
  "lambda.requests",
  "lambda.gb-second.x86",
  "lambda.gb-second.arm",
  "s3.standard.storage",
  "s3.put",
  "s3.get",
  "sns.publish",
  "sns.email",
  "route53.hosted-zone",
  "route53.queries",
  "budgets.budget",
  "budgets.action-enabled",
  "cloudtrail.management-additional",
] as const;

const NO_CHARGE = {
  network: "VPC networking object: AWS charges nothing for it",
  firewall: "security groups and network ACLs carry no charge",
  iam: "IAM carries no charge",
  identityCenter: "IAM Identity Center, its identity store and permission sets carry no charge",
  organizations: "AWS Organizations, its policies and accounts carry no charge",
  costTools: "Cost Explorer tags, anomaly monitors and subscriptions carry no charge",
  billedElsewhere:
    "carries no charge itself; what it configures is billed on the resource it belongs to",
  pulumi: "Pulumi engine object, not an AWS resource",
  local: "computed by Pulumi during deployment: no cloud resource",
} as const;

/** Types with no charge, and why. Anything neither here nor in PRICING_RULES is listed as unpriced. */
export const FREE_TYPES: Readonly<Record<string, string>> = {
  "aws:ec2/vpc:Vpc": NO_CHARGE.network,
  "aws:ec2/subnet:Subnet": NO_CHARGE.network,
  "aws:ec2/routeTable:RouteTable": NO_CHARGE.network,
  "aws:ec2/route:Route": NO_CHARGE.network,
  "aws:ec2/routeTableAssociation:RouteTableAssociation": NO_CHARGE.network,
  "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": NO_CHARGE.network,
  "aws:ec2/internetGateway:InternetGateway": NO_CHARGE.network,
  "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": NO_CHARGE.network,
  "aws:ec2/vpcDhcpOptions:VpcDhcpOptions": NO_CHARGE.network,
  "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation": NO_CHARGE.network,
  "aws:ec2/defaultRouteTable:DefaultRouteTable": NO_CHARGE.network,
  "aws:ec2/networkInterface:NetworkInterface":
    "network interfaces carry no charge; a public IPv4 on one is billed through its Elastic IP",
  "aws:ec2/networkInterfaceAttachment:NetworkInterfaceAttachment": NO_CHARGE.network,
  "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": NO_CHARGE.network,
  "aws:ec2/securityGroup:SecurityGroup": NO_CHARGE.firewall,
  "aws:ec2/securityGroupRule:SecurityGroupRule": NO_CHARGE.firewall,
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": NO_CHARGE.firewall,
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": NO_CHARGE.firewall,
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": NO_CHARGE.firewall,
  "aws:ec2/networkAcl:NetworkAcl": NO_CHARGE.firewall,
  "aws:ec2/networkAclRule:NetworkAclRule": NO_CHARGE.firewall,
  "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": NO_CHARGE.firewall,
  "aws:ec2/eipAssociation:EipAssociation": "the address is billed on its Elastic IP",
  "aws:ec2/volumeAttachment:VolumeAttachment": "the volume is billed on its EBS volume",
  "aws:ec2/launchTemplate:LaunchTemplate": "a template: the instances launched from it are priced",
  "aws:ec2/keyPair:KeyPair": NO_CHARGE.billedElsewhere,
  "aws:ec2/tag:Tag": NO_CHARGE.billedElsewhere,
  "aws:backup/plan:Plan": "billed through its selections (the recovery points they keep)",
  "aws:backup/vault:Vault": "billed through the selections whose recovery points it holds",
  "aws:iam/role:Role": NO_CHARGE.iam,
  "aws:iam/policy:Policy": NO_CHARGE.iam,
  "aws:iam/rolePolicy:RolePolicy": NO_CHARGE.iam,
  "aws:identitystore/group:Group": NO_CHARGE.identityCenter,
  "aws:ssoadmin/permissionSet:PermissionSet": NO_CHARGE.identityCenter,
  "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": NO_CHARGE.identityCenter,
  "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment":
    NO_CHARGE.identityCenter,
  "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": NO_CHARGE.identityCenter,
  "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment":
    NO_CHARGE.identityCenter,
  "aws:ssoadmin/accountAssignment:AccountAssignment": NO_CHARGE.identityCenter,
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": NO_CHARGE.iam,
  "aws:iam/instanceProfile:InstanceProfile": NO_CHARGE.iam,
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": NO_CHARGE.iam,
  "aws:iam/user:User": NO_CHARGE.iam,
  "aws:iam/userPolicy:UserPolicy": NO_CHARGE.iam,
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": NO_CHARGE.iam,
  "aws:iam/accessKey:AccessKey": NO_CHARGE.iam,
  "aws:iam/serviceLinkedRole:ServiceLinkedRole": NO_CHARGE.iam,
  "aws:organizations/organization:Organization": NO_CHARGE.organizations,
  "aws:organizations/organizationalUnit:OrganizationalUnit": NO_CHARGE.organizations,
  "aws:organizations/account:Account": NO_CHARGE.organizations,
  "aws:organizations/policy:Policy": NO_CHARGE.organizations,
  "aws:organizations/policyAttachment:PolicyAttachment": NO_CHARGE.organizations,
  "aws:organizations/delegatedAdministrator:DelegatedAdministrator": NO_CHARGE.organizations,
  "aws:costexplorer/costAllocationTag:CostAllocationTag": NO_CHARGE.costTools,
  "aws:costexplorer/anomalyMonitor:AnomalyMonitor": NO_CHARGE.costTools,
  "aws:costexplorer/anomalySubscription:AnomalySubscription": NO_CHARGE.costTools,
  "aws:kms/alias:Alias": NO_CHARGE.billedElsewhere,
  "aws:kms/grant:Grant": NO_CHARGE.billedElsewhere,
  "aws:secretsmanager/secretVersion:SecretVersion": "included in its secret's monthly price",
  "aws:secretsmanager/secretPolicy:SecretPolicy": NO_CHARGE.billedElsewhere,
  "aws:secretsmanager/secretRotation:SecretRotation":
    "rotation itself is free; its Lambda is priced",
  "aws:ssm/document:Document": NO_CHARGE.billedElsewhere,
  "aws:ssm/association:Association": "State Manager associations on EC2 carry no charge",
  "aws:cloudwatch/logStream:LogStream": "billed through its log group",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": NO_CHARGE.billedElsewhere,
  "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter":
    "the destination it feeds is priced",
  "aws:cloudwatch/eventRule:EventRule": "EventBridge rules on AWS service events carry no charge",
  "aws:cloudwatch/eventTarget:EventTarget":
    "EventBridge rules on AWS service events carry no charge",
  "aws:lambda/permission:Permission": NO_CHARGE.billedElsewhere,
  "aws:lambda/functionUrl:FunctionUrl":
    "Function URLs carry no charge; invocations are priced on the function",
  "aws:lambda/alias:Alias": NO_CHARGE.billedElsewhere,
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": NO_CHARGE.billedElsewhere,
  "aws:s3/bucketPolicy:BucketPolicy": NO_CHARGE.billedElsewhere,
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": NO_CHARGE.billedElsewhere,
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": NO_CHARGE.billedElsewhere,
  "aws:s3/bucketVersioning:BucketVersioning": "versions are counted in the bucket's stored GB",
  "aws:s3/bucketVersioningV2:BucketVersioningV2": "versions are counted in the bucket's stored GB",
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration":
    "Object Lock carries no charge; the versions it retains are counted in the bucket's stored GB",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
    "encryption requests are counted on the key",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2":
    "encryption requests are counted on the key",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": NO_CHARGE.billedElsewhere,
  "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": NO_CHARGE.billedElsewhere,
  "aws:s3/bucketNotification:BucketNotification": NO_CHARGE.billedElsewhere,
  "aws:s3/bucketObject:BucketObject": "its bytes are counted in the bucket's stored GB",
  "aws:s3/bucketObjectv2:BucketObjectv2": "its bytes are counted in the bucket's stored GB",
  "aws:sns/topicPolicy:TopicPolicy": NO_CHARGE.billedElsewhere,
  "aws:lb/targetGroup:TargetGroup": "billed through its load balancer's capacity units",
  "aws:alb/targetGroup:TargetGroup": "billed through its load balancer's capacity units",
  "aws:lb/listener:Listener": "billed through its load balancer's capacity units",
  "aws:alb/listener:Listener": "billed through its load balancer's capacity units",
  "aws:lb/listenerRule:ListenerRule": "billed through its load balancer's capacity units",
  "aws:lb/targetGroupAttachment:TargetGroupAttachment": NO_CHARGE.billedElsewhere,
  "aws:lb/listenerCertificate:ListenerCertificate": NO_CHARGE.billedElsewhere,
  "aws:acm/certificate:Certificate": "public ACM certificates carry no charge",
  "aws:acm/certificateValidation:CertificateValidation": NO_CHARGE.billedElsewhere,
  "aws:route53/record:Record": "records carry no charge; queries are priced on the hosted zone",
};

/** Whole packages whose resources never exist in AWS. */
const FREE_PACKAGES: Readonly<Record<string, string>> = {
  pulumi: NO_CHARGE.pulumi,
  random: NO_CHARGE.local,
  tls: NO_CHARGE.local,
};

export function freeReason(type: string): string | undefined {
  return FREE_TYPES[type] ?? FREE_PACKAGES[type.split(":")[0]];
}

/**
 * Custom metrics the OpenVPN server publishes (lib/openvpn/metrics-script.ts): ConnectedDevices,
 * and DeviceConnected once per device, which the edge stack counts in its `deviceCount` output.
 * No planned resource declares them, so they are charged to the environment as usage.
 */
function environmentItems(ctx: RuleContext, plans: readonly StackPlan[]) {
  const edge = plans.find((p) => p.project === "edge");
  if (!edge) return [];
  const devices = num(edge.outputs.deviceCount) ?? 0;
  const c = ctx.usage.cloudwatch;
  const n = c.hostMetrics + devices * c.metricsPerEdgeDevice;
  return [
    {
      stack: `${edge.project}/${edge.stack}`,
      label: "custom metrics",
      drafts: [
        {
          description: `custom metrics hosts publish: ${fmt(c.hostMetrics)} (platform:cost.cloudwatch.hostMetrics) + ${devices} edge device(s) × ${fmt(c.metricsPerEdgeDevice)} (edge deviceCount output, platform:cost.cloudwatch.metricsPerEdgeDevice)`,
          quantity: n,
          priceKey: "cloudwatch.metric",
        },
      ],
    },
  ];
}

export const PLATFORM_CLASSIFIER: Classifier = {
  rules: PRICING_RULES,
  free: freeReason,
  environmentItems,
};
