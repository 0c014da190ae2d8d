import { INTERNAL_PORTS, PORT_MAP, ResolvedComposeOptions } from "./compose";
import { HostSecretKey } from "./secrets";

/**
 * Apache Felix configuration of the OpenEMS backend. OpenEMS reads its component configuration
 * only from Felix ConfigAdmin files (`-Dfelix.cm.dir=/var/opt/openems/config`, see
 * tools/docker/backend/root/etc/s6-overlay/s6-rc.d/svc-openems-backend/run); it has no
 * environment-variable configuration and the release ships no ConfigAdmin interpolation plugin.
 *
 * The image copies its default configuration only into an empty config directory
 * (init-openems-config/run), so once the apply step writes these files the defaults are not
 * used at all. The defaults would be wrong for this design anyway: Ui.Websocket listens on 8082,
 * which the port map gives to Backend2Backend.Rest, and Metadata.File/Timedata.Dummy are demo
 * components.
 *
 * File layout follows Felix's FilePersistenceManager: the PID with dots as directories; factory
 * configurations sit in a directory named after the factory PID, as in the files the OpenEMS
 * repository used to ship (tools/docker/openems-backend/config.d/Backend2Backend/Rest/
 * <uuid>.config).
 * Attribute names are from each component's Config.java at tag 2026.1.0.
 */

export type FelixValue =
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "int"; readonly value: number }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "secret"; readonly key: HostSecretKey };

export interface FelixConfigFile {
  /** Path relative to the Felix config directory. */
  readonly path: string;
  /**
   * true: rewritten on every run of the apply step (holds secrets, so a rotated secret reaches
   * OpenEMS; console edits to it do not survive). false: written only when missing, so changes made
   * in the Felix console survive.
   */
  readonly ownedByBoot: boolean;
  readonly properties: ReadonlyArray<readonly [string, FelixValue]>;
}

const str = (value: string): FelixValue => ({ type: "string", value });
const int = (value: number): FelixValue => ({ type: "int", value });
const bool = (value: boolean): FelixValue => ({ type: "bool", value });
const secret = (key: HostSecretKey): FelixValue => ({ type: "secret", key });

// Fixed ids for the two factory configurations, so every run writes the same file instead of
// adding another instance.
const B2B_REST_INSTANCE = "2c4f0f38-7e0b-4b9a-9a31-5d6c8e0b8082";
const INFLUX_INSTANCE = "6a1d1e57-3f3c-4d8e-b1c0-7d2e5f0a8086";

export function felixConfigFiles(opts: ResolvedComposeOptions): FelixConfigFile[] {
  return [
    {
      path: "Edge/Websocket.config",
      ownedByBoot: false,
      properties: [
        ["port", int(PORT_MAP.edgeWebsocket)],
        ["poolSize", int(10)],
        ["service.pid", str("Edge.Websocket")],
      ],
    },
    {
      path: "Ui/Websocket.config",
      ownedByBoot: false,
      properties: [
        ["port", int(INTERNAL_PORTS.uiWebsocket)],
        ["poolSize", int(10)],
        ["requestLimit", int(20)],
        ["service.pid", str("Ui.Websocket")],
      ],
    },
    {
      path: `Backend2Backend/Rest/${B2B_REST_INSTANCE}.config`,
      ownedByBoot: false,
      properties: [
        ["port", int(PORT_MAP.b2bRest)],
        ["service.factoryPid", str("Backend2Backend.Rest")],
        ["service.pid", str(`Backend2Backend.Rest.${B2B_REST_INSTANCE}`)],
      ],
    },
    {
      path: `Timedata/InfluxDB/${INFLUX_INSTANCE}.config`,
      ownedByBoot: true,
      properties: [
        ["id", str("timedata0")],
        // What the OpenEMS docker docs configure for InfluxDB 2 (backend/deploy/docker.adoc).
        ["queryLanguage", str("INFLUX_QL")],
        ["url", str("http://influxdb:8086")],
        ["org", str(opts.influxOrg)],
        // The operator token created at first start; a bucket-scoped token would be narrower
        // but can only be created after InfluxDB is up (follow-up).
        ["apiKey", secret("influxdbAdminToken")],
        ["bucket", str(opts.influxBucket)],
        ["measurement", str("data")],
        ["isReadOnly", bool(false)],
        ["service.factoryPid", str("Timedata.InfluxDB")],
        ["service.pid", str(`Timedata.InfluxDB.${INFLUX_INSTANCE}`)],
      ],
    },
    {
      path: "Metadata/Odoo.config",
      ownedByBoot: true,
      properties: [
        ["odooProtocol", str("HTTP")],
        ["odooHost", str("odoo")],
        ["odooPort", int(INTERNAL_PORTS.odooHttp)],
        // uid 2 is Odoo's `admin` user (uid 1 is the internal superuser, which cannot log in).
        ["odooUid", int(2)],
        ["odooPassword", secret("odooAdminPassword")],
        ["pgHost", str("postgres")],
        ["pgPort", int(5432)],
        ["pgUser", str("odoo")],
        ["pgPassword", secret("postgresPassword")],
        ["database", str(opts.odooDatabase)],
        ["service.pid", str("Metadata.Odoo")],
      ],
    },
  ];
}

/** Felix quoted-string escaping for the characters that end or escape a quoted value. */
function quote(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new Error(
      `Felix config value ${JSON.stringify(value)} contains a control character; not supported`,
    );
  }
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** One `key=value` line of a Felix .config file, the secret resolved through `secretValue`. */
export function felixLine(
  key: string,
  value: FelixValue,
  secretValue: (k: HostSecretKey) => string,
): string {
  switch (value.type) {
    case "string":
      return `${key}=${quote(value.value)}`;
    case "int":
      return `${key}=I"${value.value}"`;
    case "bool":
      return `${key}=B"${value.value}"`;
    case "secret":
      return `${key}=${quote(secretValue(value.key))}`;
  }
}

const REVISION_LINE = ':org.apache.felix.configadmin.revision:=L"1"';

/** The file's exact content with secrets filled in (what the apply step produces on the host). */
export function renderFelixFile(
  file: FelixConfigFile,
  secrets: Readonly<Record<HostSecretKey, string>>,
): string {
  const lines = file.properties.map(([k, v]) => felixLine(k, v, (s) => secrets[s]));
  return [REVISION_LINE, ...lines].join("\n") + "\n";
}

/** Single-quotes a word for bash. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
