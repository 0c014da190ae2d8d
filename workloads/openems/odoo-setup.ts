/**
 * Sets up Odoo for OpenEMS the way the platform needs it, idempotently, through Odoo's external
 * API (./odoo-rpc.ts) — what the README used to leave to an admin:
 *
 * 1. the database OpenEMS Metadata.Odoo reads (compose.ts `odooDatabase`, default `openems`),
 *    created with the `admin` user and the host secret's `odooAdminPassword`;
 * 2. the OpenEMS add-on (OpenEMS/odoo-openems 16.0, module `openems`) and the OCA modules it
 *    depends on (`__manifest__.py` "depends": web_m2x_options, partner_firstname) installed;
 * 3. the B2B user the MBE proxy signs in as, with the password from its secret, in the group
 *    "OpenEMS / Read access" (xml id `openems.group_openems_reader`, security/openems.xml): the
 *    add-on's record rule for ordinary users shows only devices they are linked to, the reader
 *    group's rule `[(1,'=',1)]` shows all;
 * 4. one `openems.device` per fleet device, `name` exactly the device id (OpenEMS looks Edges up
 *    by name and API key: io.openems.backend.metadata.odoo Field.java EdgeDevice NAME, APIKEY),
 *    `apikey` the device's key (models/device.py: `apikey = fields.Char(required=True)`).
 *
 * Nothing is deleted: devices in Odoo that the fleet does not name are reported and left alone.
 * Passwords are compared by logging in with them (Odoo never returns them) and never appear in
 * the report or in errors.
 */
import { OdooError, OdooRpc } from "./odoo-rpc";

/** odoo-openems 16.0 `__manifest__.py`: the module and its dependencies outside Odoo itself. */
export const OPENEMS_MODULES = ["openems", "web_m2x_options", "partner_firstname"] as const;
/**
 * The add-on release the platform supports: odoo-openems branch 16.0 at commit
 * 76dca062f3bbf66436fa813e8570557da0953f89 (2024-03-14), manifest version 16.0.1.0.1. Odoo's
 * `ir.module.module.installed_version` is the version of the module on disk (its manifest).
 */
export const SUPPORTED_ADDON = { module: "openems", version: "16.0.1.0.1" } as const;
export const READER_GROUP = { module: "openems", name: "group_openems_reader" } as const;
const ADMIN_LOGIN = "admin";

export interface OdooSetupInput {
  readonly database: string;
  readonly masterPassword: string;
  readonly adminPassword: string;
  readonly b2b: { readonly username: string; readonly password: string };
  readonly devices: readonly { readonly id: string; readonly apikey: string }[];
}

export interface OdooSetupReport {
  /** What this run changed, e.g. `created database openems`; empty when nothing had to change. */
  readonly changes: string[];
  /** Devices in Odoo that the fleet does not name (left alone). */
  readonly unmanagedDevices: string[];
}

/**
 * odoo-openems 16.0 models/device.py `_compute_name_number`: `int(rec.name[4:]) if
 * rec.name.startswith("edge")`, so a name such as `edge-a1` makes every create or write fail.
 */
export function checkDeviceName(id: string): string | undefined {
  if (id.startsWith("edge") && !/^-?\d+$/.test(id.slice(4))) {
    return (
      `device id ${JSON.stringify(id)}: the OpenEMS Odoo add-on 16.0 parses what follows "edge" as ` +
      `an integer (models/device.py _compute_name_number); expected "edge<number>" or an id that ` +
      `does not start with "edge"`
    );
  }
  return undefined;
}

