/**
 * A stand-in for Odoo 16's external API (`POST /jsonrpc`) on 127.0.0.1, enforcing what the setup
 * relies on, from odoo/odoo 16.0 and OpenEMS/odoo-openems 16.0:
 *
 * - service `db`: `list`; `create_database(master_pwd, name, demo, lang, user_password, login)`
 *   checks the master password (odoo/service/db.py `check_super`, AccessDenied) and refuses an
 *   existing name; the new database has `admin` (uid 2, Settings/Administration) with that password.
 * - service `common`: `login(db, login, password)` → uid or false; inactive users cannot log in.
 * - service `object`: `execute_kw(db, uid, password, model, method, args, kwargs)` authenticates
 *   every call (AccessDenied), knows only installed models (KeyError otherwise), refuses fields a
 *   model does not have (ValueError "Invalid field"), and applies access rights and record rules:
 *   openems/security/ir.model.access.csv (create/write on openems.device only for
 *   group_openems_manager, which openems.xml gives to admin) and openems/security/openems.xml
 *   (group_openems_reader sees every device; other internal users only devices they are linked to,
 *   here none). res.users writes need Administration/Access Rights (admin).
 * - `ir.module.module`: `update_list` finds modules in the addons path; `button_immediate_install`
 *   installs dependencies first and fails on a missing one (odoo/addons/base/models/ir_module.py
 *   "depends on module ... But the latter module is not available in your system").
 * - models/device.py: `name` unique, `name` and `apikey` required, `name_number` =
 *   `int(name[4:])` when the name starts with "edge".
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

class OdooException extends Error {
  constructor(
    readonly pyName: string,
    message: string,
  ) {
    super(message);
  }
}
const denied = () => new OdooException("odoo.exceptions.AccessDenied", "Access Denied");
const accessError = (m: string) => new OdooException("odoo.exceptions.AccessError", m);

/** Modules of an Odoo 16 addons path: name → dependencies. */
const ODOO_MODULES: Record<string, string[]> = {
  base: [],
  web: ["base"],
  mail: ["base", "web"],
  crm: ["base", "mail"],
  resource: ["base"],
  stock: ["base", "mail"],
};
const ADDONS: Record<string, string[]> = {
  // odoo-openems 16.0 __manifest__.py
  openems: [
    "base",
    "web",
    "mail",
    "crm",
    "resource",
    "stock",
    "web_m2x_options",
    "partner_firstname",
  ],
  web_m2x_options: ["web"],
  partner_firstname: ["base"],
};

/** Manifest versions of the add-ons on disk; tests change them. */
const ADDON_VERSIONS: Record<string, string> = {
  openems: "16.0.1.0.1",
  web_m2x_options: "16.0.1.1.0",
  partner_firstname: "16.0.1.0.0",
};

const DEVICE_FIELDS = new Set([
  "id",
  "name",
  "active",
  "comment",
  "internalnote",
  "tag_ids",
  "apikey",
  "setup_password",
  "producttype",
  "emshardware",
  "oem",
  "openems_config",
  "openems_config_components",
  "openems_version",
  "openems_sum_state_level",
  "openems_is_connected",
  "lastmessage",
  "lastupdate",
  "user_role_ids",
  "alerting_settings",
  "stock_production_lot_id",
  "manual_setup_date",
  "name_number",
]);
const USER_FIELDS = new Set(["id", "name", "login", "password", "active", "groups_id"]);

interface User {
  id: number;
  login: string;
  name: string;
  password: string;
  active: boolean;
  groups: Set<string>;
}
interface Device {
  id: number;
  name: string;
  apikey: string;
  active: boolean;
  producttype?: string;
  name_number: number;
}
interface Database {
  users: User[];
  modules: Map<string, { id: number; state: string }>;
  devices: Device[];
  groupIds: Map<string, number>;
  nextId: number;
}

export interface OdooStandin {
  readonly url: string;
  readonly databases: Map<string, Database>;
  /** Module directories in the addons path (`/mnt/extra-addons`); tests remove some. */
  readonly addonsPath: Set<string>;
  /** Manifest version of each add-on on disk (`installed_version` in Odoo). */
  readonly addonVersions: Record<string, string>;
  /** Every call that changed something: `model.method` or `db.create_database`. */
  readonly writes: string[];
  /** Every request body as received, to prove secrets went only where they belong. */
  readonly bodies: string[];
  close(): Promise<void>;
}

