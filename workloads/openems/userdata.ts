import * as crypto from "crypto";
import {
  ComposeOptions,
  ResolvedComposeOptions,
  composeDataDirs,
  renderCompose,
  serviceEnvFile,
  validateComposeOptions,
} from "./compose";
import { felixConfigFiles, felixLine } from "./felix";
import { HOST_SECRET_KEYS, HostSecretKey, SERVICE_SECRET_ENV, ServiceWithSecrets } from "./secrets";
import {
  APPLY_LIB_DIR,
  APPLY_SCRIPT_PATH,
  APPLY_UNIT,
  DESIRED_DIR,
  HOST_PACKAGES,
  applyScriptFiles,
  renderApplyService,
} from "./apply";
import { contentDigest, HostManifest, ManagedFile, NO_SSH_UNITS } from "../../lib/host-agent";

/**
 * Docker Compose v2 plugin. Amazon Linux 2023 packages `docker` but not the compose plugin
 * (amazonlinux/amazon-linux-2023 issue #186, still open), so the apply step downloads the release
 * binary and refuses it unless its sha256 matches. v2.40.3 is the last 2.x release; v5 exists but
 * is not proven against AL2023's Docker 25. Checksums as recorded for this release by
 * docker-library/docker (versions.json, `compose.arches.{amd64,arm64v8}.sha256`).
 */
export const DEFAULT_COMPOSE_PLUGIN: ComposePlugin = {
  version: "2.40.3",
  sha256: {
    x86_64: "dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372",
    aarch64: "d26373b19e89160546d15407516cc59f453030d9bc5b43ba7faf16f7b4980137",
  },
};

export interface ComposePlugin {
  /** Release of github.com/docker/compose, without the leading `v`. */
  readonly version: string;
  /** sha256 of `docker-compose-linux-<arch>` per `uname -m`. */
  readonly sha256: { readonly x86_64: string; readonly aarch64: string };
}

/** What the CloudWatch agent publishes, for the alarms the Pulumi program creates. */
export const HOST_METRICS = {
  namespace: "CWAgent",
  diskUsedPercent: "disk_used_percent",
  memUsedPercent: "mem_used_percent",
} as const;

/**
 * Dimensions of `disk_used_percent` for the data volume, exactly as the agent config below
 * publishes them (the device dimension is dropped because NVMe names are not stable). The
 * filesystem type is xfs because the apply step formats new volumes with xfs; a volume that
 * arrived with another filesystem reports that type instead.
 */
export function dataDiskMetricDimensions(
  instanceId: string,
  mountPoint = "/data",
): Record<string, string> {
  return { InstanceId: instanceId, path: mountPoint, fstype: "xfs" };
}

export interface HostOptions {
  /** The Compose stack: compose file, env files, data directories and Felix config derive from it. */
  readonly compose: ComposeOptions;
  /** EBS data volume id (`vol-` + 8 or 17 hex); the script waits for it under /dev/disk/by-id. */
  readonly dataVolumeId: string;
  /** ARN of the Secrets Manager secret holding the JSON of HOST_SECRET_KEYS (see secrets.ts). */
  readonly secretArn: string;
  /** Compose plugin release and checksums. Default {@link DEFAULT_COMPOSE_PLUGIN}. */
  readonly composePlugin?: ComposePlugin;
  /** Configure the CloudWatch agent for disk_used_percent and mem_used_percent. Default true. */
  readonly cloudWatchAgent?: boolean;
  /** Where compose.yaml is written. Default `/opt/openems`. */
  readonly composeDir?: string;
}

const VOLUME_ID = /^vol-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SECRET_ARN = new RegExp(
  "^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d:\\d{12}:secret:[A-Za-z0-9/_+=.@-]+$",
);
const SHA256 = /^[0-9a-f]{64}$/;
const SEMVER = /^\d+\.\d+\.\d+$/;
const ABS_PATH = /^(\/[A-Za-z0-9._-]+)+$/;
const OPTION_KEYS = [
  "compose",
  "dataVolumeId",
  "secretArn",
  "composePlugin",
  "cloudWatchAgent",
  "composeDir",
];
const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

export interface ResolvedHostOptions {
  readonly compose: ResolvedComposeOptions;
  readonly dataVolumeId: string;
  readonly secretArn: string;
  readonly composePlugin: ComposePlugin;
  readonly cloudWatchAgent: boolean;
  readonly composeDir: string;
}

