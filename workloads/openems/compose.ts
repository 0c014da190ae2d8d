import * as YAML from "yaml";
import { ServiceWithSecrets } from "./secrets";
import { PORT_MAP } from "../../lib/ports";

/**
 * Docker Compose stack of the OpenEMS backend host: OpenEMS Backend, its UI, Odoo (OpenEMS
 * Metadata) with PostgreSQL, and InfluxDB (OpenEMS Timedata).
 *
 * Sources (read in the OpenEMS/openems repository at tag 2026.1.0 unless stated):
 * - `tools/docker/backend/docker-compose.yml` and
 *   `doc/modules/ROOT/pages/backend/deploy/docker.adoc` (published as
 *   openems.github.io/openems.io/openems/latest/backend/deploy/docker.html): image
 *   names `openems/backend`, `openems/ui-backend`, `influxdb:alpine`, the config/data volumes
 *   `/var/opt/openems/{config,data}`, the UI's `WEBSOCKET_HOST`/`WEBSOCKET_PORT` settings and
 *   InfluxDB 2 with Timedata.InfluxDB in INFLUX_QL mode.
 * - `.github/workflows/docker.yml`: images are pushed to Docker Hub as `openems/<image>` with the
 *   release tag verbatim (`type=semver,pattern={{raw}}`) for tags `*.*.*`, i.e. `2026.1.0`.
 * - OpenEMS/odoo-openems: the Odoo addon's default branch is `16.0` (manifest 16.0.1.0.1); the
 *   backend doc (io.openems.backend.metadata.odoo/readme.adoc) still says "works with Odoo 15".
 * - docker-library/official-images `library/odoo`, `library/postgres`, `library/influxdb`: tags.
 */

