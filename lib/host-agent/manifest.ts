// The host manifest: the desired state of one host, as data. Programs build it with the types below
// and publish renderHostManifest's JSON in one SSM parameter; the agent (agent-script.ts) on the
// host reads it at boot and on its timer. Version 1: later versions only add optional keys, which
// the agent ignores when it does not know them.
import * as crypto from "crypto";

export const HOST_MANIFEST_VERSION = 1;

/**
 * SSM's standard tier holds 4 KB a value (advanced: 8 KB, $0.05 a month); large or many files
 * belong in S3 and the manifest names them with their digest.
 */
export const HOST_MANIFEST_LIMIT_BYTES = 4096;
/** The advanced tier's limit, for a manifest parameter created with tier "Advanced". */
export const HOST_MANIFEST_ADVANCED_LIMIT_BYTES = 8192;

/** Where a file's content comes from. */
export type FileSource =
  /** Content held in the manifest itself (small, never secret). */
  | { readonly inline: string }
  /** An SSM parameter's value; `decrypt` for SecureString (the agent passes --with-decryption). */
  | { readonly ssmParameter: string; readonly decrypt?: boolean }
  /** An S3 object's body. */
  | { readonly s3Object: { readonly bucket: string; readonly key: string } };

/** What to do to systemd units when a file (or a tree) changed. */
export interface OnChange {
  readonly restart?: readonly string[];
  readonly reload?: readonly string[];
}

export interface ManagedFile {
  /** Absolute path on the host. */
  readonly path: string;
  readonly source: FileSource;
  /** Octal mode, e.g. "0644" (default "0644"; "0600" for secret files). */
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
  /**
   * Digest of the content the file must have (hex SHA-256). The agent installs nothing else: an S3
   * object that does not match (not written yet, or altered) is a waiting state. Never set it for
   * secrets. renderHostManifest fills it in for inline content.
   */
  readonly sha256?: string;
  /**
   * A command run on the new content before it is installed: `{}` is replaced by the path of the
   * staged file (beside the target, so relative includes resolve), `{name}` by the file's name.
   * Non-zero refuses the new content and keeps the installed one.
   */
  readonly validate?: readonly string[];
  /** Never print the validator's output (default: true when the source is decrypted). */
  readonly secret?: boolean;
  readonly onChange?: OnChange;
}

/**
 * A directory mirrored from every object under an S3 prefix (flat: an object `<prefix><name>`
 * becomes `<path>/<name>`; names are letters, digits and . _ -). Objects that disappear are removed;
 * an object the validator refuses is removed too (fail closed) and logged.
 */
export interface ManagedTree {
  readonly path: string;
  readonly source: { readonly s3Prefix: { readonly bucket: string; readonly prefix: string } };
  /** Mode and owner of every file in it. */
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
  /** As for files; `{name}` is the object's name (a device's common name for ccd entries). */
  readonly validate?: readonly string[];
  readonly onChange?: OnChange;
}

export interface ManagedDirectory {
  readonly path: string;
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
}

export interface ManagedUnit {
  /** A systemd unit name, e.g. "openvpn-server@server.service". */
  readonly name: string;
  /**
   * "running": enabled and started, restarted or reloaded when a file names it in onChange;
   * "masked": stopped and masked (sshd on every host).
   */
  readonly state: "running" | "masked";
  /** Files that must exist before the unit is started: until then the unit waits, nothing fails. */
  readonly requires?: readonly string[];
}

export interface HostManifest {
  /** dnf packages the agent installs when missing. */
  readonly packages?: readonly string[];
  readonly directories?: readonly ManagedDirectory[];
  /** Applied in order: a validator script must come before the files it validates. */
  readonly files?: readonly ManagedFile[];
  readonly trees?: readonly ManagedTree[];
  /** Started in order, after every file and tree. */
  readonly units?: readonly ManagedUnit[];
}

/** Units every host masks: access is Session Manager only. */
export const NO_SSH_UNITS: readonly ManagedUnit[] = [
  { name: "sshd.service", state: "masked" },
  { name: "sshd.socket", state: "masked" },
];