export function validateSetupInput(input: OdooSetupInput): void {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(input.database)) {
    problems.push(
      `database: got ${JSON.stringify(input.database)}; expected [A-Za-z0-9_.-] (Odoo's db name rule)`,
    );
  }
  const seenKeys = new Map<string, string>();
  const seenIds = new Set<string>();
  for (const d of input.devices) {
    const bad = checkDeviceName(d.id);
    if (bad) problems.push(bad);
    if (seenIds.has(d.id)) problems.push(`device id ${JSON.stringify(d.id)}: listed twice`);
    seenIds.add(d.id);
    if (typeof d.apikey !== "string" || d.apikey.length < 16) {
      problems.push(
        `device ${d.id} apikey: got a value of ${String(d.apikey?.length ?? 0)} characters; expected at least 16`,
      );
    } else if (seenKeys.has(d.apikey)) {
      // OpenEMS finds the Edge of a connecting device by its API key (EdgeCache): keys must be unique.
      problems.push(
        `device ${d.id} apikey: same key as device ${seenKeys.get(d.apikey)}; expected one key per device`,
      );
    } else seenKeys.set(d.apikey, d.id);
  }
  if (!input.b2b.username || input.b2b.username.includes(":")) {
    problems.push(
      `b2b username: got ${JSON.stringify(input.b2b.username)}; expected a login without ":" (HTTP Basic)`,
    );
  }
  if (problems.length)
    throw new Error(`Odoo setup refused:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

type Rec = Record<string, unknown> & { id: number };

export async function setupOdoo(rpc: OdooRpc, input: OdooSetupInput): Promise<OdooSetupReport> {
  validateSetupInput(input);
  const changes: string[] = [];
  const db = input.database;

  // 1. Database.
  const databases = (await rpc.call("db", "list", [])) as string[];
  if (!databases.includes(db)) {
    // create_database(master_pwd, db_name, demo, lang, user_password, login, country_code, phone)
    await rpc.call(
      "db",
      "create_database",
      [input.masterPassword, db, false, "en_US", input.adminPassword, ADMIN_LOGIN],
      `db.create_database(${db})`,
    );
    changes.push(`created database ${db}`);
  }
  const uid = (await rpc.call(
    "common",
    "login",
    [db, ADMIN_LOGIN, input.adminPassword],
    `common.login(${db}, admin)`,
  )) as number | false;
  if (!uid) {
    throw new OdooError(
      `common.login(${db}, admin)`,
      "odoo.exceptions.AccessDenied",
      `Odoo refused the admin password from the host secret (odooAdminPassword) for database ${db}; ` +
        `was the database created by hand with another password?`,
    );
  }
  const kw = (
    model: string,
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown> = {},
    asUid = uid,
    pw = input.adminPassword,
  ) =>
    rpc.call(
      "object",
      "execute_kw",
      [db, asUid, pw, model, method, args, kwargs],
      `${model}.${method}`,
    );

  // 2. Modules.
  const modules = async () =>
    (await kw("ir.module.module", "search_read", [[["name", "in", [...OPENEMS_MODULES]]]], {
      fields: ["name", "state", "installed_version"],
    })) as Rec[];
  let found = await modules();
  if (found.length < OPENEMS_MODULES.length || found.some((m) => m.state === "uninstallable")) {
    // New add-on directories are seen only after "Update Apps List".
    await kw("ir.module.module", "update_list", []);
    found = await modules();
  }
  const missing = OPENEMS_MODULES.filter((n) => !found.some((m) => m.name === n));
  if (missing.length) {
    throw new Error(
      `Odoo setup: modules ${missing.join(", ")} are not in Odoo's addons path; put odoo-openems ` +
        `16.0 (directory openems) and the OCA modules web_m2x_options and partner_firstname (16.0 ` +
        `branches of OCA/web and OCA/partner-contact) into odoo/addons on the data volume ` +
        `(/mnt/extra-addons in the container) and run this again`,
    );
  }
  const addon = found.find((m) => m.name === SUPPORTED_ADDON.module)!;
  if (addon.installed_version !== SUPPORTED_ADDON.version) {
    throw new Error(
      `Odoo setup: the ${SUPPORTED_ADDON.module} module on disk is version ` +
        `${JSON.stringify(addon.installed_version)}; the platform supports ${SUPPORTED_ADDON.version} ` +
        `(OpenEMS/odoo-openems branch 16.0, see clients/mbe/README.md)`,
    );
  }
  const toInstall = found.filter((m) => m.state !== "installed");
  if (toInstall.length) {
    await kw("ir.module.module", "button_immediate_install", [toInstall.map((m) => m.id)]);
    const after = await modules();
    const still = after
      .filter((m) => m.state !== "installed")
      .map((m) => `${String(m.name)} (${String(m.state)})`);
    if (still.length)
      throw new Error(`Odoo setup: modules not installed after installing: ${still.join(", ")}`);
    changes.push(
      `installed modules ${toInstall
        .map((m) => m.name)
        .sort()
        .join(", ")}`,
    );
  }

  // 3. The B2B user in "OpenEMS / Read access".
  const xmlid = (await kw(
    "ir.model.data",
    "search_read",
    [
      [
        ["module", "=", READER_GROUP.module],
        ["name", "=", READER_GROUP.name],
      ],
    ],
    {
      fields: ["res_id", "model"],
    },
  )) as Rec[];
  if (xmlid.length !== 1 || xmlid[0].model !== "res.groups") {
    throw new Error(
      `Odoo setup: group ${READER_GROUP.module}.${READER_GROUP.name} not found although module openems is installed`,
    );
  }
  const readerGroup = xmlid[0].res_id as number;
  const login = input.b2b.username;
  const users = (await kw("res.users", "search_read", [[["login", "=", login]]], {
    fields: ["id", "active", "groups_id"],
    context: { active_test: false },
  })) as Rec[];
  let userId: number;
  if (users.length === 0) {
    userId = (await kw("res.users", "create", [
      {
        name: "MBE proxy (OpenEMS B2B)",
        login,
        password: input.b2b.password,
        groups_id: [[4, readerGroup]],
      },
    ])) as number;
    changes.push(`created user ${login} in OpenEMS / Read access`);
  } else {
    const u = users[0];
    userId = u.id;
    if (!u.active) {
      await kw("res.users", "write", [[u.id], { active: true }]);
      changes.push(`reactivated user ${login}`);
    }
    if (!(u.groups_id as number[]).includes(readerGroup)) {
      await kw("res.users", "write", [[u.id], { groups_id: [[4, readerGroup]] }]);
      changes.push(`added user ${login} to OpenEMS / Read access`);
    }
    const ok = await rpc.call(
      "common",
      "login",
      [db, login, input.b2b.password],
      `common.login(${db}, ${login})`,
    );
    if (!ok) {
      await kw("res.users", "write", [[u.id], { password: input.b2b.password }]);
      changes.push(`set the password of user ${login} from its secret`);
    }
  }

  // 4. Devices.
  const ids = input.devices.map((d) => d.id);
  const existing = (await kw("openems.device", "search_read", [[]], {
    fields: ["name", "apikey", "active"],
    context: { active_test: false },
  })) as Rec[];
  for (const d of input.devices) {
    const rec = existing.find((e) => e.name === d.id);
    if (!rec) {
      await kw("openems.device", "create", [
        { name: d.id, apikey: d.apikey, producttype: "openems-edge" },
      ]);
      changes.push(`registered device ${d.id}`);
      continue;
    }
    const update: Record<string, unknown> = {};
    if (rec.apikey !== d.apikey) update.apikey = d.apikey;
    if (!rec.active) update.active = true;
    if (Object.keys(update).length) {
      await kw("openems.device", "write", [[rec.id], update]);
      changes.push(`updated device ${d.id} (${Object.keys(update).sort().join(", ")})`);
    }
  }
  const unmanagedDevices = existing
    .map((e) => String(e.name))
    .filter((n) => !ids.includes(n))
    .sort();

  // 5. Prove what OpenEMS will see: the B2B user reads every fleet device.
  const b2bUid = (await rpc.call(
    "common",
    "login",
    [db, login, input.b2b.password],
    `common.login(${db}, ${login})`,
  )) as number | false;
  if (!b2bUid || b2bUid !== userId)
    throw new Error(`Odoo setup: user ${login} cannot log in with the password from its secret`);
  if (ids.length) {
    const visible = (await kw(
      "openems.device",
      "search_read",
      [[["name", "in", ids]]],
      { fields: ["name"] },
      b2bUid,
      input.b2b.password,
    )) as Rec[];
    const hidden = ids.filter((id) => !visible.some((v) => v.name === id));
    if (hidden.length)
      throw new Error(`Odoo setup: user ${login} cannot see devices ${hidden.join(", ")}`);
  }
  return { changes, unmanagedDevices };
}
