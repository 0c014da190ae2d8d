/**
 * `npm run odoo-setup -- --env <dev|stage|prod> --odoo-url <url>`: sets up the environment's Odoo
 * (see odoo-setup.ts) from the secrets the platform keeps, so no one types a password:
 *
 * - Secrets Manager `openems/<env>/backend-host` (workloads/backend-host.ts, keys in secrets.ts):
 *   `odooMasterPassword`, `odooAdminPassword`;
 * - Secrets Manager `openems/<env>/mbe-proxy-b2b` (workloads/mbe.ts): the B2B `username`/`password`;
 * - SSM SecureStrings `/openems/<env>/edge/<device>/openems.json` (edge/device.ts
 *   bundleParameters): the device id and its `Controller.Api.Backend.apikey`, for every device the
 *   edge stack deployed.
 *
 * Run it with credentials for the environment's account (e.g. AWS_PROFILE of its deploy role),
 * from a machine that reaches Odoo: the admin VPN (http://<backend private IP>:10016) or the
 * HTTPS name of the admin load balancer. Run it after the first deploy and after every edge stack
 * update; it changes only what differs. It prints what it changed, never a secret.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { environmentFile, ENVIRONMENTS, readStackFile } from "../../lib/repo";
import { odooRpc } from "./odoo-rpc";
import { OdooSetupInput, setupOdoo } from "./odoo-setup";

/** One AWS JSON 1.1 protocol call (Secrets Manager, SSM), SigV4-signed. */
export type AwsJson = (
  service: "secretsmanager" | "ssm",
  target: string,
  body: object,
) => Promise<any>;

export function awsJson(opts: {
  region: string;
  credentials: () => Promise<AwsCredentialIdentity>;
  /** Only for tests: one endpoint for every service. */
  endpoint?: string;
}): AwsJson {
  return async (service, target, body) => {
    const url = new URL(opts.endpoint ?? `https://${service}.${opts.region}.amazonaws.com/`);
    const prefix = service === "ssm" ? "AmazonSSM" : "secretsmanager";
    const text = JSON.stringify(body);
    const signer = new SignatureV4({
      service,
      region: opts.region,
      credentials: opts.credentials,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      headers: {
        host: url.host,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `${prefix}.${target}`,
      },
      body: text,
    });
    const headers = Object.fromEntries(
      Object.entries(signed.headers).filter(([k]) => k !== "host"),
    );
    const res = await fetch(url, {
      method: "POST",
      headers,
      body: text,
      signal: AbortSignal.timeout(30_000),
    });
    const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      // AWS JSON errors: {"__type": "...#ResourceNotFoundException", "message": "..."}; no values.
      const text = (v: unknown) => (typeof v === "string" ? v : "");
      const type = (text(out.__type) || `HTTP ${res.status}`).split("#").pop();
      throw new Error(`${prefix}.${target}: ${type}: ${text(out.message) || text(out.Message)}`);
    }
    return out;
  };
}

async function secretJson(aws: AwsJson, id: string): Promise<Record<string, unknown>> {
  const out = await aws("secretsmanager", "GetSecretValue", { SecretId: id });
  try {
    return JSON.parse(String(out.SecretString));
  } catch {
    throw new Error(`secret ${id} is not JSON (its value is not shown)`);
  }
}
function requireString(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== "string" || v === "")
    throw new Error(`${where}: key "${key}" is missing or empty`);
  return v;
}

/** Reads everything setupOdoo needs from where the platform keeps it. */
export async function readPlatformInputs(
  aws: AwsJson,
  env: string,
  database: string,
): Promise<OdooSetupInput> {
  const hostId = `openems/${env}/backend-host`;
  const host = await secretJson(aws, hostId);
  const b2bId = `openems/${env}/mbe-proxy-b2b`;
  const b2b = await secretJson(aws, b2bId);
  const root = `/openems/${env}/edge/`;
  const devices: { id: string; apikey: string }[] = [];
  let token: string | undefined;
  do {
    const page = await aws("ssm", "GetParametersByPath", {
      Path: root,
      Recursive: true,
      WithDecryption: true,
      MaxResults: 10,
      ...(token ? { NextToken: token } : {}),
    });
    for (const p of (page.Parameters ?? []) as { Name: string; Value: string }[]) {
      const m = new RegExp(`^${root}([^/]+)/openems\\.json$`).exec(p.Name);
      if (!m) continue;
      let settings: Record<string, any>;
      try {
        settings = JSON.parse(p.Value);
      } catch {
        throw new Error(`${p.Name}: not JSON (its value is not shown)`);
      }
      if (settings.edgeId !== m[1]) {
        throw new Error(
          `${p.Name}: edgeId ${JSON.stringify(settings.edgeId)} is not the device id ${m[1]} of its path`,
        );
      }
      const apikey = settings["Controller.Api.Backend"]?.apikey;
      if (typeof apikey !== "string")
        throw new Error(`${p.Name}: no "Controller.Api.Backend".apikey`);
      devices.push({ id: m[1], apikey });
    }
    token = page.NextToken;
  } while (token);
  devices.sort((a, b) => a.id.localeCompare(b.id));
  return {
    database,
    masterPassword: requireString(host, "odooMasterPassword", hostId),
    adminPassword: requireString(host, "odooAdminPassword", hostId),
    b2b: {
      username: requireString(b2b, "username", b2bId),
      password: requireString(b2b, "password", b2bId),
    },
    devices,
  };
}

export function parseArgs(argv: readonly string[]): {
  env: string;
  odooUrl: string;
  database: string;
} {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const env = value("--env");
  if (!env || !(ENVIRONMENTS as readonly string[]).includes(env)) {
    throw new Error(
      `--env: got ${JSON.stringify(env ?? null)}; expected one of ${ENVIRONMENTS.join(", ")}`,
    );
  }
  const odooUrl = value("--odoo-url");
  let parsed: URL | undefined;
  try {
    parsed = odooUrl ? new URL(odooUrl) : undefined;
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    !["http:", "https:"].includes(parsed.protocol) ||
    parsed.username ||
    parsed.password
  ) {
    throw new Error(
      `--odoo-url: got ${JSON.stringify(odooUrl ?? null)}; expected http(s)://<host>[:port] without credentials`,
    );
  }
  const database = value("--database") ?? "openems";
  return { env, odooUrl: parsed.origin, database };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const envConfig = readStackFile(environmentFile(args.env))["platform:environment"] as
    { region?: string } | undefined;
  const region = envConfig?.region;
  if (!region)
    throw new Error(`${environmentFile(args.env)}: platform:environment.region is missing`);
  const sts = new STSClient({ region });
  const aws = awsJson({ region, credentials: () => sts.config.credentials() });
  const input = await readPlatformInputs(aws, args.env, args.database);
  const report = await setupOdoo(odooRpc(args.odooUrl), input);
  const lines = report.changes.length ? report.changes : ["nothing to change"];
  for (const l of lines) console.log(`odoo-setup ${args.env}: ${l}`);
  for (const d of report.unmanagedDevices) {
    console.log(`odoo-setup ${args.env}: device ${d} is in Odoo but not in the fleet (left alone)`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`odoo-setup: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
