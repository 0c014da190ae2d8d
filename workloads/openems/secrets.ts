/**
 * The contract between the Pulumi program that creates the backend host's Secrets Manager secret
 * and the boot script that reads it. The secret is one JSON object whose keys are
 * {@link HOST_SECRET_KEYS}; every value must match {@link SECRET_VALUE_PATTERN}.
 *
 * Why the character set is restricted: each value ends up in three formats with different quoting
 * rules (a Compose env file, which Compose v2 interpolates on `$`; an Apache Felix `.config` file,
 * where `"` and `\` are escapes; Odoo's INI file). Passwords made only of these characters need no
 * escaping anywhere, so the boot script can refuse anything else instead of escaping it wrongly.
 * Generate them with `@pulumi/random` `RandomPassword({ length: 32, special: false })`.
 */

export const HOST_SECRET_KEYS = [
  /** PostgreSQL superuser `odoo` (used by Odoo and by OpenEMS Metadata.Odoo). */
  "postgresPassword",
  /** Odoo's database-manager master password (`admin_passwd`): needed to create/drop databases. */
  "odooMasterPassword",
  /**
   * Password of the Odoo `admin` user (uid 2). OpenEMS Metadata.Odoo logs in with it; enter it as
   * the admin password when creating the Odoo database.
   */
  "odooAdminPassword",
  /** InfluxDB 2 initial admin user's password (UI login on 8086). */
  "influxdbAdminPassword",
  /** InfluxDB 2 operator token created at first start; OpenEMS Timedata.InfluxDB writes with it. */
  "influxdbAdminToken",
] as const;
export type HostSecretKey = (typeof HOST_SECRET_KEYS)[number];

/**
 * Source of the allowed-value regular expression. It is written so that JavaScript and bash
 * (`[[ $v =~ $re ]]`, POSIX ERE) read it the same way.
 */
export const SECRET_VALUE_REGEX_SOURCE = "^[A-Za-z0-9._~+/=-]{16,256}$";
export const SECRET_VALUE_PATTERN = new RegExp(SECRET_VALUE_REGEX_SOURCE);

/**
 * Which secret each container receives, as `ENV_NAME: secret key`, one env file per service. One
 * file per service (instead of a single shared file) keeps every container to the secrets it uses:
 * PostgreSQL never sees the InfluxDB token and so on.
 *
 * Services absent from this map get no env file. The OpenEMS backend reads its credentials from
 * Apache Felix configuration files instead (see `felix.ts`): OpenEMS has no environment-variable
 * configuration.
 *
 * The OpenEMS B2B (MBE) credentials are deliberately not here: Backend2Backend.Rest authenticates
 * HTTP Basic credentials against Metadata (Odoo users), see `RestHandler.authenticate` in
 * io.openems.backend.b2brest, so no container on this host consumes them. They belong to an Odoo
 * user created by an admin, and to the MBE proxy's own secret.
 */
export const SERVICE_SECRET_ENV = {
  postgres: { POSTGRES_PASSWORD: "postgresPassword" },
  // The odoo image's entrypoint reads the database password from PASSWORD (odoo/docker
  // 16.0/entrypoint.sh); ODOO_MASTER_PASSWORD is read by our entrypoint wrapper in compose.ts.
  odoo: { PASSWORD: "postgresPassword", ODOO_MASTER_PASSWORD: "odooMasterPassword" },
  // Read once, on first start with an empty data directory (influxdb 2.x image entrypoint).
  influxdb: {
    DOCKER_INFLUXDB_INIT_PASSWORD: "influxdbAdminPassword",
    DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: "influxdbAdminToken",
  },
} as const satisfies Record<string, Record<string, HostSecretKey>>;
export type ServiceWithSecrets = keyof typeof SERVICE_SECRET_ENV;