const SAFE_PATH = /^\/[A-Za-z0-9._@\/-]+$/;
const MODE = /^0?[0-7]{3}$/;
const ACCOUNT = /^[a-z_][a-z0-9_-]{0,31}$/;
const UNIT = /^[A-Za-z0-9:_.@\\-]+\.(service|socket|timer|target|path|mount)$/;
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const SSM_NAME = /^\/[A-Za-z0-9_.\-\/]{1,1010}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_KEY = /^[A-Za-z0-9!_.*'()\/-]{1,1024}$/;
const SHA256 = /^[0-9a-f]{64}$/;

function fail(key: string, value: unknown, allowed: string): never {
  throw new Error(`host manifest: ${key}: got ${JSON.stringify(value)}; expected ${allowed}`);
}

function checkPath(key: string, path: unknown): string {
  if (typeof path !== "string" || !SAFE_PATH.test(path) || path.split("/").includes("..")) {
    fail(key, path, "an absolute path of letters, digits and . _ @ - / without '..'");
  }
  return path;
}

function checkOwnership(key: string, spec: { mode?: string; owner?: string; group?: string }) {
  if (spec.mode !== undefined && !MODE.test(spec.mode))
    fail(`${key}.mode`, spec.mode, 'an octal mode such as "0644"');
  for (const k of ["owner", "group"] as const) {
    if (spec[k] !== undefined && !ACCOUNT.test(spec[k] as string)) {
      fail(`${key}.${k}`, spec[k], "a POSIX account name");
    }
  }
}

function checkArgv(key: string, argv: readonly string[] | undefined) {
  if (argv === undefined) return;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === "string")) {
    fail(key, argv, "a non-empty list of arguments");
  }
  checkPath(`${key}[0]`, argv[0]);
}

function checkUnits(key: string, units: readonly string[] | undefined) {
  for (const [i, u] of (units ?? []).entries()) {
    if (!UNIT.test(u))
      fail(`${key}[${i}]`, u, "a systemd unit name such as openvpn-server@server.service");
  }
}

function checkSource(key: string, source: FileSource): void {
  const kinds = Object.keys(source ?? {}).filter((k) => k !== "decrypt");
  if (kinds.length !== 1 || !["inline", "ssmParameter", "s3Object"].includes(kinds[0])) {
    fail(key, source, "exactly one of inline, ssmParameter, s3Object");
  }
  if ("inline" in source && typeof source.inline !== "string")
    fail(`${key}.inline`, source.inline, "a string");
  if (
    "ssmParameter" in source &&
    (!SSM_NAME.test(source.ssmParameter) || /^\/(aws|ssm)/i.test(source.ssmParameter))
  ) {
    fail(
      `${key}.ssmParameter`,
      source.ssmParameter,
      "an SSM parameter name starting with / (not /aws or /ssm)",
    );
  }
  if ("s3Object" in source) checkS3(`${key}.s3Object`, source.s3Object.bucket, source.s3Object.key);
}

function checkS3(key: string, bucket: string, objectKey: string) {
  if (!BUCKET.test(bucket)) fail(`${key}.bucket`, bucket, "an S3 bucket name");
  if (!S3_KEY.test(objectKey) || objectKey.startsWith("/"))
    fail(
      `${key}.key`,
      objectKey,
      "an S3 key of letters, digits and ! _ . * ' ( ) / - not starting with /",
    );
}

const sha256 = (text: string) => crypto.createHash("sha256").update(text, "utf8").digest("hex");