export const SERVICE_NAMES = [
  "openems-backend",
  "openems-ui",
  "odoo",
  "postgres",
  "influxdb",
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * The last OpenEMS release whose `openems/backend` image serves the Edge websocket itself
 * (bundle io.openems.backend.edgewebsocket, port 8081). From 2026.2.0 on that bundle is gone: edges
 * connect to a separate `openems/backend-edge` application that talks to the backend's
 * Edge.Manager, and Docker Hub only has that image from 2026.4.0 (docker.yml matrix). Upgrading
 * past this version means adding that service, so {@link validateComposeOptions} refuses it.
 */
export const LAST_SINGLE_PROCESS_OPENEMS = "2026.1.0";

/**
 * Pinned images. Each tag was read from its publisher's source; none could be pulled from here, so
 * the digests are left to the caller (`images` accepts `name:tag@sha256:...`).
 */
export const DEFAULT_IMAGES: Readonly<Record<ServiceName, string>> = {
  // OpenEMS release 2026.1.0 (git tag in OpenEMS/openems; see LAST_SINGLE_PROCESS_OPENEMS).
  "openems-backend": `openems/backend:${LAST_SINGLE_PROCESS_OPENEMS}`,
  // Built from tools/docker/ui/Dockerfile.backend of the same release; UI and backend must match.
  "openems-ui": `openems/ui-backend:${LAST_SINGLE_PROCESS_OPENEMS}`,
  // Last build of the 16.0 series in library/odoo (removed from the library on 2025-09-18, commit
  // 77fd957 "update 17.0-19.0"): 16.0 matches the odoo-openems addon branch but no longer gets
  // rebuilt, so moving to the addon's next branch is a follow-up.
  odoo: "odoo:16.0-20250909",
  // Odoo 16 needs PostgreSQL >= 12; the Odoo image docs start PostgreSQL 15 with
  // POSTGRES_DB=postgres. Debian rather than Alpine: glibc collations stay stable across rebuilds.
  postgres: "postgres:15.19-bookworm",
  // OpenEMS docs use `influxdb:alpine` (InfluxDB 2, data in /var/lib/influxdb2); library/influxdb
  // maps that tag to 2.9.1-alpine today. Not confirmed against OpenEMS beyond "InfluxDB >= 1.8.10"
  // (io.openems.backend.timedata.influx/readme.adoc).
  influxdb: "influxdb:2.9.1-alpine",
};

/** The published ports of the design's port map (lib/ports.ts); nothing else is published. */
export { PORT_MAP };

/**
 * Container-internal ports that stay unpublished. The OpenEMS image defaults put Ui.Websocket on
 * 8082 (tools/docker/backend/root/var/lib/openems-default-config/Ui/Websocket.config), which the
 * design gives to B2B REST, so Ui.Websocket moves to 8083; the UI container proxies browsers'
 * `/openems-backend` websocket to it. The Felix web console (8079) has default credentials and is
 * reached only through an SSM port-forwarding session.
 */
export const INTERNAL_PORTS = { felixConsole: 8079, uiWebsocket: 8083, odooHttp: 8069 } as const;

interface PortBinding {
  readonly published: number;
  readonly target: number;
}

export const SERVICE_PORTS: Readonly<Record<ServiceName, readonly PortBinding[]>> = {
  "openems-backend": [
    { published: PORT_MAP.edgeWebsocket, target: 8081 },
    { published: PORT_MAP.b2bRest, target: 8082 },
  ],
  // tools/docker/ui/Dockerfile.backend: nginx on 80 (443 only when ENABLE_HTTPS=true).
  "openems-ui": [{ published: PORT_MAP.ui, target: 80 }],
  odoo: [{ published: PORT_MAP.odoo, target: INTERNAL_PORTS.odooHttp }],
  // PostgreSQL is reached by Odoo and OpenEMS over the Compose network only.
  postgres: [],
  influxdb: [{ published: PORT_MAP.influxdb, target: 8086 }],
};

/** Bind mounts per service: host directory relative to the data mount point -> container path. */
export interface DataMount {
  /** Host directory relative to the data mount point. */
  readonly host: string;
  readonly container: string;
}

export const SERVICE_DATA_MOUNTS: Readonly<Record<ServiceName, readonly DataMount[]>> = {
  "openems-backend": [
    { host: "openems/config", container: "/var/opt/openems/config" },
    { host: "openems/data", container: "/var/opt/openems/data" },
  ],
  // The UI keeps only generated nginx config and logs (image VOLUMEs); nothing worth keeping.
  "openems-ui": [],
  odoo: [
    { host: "odoo/data", container: "/var/lib/odoo" },
    // Where admins put the odoo-openems addon (OpenEMS/odoo-openems, directory `openems`).
    { host: "odoo/addons", container: "/mnt/extra-addons" },
  ],
  postgres: [{ host: "postgres", container: "/var/lib/postgresql/data" }],
  influxdb: [
    { host: "influxdb/data", container: "/var/lib/influxdb2" },
    { host: "influxdb/config", container: "/etc/influxdb2" },
  ],
};

export interface ComposeOptions {
  /** CloudWatch log group every container logs to (created and KMS-encrypted by Pulumi). */
  readonly logGroupName: string;
  /** AWS region of that log group, e.g. `eu-central-1`. */
  readonly region: string;
  /** Where the data EBS volume is mounted; every database lives below it. Default `/data`. */
  readonly mountPoint?: string;
  /** tmpfs directory of the per-service env files written at boot; under /run. Default `/run/openems`. */
  readonly secretsDir?: string;
  /** Image per service, `name:tag` or `name:tag@sha256:<64 hex>`. Default {@link DEFAULT_IMAGES}. */
  readonly images?: Partial<Record<ServiceName, string>>;
  /** InfluxDB organisation created at first start and used by OpenEMS. Default `openems`. */
  readonly influxOrg?: string;
  /** InfluxDB bucket OpenEMS writes to. Default `openems`. */
  readonly influxBucket?: string;
  /** InfluxDB initial admin user name. Default `admin`. */
  readonly influxAdminUser?: string;
  /** Odoo database that OpenEMS Metadata.Odoo reads. Default `openems`. */
  readonly odooDatabase?: string;
}

export type ResolvedComposeOptions = Required<Omit<ComposeOptions, "images">> & {
  readonly images: Readonly<Record<ServiceName, string>>;
};

const OPTION_KEYS = [
  "logGroupName",
  "region",
  "mountPoint",
  "secretsDir",
  "images",
  "influxOrg",
  "influxBucket",
  "influxAdminUser",
  "odooDatabase",
] as const;

const DEFAULTS = {
  mountPoint: "/data",
  secretsDir: "/run/openems",
  influxOrg: "openems",
  influxBucket: "openems",
  influxAdminUser: "admin",
  odooDatabase: "openems",
} as const;

export interface ImageRef {
  readonly name: string;
  readonly tag: string;
  readonly digest?: string;
}

// [registry[:port]/]path:tag[@sha256:digest], after the reference grammar of distribution/reference.
const IMAGE_REF = new RegExp(
  "^(?<name>(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)" +
    ":(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(?:@(?<digest>sha256:[0-9a-f]{64}))?$",
);

/** Splits `name:tag[@sha256:...]`; undefined when the reference has no tag or is malformed. */
export function parseImageRef(ref: string): ImageRef | undefined {
  const m = IMAGE_REF.exec(ref);
  if (!m?.groups) return undefined;
  const { name, tag, digest } = m.groups;
  return digest ? { name, tag, digest } : { name, tag };
}

/** `major.minor` at least: `latest`, `alpine`, `16` or `2` move under us; `2.9.1-alpine` does not. */
const PINNED_TAG = /^\d+\.\d+/;
const CALENDAR_VERSION = /^(\d{4})\.(\d{1,2})\.(\d+)$/;

function compareCalendarVersions(a: string, b: string): number {
  const pa = CALENDAR_VERSION.exec(a)!.slice(1).map(Number);
  const pb = CALENDAR_VERSION.exec(b)!.slice(1).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

// CloudWatch Logs log group names: 1-512 of [.-_/#A-Za-z0-9] (CreateLogGroup API reference).
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
// Kept to characters that need no quoting in YAML, fstab, bash and systemd unit files.
const ABS_PATH = /^(\/[A-Za-z0-9._-]+)+$/;
const SIMPLE_NAME = /^[A-Za-z0-9_-]{1,63}$/;
// Mount points that would hide or be hidden by the OS: the data volume needs a directory of its own.
const RESERVED_MOUNTS = [
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/home",
  "/lib",
  "/lib64",
  "/opt",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/sys",
  "/tmp",
  "/usr",
  "/var",
];
const hasDotSegment = (p: string) => p.split("/").some((s) => s === "." || s === "..");

/**
 * Checks every option, applies defaults and returns the resolved options. Throws one Error listing
 * every problem, each naming the key, the value received and what is allowed.
 */
export function validateComposeOptions(opts: ComposeOptions): ResolvedComposeOptions {
  const problems: string[] = [];
  const o = opts as unknown as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      problems.push(`unknown option "${key}"; allowed: ${OPTION_KEYS.join(", ")}`);
    }
  }
  if (typeof opts.logGroupName !== "string" || !LOG_GROUP.test(opts.logGroupName)) {
    problems.push(
      `logGroupName: got ${show(opts.logGroupName)}; expected 1-512 characters of A-Z a-z 0-9 . - _ / #`,
    );
  }
  if (typeof opts.region !== "string" || !REGION.test(opts.region)) {
    problems.push(
      `region: got ${show(opts.region)}; expected an AWS region such as "eu-central-1"`,
    );
  }
  const mountPoint = opts.mountPoint ?? DEFAULTS.mountPoint;
  if (typeof mountPoint !== "string" || !ABS_PATH.test(mountPoint) || hasDotSegment(mountPoint)) {
    problems.push(
      `mountPoint: got ${show(opts.mountPoint)}; expected an absolute path of [A-Za-z0-9._-] ` +
        `segments without "." or "..", e.g. "/data"`,
    );
  } else if (RESERVED_MOUNTS.some((r) => mountPoint === r || mountPoint.startsWith(`${r}/`))) {
    problems.push(
      `mountPoint: got ${show(mountPoint)}; it must not be or lie under ` +
        `${RESERVED_MOUNTS.join(", ")} (system or tmpfs directories)`,
    );
  }
  const secretsDir = opts.secretsDir ?? DEFAULTS.secretsDir;
  if (
    typeof secretsDir !== "string" ||
    !ABS_PATH.test(secretsDir) ||
    !secretsDir.startsWith("/run/") ||
    hasDotSegment(secretsDir)
  ) {
    problems.push(
      `secretsDir: got ${show(opts.secretsDir)}; expected a directory under /run ` +
        `(tmpfs, so secrets never reach a disk), e.g. "/run/openems"`,
    );
  }
  for (const key of ["influxOrg", "influxBucket", "influxAdminUser", "odooDatabase"] as const) {
    const v = opts[key];
    if (v !== undefined && (typeof v !== "string" || !SIMPLE_NAME.test(v))) {
      problems.push(`${key}: got ${show(v)}; expected 1-63 characters of A-Z a-z 0-9 _ -`);
    }
  }

  const images: Record<ServiceName, string> = { ...DEFAULT_IMAGES };
  if (opts.images !== undefined && (typeof opts.images !== "object" || opts.images === null)) {
    problems.push(
      `images: got ${show(opts.images)}; expected an object keyed by service (${SERVICE_NAMES.join(", ")})`,
    );
  } else {
    for (const [service, ref] of Object.entries(opts.images ?? {})) {
      if (!(SERVICE_NAMES as readonly string[]).includes(service)) {
        problems.push(`images.${service}: unknown service; allowed: ${SERVICE_NAMES.join(", ")}`);
        continue;
      }
      images[service as ServiceName] = ref as string;
    }
  }
  for (const service of SERVICE_NAMES) {
    const ref = images[service];
    const parsed = typeof ref === "string" ? parseImageRef(ref) : undefined;
    if (!parsed) {
      problems.push(
        `images.${service}: got ${show(ref)}; expected "name:tag" or "name:tag@sha256:<64 hex>" ` +
          `(an untagged image is not pinned)`,
      );
    } else if (!PINNED_TAG.test(parsed.tag)) {
      problems.push(
        `images.${service}: tag ${show(parsed.tag)} of ${show(ref)} is not pinned; expected a version ` +
          `tag starting with major.minor such as "2.9.1-alpine" (not latest, alpine or a bare major)`,
      );
    }
  }
  for (const service of ["openems-backend", "openems-ui"] as const) {
    const tag = parseImageRef(images[service] ?? "")?.tag;
    if (tag === undefined || !PINNED_TAG.test(tag)) continue;
    if (!CALENDAR_VERSION.test(tag)) {
      problems.push(
        `images.${service}: tag ${show(tag)}; expected an OpenEMS release such as "${LAST_SINGLE_PROCESS_OPENEMS}"`,
      );
    } else if (compareCalendarVersions(tag, LAST_SINGLE_PROCESS_OPENEMS) > 0) {
      problems.push(
        `images.${service}: OpenEMS ${tag} is newer than ${LAST_SINGLE_PROCESS_OPENEMS}, the last ` +
          `release whose backend serves the Edge websocket (8081) itself; later releases need the ` +
          `separate openems/backend-edge service, which this stack does not render yet`,
      );
    }
  }
  const backendTag = parseImageRef(images["openems-backend"] ?? "")?.tag;
  const uiTag = parseImageRef(images["openems-ui"] ?? "")?.tag;
  if (backendTag && uiTag && backendTag !== uiTag) {
    problems.push(
      `images: openems-backend is ${show(backendTag)} but openems-ui is ${show(uiTag)}; ` +
        `the UI and backend must be the same OpenEMS release`,
    );
  }

  if (problems.length > 0) {
    const list = problems.map((p) => `  - ${p}`).join("\n");
    throw new Error(`Invalid OpenEMS compose options:\n${list}`);
  }
  return {
    logGroupName: opts.logGroupName,
    region: opts.region,
    mountPoint,
    secretsDir,
    images,
    influxOrg: opts.influxOrg ?? DEFAULTS.influxOrg,
    influxBucket: opts.influxBucket ?? DEFAULTS.influxBucket,
    influxAdminUser: opts.influxAdminUser ?? DEFAULTS.influxAdminUser,
    odooDatabase: opts.odooDatabase ?? DEFAULTS.odooDatabase,
  };
}