export async function startOdooStandin(opts: { masterPassword: string }): Promise<OdooStandin> {
  const databases = new Map<string, Database>();
  const addonsPath = new Set(Object.keys(ADDONS));
  const addonVersions = { ...ADDON_VERSIONS };
  const writes: string[] = [];
  const bodies: string[] = [];

  const groupOf = (d: Database, xmlid: string) => {
    if (!d.groupIds.has(xmlid)) d.groupIds.set(xmlid, d.nextId++);
    return d.groupIds.get(xmlid)!;
  };
  const installed = (d: Database, m: string) => d.modules.get(m)?.state === "installed";

  function createDatabase(args: unknown[]): boolean {
    const [master, name, , , userPassword, login] = args as string[];
    if (master !== opts.masterPassword) throw denied();
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
      throw new OdooException("builtins.Exception", "Invalid database name");
    if (databases.has(name))
      throw new OdooException("builtins.Exception", `Database ${name} already exists`);
    const d: Database = {
      users: [],
      modules: new Map(),
      devices: [],
      groupIds: new Map(),
      nextId: 100,
    };
    for (const m of Object.keys(ODOO_MODULES))
      d.modules.set(m, {
        id: d.nextId++,
        state: m === "base" || m === "web" ? "installed" : "uninstalled",
      });
    d.users.push({
      id: 1,
      login: "__system__",
      name: "OdooBot",
      password: "",
      active: false,
      groups: new Set(),
    });
    d.users.push({
      id: 2,
      login: login ?? "admin",
      name: "Administrator",
      password: userPassword ?? "admin",
      active: true,
      groups: new Set(["base.group_user", "base.group_system", "base.group_erp_manager"]),
    });
    databases.set(name, d);
    writes.push("db.create_database");
    return true;
  }

  function login(d: Database | undefined, loginName: string, password: string): number | false {
    const u = d?.users.find((x) => x.login === loginName && x.active);
    return u && u.password !== "" && u.password === password ? u.id : false;
  }

  function fieldsOf(model: string): Set<string> {
    if (model === "openems.device") return DEVICE_FIELDS;
    if (model === "res.users") return USER_FIELDS;
    return new Set(["id", "name", "state", "module", "model", "res_id"]);
  }
  function checkFields(model: string, names: string[]): void {
    for (const f of names)
      if (!fieldsOf(model).has(f))
        throw new OdooException("builtins.ValueError", `Invalid field '${f}' on model '${model}'`);
  }
  function match(rec: Record<string, unknown>, domain: unknown[]): boolean {
    return domain.every((term) => {
      const [f, op, v] = term as [string, string, unknown];
      if (op === "=") return rec[f] === v;
      if (op === "in") return (v as unknown[]).includes(rec[f]);
      throw new OdooException("builtins.ValueError", `Invalid domain operator ${op}`);
    });
  }
  function pick(
    rec: Record<string, unknown>,
    fields: string[] | undefined,
  ): Record<string, unknown> {
    const names = fields?.length ? fields : Object.keys(rec);
    return Object.fromEntries([["id", rec.id], ...names.map((n) => [n, rec[n] ?? false])]);
  }

  function install(d: Database, name: string, seen = new Set<string>()): void {
    if (installed(d, name) || seen.has(name)) return;
    seen.add(name);
    const deps = ODOO_MODULES[name] ?? ADDONS[name];
    for (const dep of deps) {
      if (!d.modules.has(dep)) {
        throw new OdooException(
          "odoo.exceptions.UserError",
          `You try to install module '${name}' that depends on module '${dep}'.\nBut the latter module is not available in your system.`,
        );
      }
      install(d, dep, seen);
    }
    d.modules.get(name)!.state = "installed";
    if (name === "openems") {
      // security/openems.xml: the manager group implies the reader group and includes admin.
      groupOf(d, "openems.group_openems_reader");
      groupOf(d, "openems.group_openems_manager");
      d.users.find((u) => u.id === 2)?.groups.add("openems.group_openems_manager");
    }
  }

  function executeKw(args: unknown[]): unknown {
    const [dbName, uid, password, model, method, margs = [], kwargs = {}] = args as [
      string,
      number,
      string,
      string,
      string,
      unknown[],
      Record<string, any>,
    ];
    const d = databases.get(dbName);
    if (!d)
      throw new OdooException(
        "psycopg2.OperationalError",
        `FATAL: database "${dbName}" does not exist`,
      );
    const user = d.users.find((u) => u.id === uid && u.active);
    if (!user || user.password !== password) throw denied();
    const isAdmin = user.groups.has("base.group_system");
    const inGroup = (g: string) =>
      user.groups.has(g) ||
      (g === "openems.group_openems_reader" && user.groups.has("openems.group_openems_manager"));
    const activeTest = kwargs.context?.active_test !== false;
    const change = () => writes.push(`${model}.${method}`);

    switch (model) {
      case "ir.module.module": {
        if (!isAdmin)
          throw accessError("You are not allowed to access 'Module' (ir.module.module) records.");
        if (method === "update_list") {
          let added = 0;
          for (const m of addonsPath)
            if (!d.modules.has(m)) {
              d.modules.set(m, { id: d.nextId++, state: "uninstalled" });
              added++;
            }
          if (added) change();
          return [0, added];
        }
        if (method === "search_read") {
          const recs = [...d.modules].map(([name, m]) => ({
            id: m.id,
            name,
            state: m.state,
            installed_version: addonVersions[name] ?? "16.0.1.0",
          }));
          return recs
            .filter((r) => match(r, margs[0] as unknown[]))
            .map((r) => pick(r, kwargs.fields));
        }
        if (method === "button_immediate_install") {
          for (const id of margs[0] as number[]) {
            const name = [...d.modules].find(([, m]) => m.id === id)?.[0];
            if (!name)
              throw new OdooException(
                "odoo.exceptions.MissingError",
                "Record does not exist or has been deleted.",
              );
            if (!addonsPath.has(name) && ADDONS[name])
              throw new OdooException(
                "builtins.FileNotFoundError",
                `module ${name} missing from addons path`,
              );
            install(d, name);
          }
          change();
          return { type: "ir.actions.client", tag: "reload" };
        }
        break;
      }
      case "ir.model.data": {
        if (method === "search_read") {
          const recs = [...d.groupIds].map(([xmlid, id]) => ({
            id: id + 1000,
            module: xmlid.split(".")[0],
            name: xmlid.split(".")[1],
            model: "res.groups",
            res_id: id,
          }));
          return recs
            .filter((r) => match(r, margs[0] as unknown[]))
            .map((r) => pick(r, kwargs.fields));
        }
        break;
      }
      case "res.users": {
        const view = (u: User) => ({
          id: u.id,
          name: u.name,
          login: u.login,
          active: u.active,
          groups_id: [...u.groups].map((g) => groupOf(d, g)),
        });
        const groupsFrom = (cmds: unknown): string[] =>
          (cmds as [number, number][]).map(([op, id]) => {
            if (op !== 4)
              throw new OdooException("builtins.ValueError", `unsupported command ${op}`);
            const xmlid = [...d.groupIds].find(([, v]) => v === id)?.[0];
            if (!xmlid)
              throw new OdooException(
                "odoo.exceptions.MissingError",
                `res.groups(${id}) does not exist`,
              );
            return xmlid;
          });
        if (method === "search_read") {
          checkFields(model, kwargs.fields ?? []);
          return d.users
            .filter((u) => u.id !== 1 && (!activeTest || u.active))
            .map(view)
            .filter((r) => match(r, margs[0] as unknown[]))
            .map((r) => pick(r, kwargs.fields));
        }
        if (!isAdmin)
          throw accessError("You are not allowed to modify 'User' (res.users) records.");
        if (method === "create") {
          const v = margs[0] as Record<string, unknown>;
          checkFields(model, Object.keys(v));
          if (d.users.some((u) => u.login === v.login))
            throw new OdooException(
              "psycopg2.errors.UniqueViolation",
              'duplicate key value violates unique constraint "res_users_login_key"',
            );
          const u: User = {
            id: d.nextId++,
            login: String(v.login),
            name: String(v.name),
            password: String(v.password ?? ""),
            active: true,
            groups: new Set(["base.group_user", ...groupsFrom(v.groups_id ?? [])]),
          };
          d.users.push(u);
          change();
          return u.id;
        }
        if (method === "write") {
          const [ids, v] = margs as [number[], Record<string, unknown>];
          checkFields(model, Object.keys(v));
          for (const u of d.users.filter((x) => ids.includes(x.id))) {
            if ("password" in v) u.password = String(v.password);
            if ("active" in v) u.active = Boolean(v.active);
            if ("groups_id" in v) for (const g of groupsFrom(v.groups_id)) u.groups.add(g);
          }
          change();
          return true;
        }
        break;
      }
      case "openems.device": {
        if (!installed(d, "openems"))
          throw new OdooException("builtins.KeyError", "'openems.device'");
        const nameNumber = (name: string) => {
          if (!name.startsWith("edge")) return -1;
          const rest = name.slice(4);
          if (!/^\s*[-+]?\d+\s*$/.test(rest))
            throw new OdooException(
              "builtins.ValueError",
              `invalid literal for int() with base 10: '${rest}'`,
            );
          return parseInt(rest, 10);
        };
        if (method === "search_read") {
          checkFields(model, kwargs.fields ?? []);
          // Record rules: readers (and managers, by implication) see all; other users none here.
          const visible = inGroup("openems.group_openems_reader") ? d.devices : [];
          return visible
            .filter((x) => !activeTest || x.active)
            .filter((r) => match(r as never, margs[0] as unknown[]))
            .map((r) => pick(r as never, kwargs.fields));
        }
        if (!inGroup("openems.group_openems_manager"))
          throw accessError(
            "You are not allowed to modify 'OpenEMS Edge Device' (openems.device) records.",
          );
        if (method === "create") {
          const v = margs[0] as Record<string, unknown>;
          checkFields(model, Object.keys(v));
          if (!v.name || !v.apikey)
            throw new OdooException(
              "odoo.exceptions.ValidationError",
              "Missing required fields (name, apikey)",
            );
          if (d.devices.some((x) => x.name === v.name))
            throw new OdooException(
              "psycopg2.errors.UniqueViolation",
              'duplicate key value violates unique constraint "openems_device_unique_name"',
            );
          const dev: Device = {
            id: d.nextId++,
            name: String(v.name),
            apikey: String(v.apikey),
            active: true,
            producttype: v.producttype as string,
            name_number: nameNumber(String(v.name)),
          };
          d.devices.push(dev);
          change();
          return dev.id;
        }
        if (method === "write") {
          const [ids, v] = margs as [number[], Record<string, unknown>];
          checkFields(model, Object.keys(v));
          for (const x of d.devices.filter((y) => ids.includes(y.id))) Object.assign(x, v);
          change();
          return true;
        }
        break;
      }
      default:
        throw new OdooException("builtins.KeyError", `'${model}'`);
    }
    throw new OdooException(
      "builtins.AttributeError",
      `type object '${model}' has no attribute '${method}'`,
    );
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      bodies.push(raw);
      let id: unknown = null;
      const answer = (payload: object) =>
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", id, ...payload }));
      try {
        if (req.method !== "POST" || req.url !== "/jsonrpc")
          throw new OdooException("werkzeug.exceptions.NotFound", "404");
        const body = JSON.parse(raw);
        id = body.id;
        const { service, method, args } = body.params;
        let result: unknown;
        if (service === "db" && method === "list") result = [...databases.keys()].sort();
        else if (service === "db" && method === "create_database") result = createDatabase(args);
        else if (service === "common" && method === "login")
          result = login(databases.get(args[0]), args[1], args[2]);
        else if (service === "object" && method === "execute_kw") result = executeKw(args);
        else throw new OdooException("builtins.NameError", `method ${service}.${method} not found`);
        answer({ result });
      } catch (err) {
        const e =
          err instanceof OdooException ? err : new OdooException("builtins.Exception", String(err));
        answer({
          error: {
            code: 200,
            message: "Odoo Server Error",
            data: {
              name: e.pyName,
              message: e.message,
              debug: "Traceback ...",
              arguments: [e.message],
            },
          },
        });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    databases,
    addonsPath,
    addonVersions,
    writes,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