/** Checks every option (the compose options too) and throws one Error listing every problem. */
export function validateHostOptions(opts: HostOptions): ResolvedHostOptions {
  const problems: string[] = [];
  for (const key of Object.keys(opts)) {
    if (!OPTION_KEYS.includes(key)) {
      problems.push(`unknown option "${key}"; allowed: ${OPTION_KEYS.join(", ")}`);
    }
  }
  let compose: ResolvedComposeOptions | undefined;
  try {
    compose = validateComposeOptions(opts.compose ?? ({} as ComposeOptions));
  } catch (e) {
    problems.push(`compose: ${(e as Error).message.replace(/\n/g, "\n  ")}`);
  }
  if (typeof opts.dataVolumeId !== "string" || !VOLUME_ID.test(opts.dataVolumeId)) {
    problems.push(
      `dataVolumeId: got ${show(opts.dataVolumeId)}; expected an EBS volume id such as "vol-0123456789abcdef0"`,
    );
  }
  if (typeof opts.secretArn !== "string" || !SECRET_ARN.test(opts.secretArn)) {
    problems.push(
      `secretArn: got ${show(opts.secretArn)}; expected a Secrets Manager secret ARN ` +
        `(arn:aws:secretsmanager:<region>:<account>:secret:<name>)`,
    );
  } else if (compose && opts.secretArn.split(":")[3] !== compose.region) {
    // The script asks Secrets Manager in the instance's own region (from IMDSv2).
    problems.push(
      `secretArn: the secret is in ${opts.secretArn.split(":")[3]} but the host runs in ` +
        `${compose.region}; expected a secret in the host's region`,
    );
  }
  const plugin = opts.composePlugin ?? DEFAULT_COMPOSE_PLUGIN;
  if (typeof plugin.version !== "string" || !SEMVER.test(plugin.version)) {
    problems.push(
      `composePlugin.version: got ${show(plugin.version)}; expected a release such as "2.40.3" (no leading v)`,
    );
  }
  for (const arch of ["x86_64", "aarch64"] as const) {
    const sum = plugin.sha256?.[arch];
    if (typeof sum !== "string" || !SHA256.test(sum)) {
      problems.push(
        `composePlugin.sha256.${arch}: got ${show(sum)}; expected 64 lowercase hex characters`,
      );
    }
  }
  const cloudWatchAgent = opts.cloudWatchAgent ?? true;
  if (typeof cloudWatchAgent !== "boolean") {
    problems.push(`cloudWatchAgent: got ${show(cloudWatchAgent)}; expected true or false`);
  }
  const composeDir = opts.composeDir ?? "/opt/openems";
  if (typeof composeDir !== "string" || !ABS_PATH.test(composeDir) || composeDir.includes("/..")) {
    problems.push(
      `composeDir: got ${show(opts.composeDir)}; expected an absolute path such as "/opt/openems"`,
    );
  }
  if (problems.length > 0 || !compose) {
    const list = problems.map((p) => `  - ${p}`).join("\n");
    throw new Error(`Invalid OpenEMS host options:\n${list}`);
  }
  return {
    compose,
    dataVolumeId: opts.dataVolumeId,
    secretArn: opts.secretArn,
    composePlugin: plugin,
    cloudWatchAgent,
    composeDir,
  };
}

/** Minimal CloudWatch agent config: disk and memory use, the metrics alarms need. */
export function renderCloudWatchAgentConfig(mountPoint: string): string {
  return JSON.stringify({
    agent: { metrics_collection_interval: 60 },
    metrics: {
      namespace: HOST_METRICS.namespace,
      append_dimensions: { InstanceId: "${aws:InstanceId}" },
      metrics_collected: {
        disk: { measurement: ["used_percent"], resources: [mountPoint, "/"], drop_device: true },
        mem: { measurement: ["used_percent"] },
      },
    },
  });
}

/** A Felix file as the apply step renders it: literal lines, and secret lines `key="<value>"`. */
export type DesiredFelixLine = string | { readonly key: string; readonly secret: HostSecretKey };

/**
 * host.json, version 1: everything the apply step needs besides the Compose file. Holds no secret
 * value, only which secret key goes where.
 */
export interface DesiredHostState {
  readonly version: 1;
  /** sha256 of compose.yaml as published: a pair that does not match is half of an update. */
  readonly composeSha256: string;
  readonly dataVolumeId: string;
  readonly mountPoint: string;
  readonly dataDirs: readonly string[];
  readonly secretArn: string;
  readonly secretKeys: readonly HostSecretKey[];
  readonly secretsDir: string;
  readonly composeDir: string;
  readonly felixDir: string;
  readonly composePlugin: ComposePlugin;
  readonly envFiles: ReadonlyArray<{
    readonly path: string;
    readonly vars: ReadonlyArray<readonly [string, HostSecretKey]>;
  }>;
  readonly felix: ReadonlyArray<{
    readonly path: string;
    readonly mode: "keep" | "always";
    readonly lines: readonly DesiredFelixLine[];
  }>;
  /** The CloudWatch agent's configuration, or null for a host without the agent. */
  readonly cloudWatchAgent: unknown;
}