/** Host path of a service's env file (only services listed in SERVICE_SECRET_ENV have one). */
export function serviceEnvFile(opts: ResolvedComposeOptions, service: ServiceWithSecrets): string {
  return `${opts.secretsDir}/${service}.env`;
}

/** Every host directory the stack bind-mounts; the boot script creates them on the volume. */
export function composeDataDirs(opts: ResolvedComposeOptions): string[] {
  return SERVICE_NAMES.flatMap((s) =>
    SERVICE_DATA_MOUNTS[s].map((m) => `${opts.mountPoint}/${m.host}`),
  );
}

/**
 * Odoo has no environment variable for its master password (`admin_passwd` exists only in the
 * config file), so the container writes its config file from the env-file variable before handing
 * over to the image's own entrypoint. `$$` is Compose's escape for a literal `$`; addons_path and
 * data_dir repeat the image's default /etc/odoo/odoo.conf (odoo/docker 16.0/odoo.conf).
 */
const ODOO_ENTRYPOINT = [
  "set -eu",
  "umask 077",
  "printf '[options]\\naddons_path = /mnt/extra-addons\\ndata_dir = /var/lib/odoo\\n" +
    'admin_passwd = %s\\n\' "$$ODOO_MASTER_PASSWORD" > /tmp/odoo.conf',
  "unset ODOO_MASTER_PASSWORD",
  "export ODOO_RC=/tmp/odoo.conf",
  "exec /entrypoint.sh odoo",
].join("; ");