/** Validates the manifest and fills in the defaults the agent relies on. */
export function normalizeHostManifest(manifest: HostManifest) {
  const seen = new Set<string>();
  const unique = (key: string, path: string) => {
    if (seen.has(path)) fail(key, path, "each path managed once");
    seen.add(path);
  };
  const packages = [...(manifest.packages ?? [])];
  packages.forEach((p, i) => PACKAGE.test(p) || fail(`packages[${i}]`, p, "a dnf package name"));
  const directories = (manifest.directories ?? []).map((d, i) => {
    const key = `directories[${i}]`;
    checkPath(`${key}.path`, d.path);
    checkOwnership(key, d);
    return {
      path: d.path,
      mode: d.mode ?? "0755",
      owner: d.owner ?? "root",
      group: d.group ?? "root",
    };
  });
  const files = (manifest.files ?? []).map((f, i) => {
    const key = `files[${i}]`;
    unique(`${key}.path`, checkPath(`${key}.path`, f.path));
    checkSource(`${key}.source`, f.source);
    checkOwnership(key, f);
    checkArgv(`${key}.validate`, f.validate);
    checkUnits(`${key}.onChange.restart`, f.onChange?.restart);
    checkUnits(`${key}.onChange.reload`, f.onChange?.reload);
    const decrypted = "ssmParameter" in f.source && f.source.decrypt === true;
    const secret = f.secret ?? decrypted;
    if (f.sha256 !== undefined && (!SHA256.test(f.sha256) || secret)) {
      fail(
        `${key}.sha256`,
        f.sha256,
        "64 lower-case hex digits, and only on files that are not secret",
      );
    }
    if ("inline" in f.source && /PRIVATE KEY|OpenVPN Static key/.test(f.source.inline)) {
      fail(
        `${key}.source.inline`,
        "(key material)",
        "no key material inline: name an SSM SecureString parameter",
      );
    }
    const digest = "inline" in f.source ? sha256(f.source.inline) : f.sha256;
    return {
      path: f.path,
      source: f.source,
      mode: f.mode ?? (secret ? "0600" : "0644"),
      owner: f.owner ?? "root",
      group: f.group ?? "root",
      ...(digest !== undefined ? { sha256: digest } : {}),
      validate: [...(f.validate ?? [])],
      secret,
      onChange: {
        restart: [...(f.onChange?.restart ?? [])],
        reload: [...(f.onChange?.reload ?? [])],
      },
    };
  });
  const trees = (manifest.trees ?? []).map((t, i) => {
    const key = `trees[${i}]`;
    unique(`${key}.path`, checkPath(`${key}.path`, t.path));
    const { bucket, prefix } = t.source?.s3Prefix ?? ({} as { bucket: string; prefix: string });
    checkS3(`${key}.source.s3Prefix`, bucket, prefix);
    if (!prefix.endsWith("/"))
      fail(`${key}.source.s3Prefix.prefix`, prefix, "a prefix ending in /");
    checkOwnership(key, t);
    checkArgv(`${key}.validate`, t.validate);
    checkUnits(`${key}.onChange.restart`, t.onChange?.restart);
    checkUnits(`${key}.onChange.reload`, t.onChange?.reload);
    return {
      path: t.path,
      source: { s3Prefix: { bucket, prefix } },
      mode: t.mode ?? "0644",
      owner: t.owner ?? "root",
      group: t.group ?? "root",
      validate: [...(t.validate ?? [])],
      secret: false,
      onChange: {
        restart: [...(t.onChange?.restart ?? [])],
        reload: [...(t.onChange?.reload ?? [])],
      },
    };
  });
  const unitNames = new Set<string>();
  const units = (manifest.units ?? []).map((u, i) => {
    const key = `units[${i}]`;
    checkUnits(`${key}.name`, [u.name]);
    if (unitNames.has(u.name)) fail(`${key}.name`, u.name, "each unit listed once");
    unitNames.add(u.name);
    if (u.state !== "running" && u.state !== "masked")
      fail(`${key}.state`, u.state, '"running" or "masked"');
    (u.requires ?? []).forEach((p, j) => checkPath(`${key}.requires[${j}]`, p));
    return { name: u.name, state: u.state, requires: [...(u.requires ?? [])] };
  });
  return { version: HOST_MANIFEST_VERSION, packages, directories, files, trees, units };
}

// Values the agent assumes when a key is absent: left out of the JSON to keep it small.
const AGENT_DEFAULTS: Record<string, unknown> = { owner: "root", group: "root", secret: false };

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => compact(v));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const empty =
      (Array.isArray(v) && v.length === 0) ||
      (k === "onChange" &&
        (compact(v) as OnChange).restart === undefined &&
        (compact(v) as OnChange).reload === undefined);
    if (AGENT_DEFAULTS[k] !== v && !empty) out[k] = compact(v);
  }
  return out;
}

/**
 * The JSON the agent reads (stable: the same manifest always renders to the same bytes). Defaults
 * the agent applies itself (root ownership, no validator, no units to notify) are left out.
 */
export function renderHostManifest(
  manifest: HostManifest,
  opts: { readonly limitBytes?: number } = {},
): string {
  const limit = opts.limitBytes ?? HOST_MANIFEST_LIMIT_BYTES;
  const normal = normalizeHostManifest(manifest);
  const json = JSON.stringify({
    ...(compact(normal) as object),
    // Lists the agent iterates stay present even when empty.
    packages: normal.packages,
    directories: normal.directories.map((d) => compact(d)),
    files: normal.files.map((f) => compact(f)),
    trees: normal.trees.map((t) => compact(t)),
    units: normal.units.map((u) => compact(u)),
  });
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes > limit) {
    fail(
      "(whole manifest)",
      `${bytes} bytes`,
      `at most ${limit} bytes (${limit <= HOST_MANIFEST_LIMIT_BYTES ? "SSM standard tier" : "SSM advanced tier"}): move large files to S3 objects with their sha256`,
    );
  }
  return json;
}

/** Hex SHA-256 of a file's content, for ManagedFile.sha256 of S3 objects the program writes. */
export function contentDigest(content: string): string {
  return sha256(content);
}