export interface DesiredState {
  /** The Compose file, exactly as the host writes it (ends with one newline). */
  readonly composeYaml: string;
  readonly host: DesiredHostState;
  /** `host` as the SSM parameter holds it. */
  readonly hostJson: string;
}

const FELIX_REVISION = ':org.apache.felix.configadmin.revision:=L"1"';

/**
 * What the Pulumi program publishes for the host (SSM parameters `<prefix>/compose.yaml` and
 * `<prefix>/host.json`). A change here reaches the running host through the apply step; the
 * instance's user data does not depend on it.
 */
export function renderDesiredState(options: HostOptions): DesiredState {
  const o = validateHostOptions(options);
  const c = o.compose;
  const composeYaml = renderCompose(options.compose).replace(/\n*$/, "\n");
  const host: DesiredHostState = {
    version: 1,
    composeSha256: crypto.createHash("sha256").update(composeYaml).digest("hex"),
    dataVolumeId: o.dataVolumeId,
    mountPoint: c.mountPoint,
    dataDirs: composeDataDirs(c),
    secretArn: o.secretArn,
    secretKeys: [...HOST_SECRET_KEYS],
    secretsDir: c.secretsDir,
    composeDir: o.composeDir,
    felixDir: `${c.mountPoint}/openems/config`,
    composePlugin: o.composePlugin,
    envFiles: (Object.keys(SERVICE_SECRET_ENV) as ServiceWithSecrets[]).map((service) => ({
      path: serviceEnvFile(c, service),
      vars: Object.entries(SERVICE_SECRET_ENV[service]) as [string, HostSecretKey][],
    })),
    felix: felixConfigFiles(c).map((file) => ({
      path: file.path,
      mode: file.ownedByBoot ? "always" : "keep",
      lines: [
        FELIX_REVISION,
        ...file.properties.map(([key, value]): DesiredFelixLine =>
          value.type === "secret" ? { key, secret: value.key } : felixLine(key, value, () => ""),
        ),
      ],
    })),
    cloudWatchAgent: o.cloudWatchAgent
      ? JSON.parse(renderCloudWatchAgentConfig(c.mountPoint))
      : null,
  };
  return { composeYaml, host, hostJson: JSON.stringify(host) };
}

/** SSM parameters of the backend's desired state, under `/openems/<env>/backend`. */
export function desiredStateParameters(prefix: string) {
  return {
    host: `${prefix}/host.json`,
    compose: `${prefix}/compose.yaml`,
    /** One parameter per part of the apply step (each under the advanced tier's 8 KB). */
    apply: (part: string) => `${prefix}/apply/${part}`,
  } as const;
}

/**
 * The backend's host-agent manifest: its packages; the apply step (from SSM), host.json and
 * compose.yaml (from SSM, each with the sha256 it must have, so the agent never installs a value
 * the manifest does not name) and the apply unit (inline); sshd masked; the apply unit started
 * once every file is there, and restarted when one changed.
 */
export function backendHostManifest(prefix: string, desired: DesiredState): HostManifest {
  const names = desiredStateParameters(prefix);
  const onChange = { restart: [APPLY_UNIT] };
  const files: ManagedFile[] = [
    ...applyScriptFiles().map((f): ManagedFile => ({
      path: f.path,
      source: { ssmParameter: names.apply(f.name) },
      mode: f.path === APPLY_SCRIPT_PATH ? "0755" : "0644",
      sha256: contentDigest(f.content),
      onChange,
    })),
    {
      path: `${DESIRED_DIR}/host.json`,
      source: { ssmParameter: names.host },
      sha256: contentDigest(desired.hostJson),
      onChange,
    },
    {
      path: `${DESIRED_DIR}/compose.yaml`,
      source: { ssmParameter: names.compose },
      sha256: contentDigest(desired.composeYaml),
      onChange,
    },
    {
      path: `/etc/systemd/system/${APPLY_UNIT}`,
      source: { inline: renderApplyService() },
      onChange,
    },
  ];
  return {
    packages: [...HOST_PACKAGES],
    directories: [{ path: APPLY_LIB_DIR }, { path: DESIRED_DIR }],
    files,
    units: [
      ...NO_SSH_UNITS,
      { name: APPLY_UNIT, state: "running", requires: files.map((f) => f.path) },
    ],
  };
}