/**
 * Renders the Compose file. It holds no secret: containers get them from env files that the boot
 * script writes to tmpfs. The format is the Compose Specification without a `version:` key, which
 * docker-compose 1.27+ and Compose v2 both accept (v2 warns that `version` is obsolete).
 */
export function renderCompose(options: ComposeOptions): string {
  const opts = validateComposeOptions(options);

  const logging = (service: ServiceName) => ({
    driver: "awslogs",
    options: {
      "awslogs-group": opts.logGroupName,
      "awslogs-region": opts.region,
      // One stream per service: readable names that survive container re-creation (the default
      // stream name is the container id, which changes on every `up`).
      "awslogs-stream": service,
      // Never block a container because CloudWatch is slow or unreachable; at worst log lines
      // beyond the 4 MB buffer are dropped (Docker logging docs, "mode" option).
      mode: "non-blocking",
      "max-buffer-size": "4m",
    },
  });
  const ports = (service: ServiceName) =>
    SERVICE_PORTS[service].map((p) => `${p.published}:${p.target}`);
  const volumes = (service: ServiceName) =>
    SERVICE_DATA_MOUNTS[service].map((m) => `${opts.mountPoint}/${m.host}:${m.container}`);
  const envFile = (service: ServiceWithSecrets) => [serviceEnvFile(opts, service)];
  const base = (service: ServiceName) => ({
    image: opts.images[service],
    restart: "unless-stopped",
    logging: logging(service),
  });
  const withPorts = (service: ServiceName) =>
    SERVICE_PORTS[service].length > 0 ? { ports: ports(service) } : {};
  const check = (test: string[], startPeriod: string, timeout = "5s", retries = 5) => ({
    test,
    interval: "30s",
    timeout,
    retries,
    start_period: startPeriod,
  });

  const services: Record<ServiceName, Record<string, unknown>> = {
    postgres: {
      ...base("postgres"),
      env_file: envFile("postgres"),
      ...withPorts("postgres"),
      // Odoo's image documentation starts PostgreSQL with POSTGRES_USER=odoo, POSTGRES_DB=postgres.
      environment: { POSTGRES_USER: "odoo", POSTGRES_DB: "postgres" },
      volumes: volumes("postgres"),
      healthcheck: check(["CMD", "pg_isready", "-U", "odoo", "-d", "postgres"], "30s"),
      // Time for a clean checkpoint on shutdown instead of crash recovery at the next start.
      stop_grace_period: "60s",
    },
    odoo: {
      ...base("odoo"),
      depends_on: { postgres: { condition: "service_healthy" } },
      env_file: envFile("odoo"),
      environment: { HOST: "postgres", PORT: "5432", USER: "odoo" },
      entrypoint: ["/bin/bash", "-c", ODOO_ENTRYPOINT],
      ...withPorts("odoo"),
      volumes: volumes("odoo"),
      // /web/health exists since Odoo 15 (odoo/odoo PR 56522); curl is installed in the image.
      healthcheck: check(
        [
          "CMD",
          "curl",
          "-fsS",
          "-o",
          "/dev/null",
          `http://127.0.0.1:${INTERNAL_PORTS.odooHttp}/web/health`,
        ],
        "60s",
        "10s",
      ),
    },
    influxdb: {
      ...base("influxdb"),
      env_file: envFile("influxdb"),
      environment: {
        DOCKER_INFLUXDB_INIT_MODE: "setup",
        DOCKER_INFLUXDB_INIT_USERNAME: opts.influxAdminUser,
        DOCKER_INFLUXDB_INIT_ORG: opts.influxOrg,
        DOCKER_INFLUXDB_INIT_BUCKET: opts.influxBucket,
      },
      ...withPorts("influxdb"),
      volumes: volumes("influxdb"),
      healthcheck: check(["CMD", "influx", "ping"], "30s"),
    },
    "openems-backend": {
      ...base("openems-backend"),
      depends_on: {
        influxdb: { condition: "service_healthy" },
        odoo: { condition: "service_healthy" },
      },
      ...withPorts("openems-backend"),
      volumes: volumes("openems-backend"),
      // The image's own readiness probe uses `nc -z` (svc-openems-backend/run); both listeners
      // come from Felix config, so a broken config shows up as unhealthy.
      healthcheck: check(
        [
          "CMD-SHELL",
          `nc -z 127.0.0.1 ${PORT_MAP.edgeWebsocket} && nc -z 127.0.0.1 ${PORT_MAP.b2bRest}`,
        ],
        "120s",
      ),
    },
    "openems-ui": {
      ...base("openems-ui"),
      depends_on: ["openems-backend"],
      environment: {
        WEBSOCKET_HOST: "openems-backend",
        WEBSOCKET_PORT: String(INTERNAL_PORTS.uiWebsocket),
      },
      ...withPorts("openems-ui"),
      healthcheck: check(["CMD", "nc", "-z", "127.0.0.1", "80"], "30s", "5s", 3),
    },
  };

  const doc = new YAML.Document({ services });
  // Port mappings are always quoted: YAML 1.1 parsers (docker-compose v1 uses PyYAML) read an
  // unquoted `a:b` with b < 60 as a base-60 number. Command arrays go on one line for brevity.
  YAML.visit(doc, {
    Pair(_, pair) {
      const key = YAML.isScalar(pair.key) ? pair.key.value : undefined;
      if (key === "ports" && YAML.isSeq(pair.value)) {
        for (const item of pair.value.items) if (YAML.isScalar(item)) item.type = "QUOTE_DOUBLE";
      }
      if ((key === "test" || key === "entrypoint") && YAML.isSeq(pair.value)) {
        pair.value.flow = true;
      }
    },
  });
  doc.commentBefore =
    " OpenEMS backend host stack, rendered by renderCompose() in workloads/openems/compose.ts.\n" +
    " Holds no secrets: containers read them from env files the boot script writes under " +
    `${opts.secretsDir}.`;
  return doc.toString({ lineWidth: 0 });
}
