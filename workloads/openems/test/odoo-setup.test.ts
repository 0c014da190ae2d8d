import * as assert from "assert";
import * as crypto from "node:crypto";
import { odooRpc, OdooError } from "../odoo-rpc";
import { OdooSetupInput, setupOdoo } from "../odoo-setup";
import { OdooStandin, startOdooStandin } from "./odoo-standin";

const pw = () => crypto.randomBytes(24).toString("base64url");

describe("setupOdoo", () => {
  let odoo: OdooStandin;
  let input: OdooSetupInput;
  beforeEach(async () => {
    input = {
      database: "openems",
      masterPassword: pw(),
      adminPassword: pw(),
      b2b: { username: "mbe-proxy", password: pw() },
      devices: [
        { id: "edge0", apikey: pw() },
        { id: "site-a-meter", apikey: pw() },
      ],
    };
    odoo = await startOdooStandin({ masterPassword: input.masterPassword });
  });
  afterEach(() => odoo.close());

  const rpc = () => odooRpc(odoo.url);

  it("creates the database, installs the add-on, the B2B user and every device on the first run", async () => {
    const report = await setupOdoo(rpc(), input);
    assert.deepStrictEqual(report.changes, [
      "created database openems",
      "installed modules openems, partner_firstname, web_m2x_options",
      "created user mbe-proxy in OpenEMS / Read access",
      "registered device edge0",
      "registered device site-a-meter",
    ]);
    const db = odoo.databases.get("openems")!;
    assert.deepStrictEqual(
      db.devices.map((d) => [d.name, d.apikey, d.active]),
      input.devices.map((d) => [d.id, d.apikey, true]),
    );
    for (const m of ["openems", "web_m2x_options", "partner_firstname", "crm", "stock"]) {
      assert.strictEqual(db.modules.get(m)?.state, "installed", m);
    }
    const user = db.users.find((u) => u.login === "mbe-proxy")!;
    assert.ok(user.groups.has("openems.group_openems_reader"));
    assert.strictEqual(user.password, input.b2b.password);
  });

  it("changes nothing on a second run", async () => {
    await setupOdoo(rpc(), input);
    const writes = odoo.writes.length;
    const report = await setupOdoo(rpc(), input);
    assert.deepStrictEqual(report, { changes: [], unmanagedDevices: [] });
    assert.strictEqual(odoo.writes.length, writes);
  });

  it("updates a device whose API key changed, and only that", async () => {
    await setupOdoo(rpc(), input);
    const rotated = { ...input, devices: [input.devices[0], { id: "site-a-meter", apikey: pw() }] };
    const before = odoo.writes.length;
    const report = await setupOdoo(rpc(), rotated);
    assert.deepStrictEqual(report.changes, ["updated device site-a-meter (apikey)"]);
    assert.deepStrictEqual(odoo.writes.slice(before), ["openems.device.write"]);
    assert.strictEqual(odoo.databases.get("openems")!.devices[1].apikey, rotated.devices[1].apikey);
  });

  const repairs: [string, (o: OdooStandin) => void, string][] = [
    [
      "puts a B2B user that lost the reader group back into it",
      (o) =>
        o.databases
          .get("openems")!
          .users.find((u) => u.login === "mbe-proxy")!
          .groups.delete("openems.group_openems_reader"),
      "added user mbe-proxy to OpenEMS / Read access",
    ],
    [
      "sets the B2B password again when it was changed in Odoo",
      (o) =>
        (o.databases.get("openems")!.users.find((u) => u.login === "mbe-proxy")!.password =
          "changed-by-hand-123"),
      "set the password of user mbe-proxy from its secret",
    ],
    [
      "reactivates an archived B2B user",
      (o) =>
        (o.databases.get("openems")!.users.find((u) => u.login === "mbe-proxy")!.active = false),
      "reactivated user mbe-proxy",
    ],
    [
      "reactivates an archived device",
      (o) => (o.databases.get("openems")!.devices[0].active = false),
      "updated device edge0 (active)",
    ],
  ];
  for (const [what, breakIt, change] of repairs) {
    it(what, async () => {
      await setupOdoo(rpc(), input);
      breakIt(odoo);
      const report = await setupOdoo(rpc(), input);
      assert.deepStrictEqual(report.changes, [change]);
      assert.deepStrictEqual((await setupOdoo(rpc(), input)).changes, []);
    });
  }

  it("leaves devices the fleet does not name alone and reports them", async () => {
    await setupOdoo(rpc(), input);
    const report = await setupOdoo(rpc(), { ...input, devices: [input.devices[0]] });
    assert.deepStrictEqual(report, { changes: [], unmanagedDevices: ["site-a-meter"] });
    assert.strictEqual(odoo.databases.get("openems")!.devices.length, 2);
  });

  it("names the missing modules and where they go when the add-ons are not on the host", async () => {
    odoo.addonsPath.delete("partner_firstname");
    await assert.rejects(
      setupOdoo(rpc(), input),
      /modules partner_firstname are not in Odoo's addons path; .*odoo\/addons on the data volume/,
    );
  });

  it("refuses an OpenEMS add-on of another version before installing it", async () => {
    odoo.addonVersions.openems = "16.0.1.0.2";
    await assert.rejects(
      setupOdoo(rpc(), input),
      /openems module on disk is version "16.0.1.0.2"; the platform supports 16.0.1.0.1/,
    );
    assert.ok(!odoo.writes.includes("ir.module.module.button_immediate_install"));
  });

  it("refuses a wrong master password with Odoo's AccessDenied", async () => {
    await assert.rejects(
      setupOdoo(rpc(), { ...input, masterPassword: "wrong-master-password" }),
      (e: unknown) =>
        e instanceof OdooError &&
        e.exception === "odoo.exceptions.AccessDenied" &&
        /^db\.create_database\(openems\)/.test(e.message),
    );
  });

  it("explains an existing database whose admin password is not the secret's", async () => {
    await setupOdoo(rpc(), input);
    await assert.rejects(
      setupOdoo(rpc(), { ...input, adminPassword: "another-admin-password" }),
      /refused the admin password from the host secret/,
    );
  });

  it("refuses device ids the add-on cannot store, before any call", async () => {
    await assert.rejects(
      setupOdoo(rpc(), { ...input, devices: [{ id: "edge-a1", apikey: pw() }] }),
      /device id "edge-a1": the OpenEMS Odoo add-on 16.0 parses what follows "edge" as an integer/,
    );
    assert.strictEqual(odoo.bodies.length, 0);
  });

  it("refuses two devices with one API key, before any call", async () => {
    const key = pw();
    await assert.rejects(
      setupOdoo(rpc(), {
        ...input,
        devices: [
          { id: "edge1", apikey: key },
          { id: "edge2", apikey: key },
        ],
      }),
      /device edge2 apikey: same key as device edge1/,
    );
    assert.strictEqual(odoo.bodies.length, 0);
  });

  it("never puts a secret into a report or an error", async () => {
    const secrets = [
      input.masterPassword,
      input.adminPassword,
      input.b2b.password,
      ...input.devices.map((d) => d.apikey),
    ];
    const report = await setupOdoo(rpc(), input);
    let error = "";
    await setupOdoo(rpc(), { ...input, adminPassword: "another-admin-password" }).catch(
      (e) => (error = String(e)),
    );
    assert.ok(error.length > 0);
    for (const s of secrets) {
      assert.ok(!JSON.stringify(report).includes(s));
      assert.ok(!error.includes(s));
    }
  });
});
