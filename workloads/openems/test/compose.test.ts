import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import * as YAML from "yaml";
import {
  ComposeOptions,
  PORT_MAP,
  composeDataDirs,
  parseImageRef,
  renderCompose,
  validateComposeOptions,
} from "../compose";
import { HOST_SECRET_KEYS, SERVICE_SECRET_ENV } from "../secrets";

const BASE: ComposeOptions = { logGroupName: "/openems/dev/backend", region: "eu-central-1" };

type Doc = { services: Record<string, any> };
const parse = (opts: ComposeOptions = BASE): Doc => YAML.parse(renderCompose(opts)) as Doc;

describe("renderCompose", () => {
  it("renders exactly the five services of the backend host", async () => {
    assert.deepStrictEqual(Object.keys(parse().services).sort(), [
      "influxdb",
      "odoo",
      "openems-backend",
      "openems-ui",
      "postgres",
    ]);
  });

  it("pins every image to a version tag, never latest and never untagged", async () => {
    for (const [name, svc] of nonEmpty(
      Object.entries(parse().services),
      "Object.entries(parse().services)",
    )) {
      const ref = parseImageRef(svc.image);
      assert.ok(ref, `${name}: image ${svc.image} has no tag`);
      assert.match(ref.tag, /^\d+\.\d+/, `${name}: tag ${ref.tag} is not a version`);
      assert.notStrictEqual(ref.tag, "latest");
    }
  });

  it("keeps an image digest when one is given", async () => {
    const pinned = `influxdb:2.9.1-alpine@sha256:${"a".repeat(64)}`;
    assert.strictEqual(
      parse({ ...BASE, images: { influxdb: pinned } }).services.influxdb.image,
      pinned,
    );
  });

  it("publishes exactly the design's port map and nothing for PostgreSQL", async () => {
    const published: Record<string, string[]> = {};
    for (const [name, svc] of nonEmpty(
      Object.entries(parse().services),
      "Object.entries(parse().services)",
    ))
      published[name] = svc.ports ?? [];
    assert.deepStrictEqual(published, {
      "openems-backend": ["8081:8081", "8082:8082"],
      "openems-ui": ["4200:80"],
      odoo: ["10016:8069"],
      influxdb: ["8086:8086"],
      postgres: [],
    });
    assert.deepStrictEqual(PORT_MAP, {
      ui: 4200,
      edgeWebsocket: 8081,
      b2bRest: 8082,
      odoo: 10016,
      influxdb: 8086,
    });
  });

  it("quotes port mappings so YAML 1.1 parsers cannot read them as base-60 numbers", async () => {
    const text = renderCompose(BASE);
    const portLines = text.split("\n").filter((l) => /^\s+- "?\d+:\d+"?$/.test(l));
    assert.strictEqual(portLines.length, 5);
    for (const l of portLines) assert.match(l, /- "\d+:\d+"$/);
  });

  it("restarts every service unless stopped and ships its logs to the CloudWatch log group, one stream per service", async () => {
    for (const [name, svc] of nonEmpty(
      Object.entries(parse({ ...BASE, region: "us-east-1" }).services),
      "Object.entries(parse({ ...BASE, regio...",
    )) {
      assert.strictEqual(svc.restart, "unless-stopped", name);
      assert.deepStrictEqual(svc.logging, {
        driver: "awslogs",
        options: {
          "awslogs-group": "/openems/dev/backend",
          "awslogs-region": "us-east-1",
          "awslogs-stream": name,
          mode: "non-blocking",
          "max-buffer-size": "4m",
        },
      });
    }
  });

  it("gives every service a healthcheck", async () => {
    for (const [name, svc] of nonEmpty(
      Object.entries(parse().services),
      "Object.entries(parse().services)",
    )) {
      assert.ok(
        Array.isArray(svc.healthcheck?.test) && svc.healthcheck.test.length > 1,
        `${name} has no healthcheck`,
      );
    }
  });

  it("bind-mounts every data directory below the data volume's mount point", async () => {
    for (const mountPoint of ["/data", "/srv/openems-data"]) {
      const doc = parse({ ...BASE, mountPoint });
      const hostPaths = Object.values(doc.services)
        .flatMap((s) => (s.volumes ?? []) as string[])
        .map((v) => v.split(":")[0]);
      assert.strictEqual(hostPaths.length, 7);
      for (const p of hostPaths)
        assert.ok(p.startsWith(`${mountPoint}/`), `${p} is not below ${mountPoint}`);
      assert.deepStrictEqual(
        hostPaths.sort(),
        composeDataDirs(validateComposeOptions({ ...BASE, mountPoint })).sort(),
      );
    }
    const volumes = parse().services;
    assert.ok(volumes.postgres.volumes.includes("/data/postgres:/var/lib/postgresql/data"));
    assert.ok(volumes.influxdb.volumes.includes("/data/influxdb/data:/var/lib/influxdb2"));
    assert.ok(
      volumes["openems-backend"].volumes.includes("/data/openems/config:/var/opt/openems/config"),
    );
  });

  it("declares no named volumes, so no data ends up on the root volume", async () => {
    assert.strictEqual(
      (YAML.parse(renderCompose(BASE)) as Record<string, unknown>).volumes,
      undefined,
    );
  });

  it("gives each service with secrets its own env file under the secrets directory and no other service one", async () => {
    const doc = parse({ ...BASE, secretsDir: "/run/openems-x" });
    for (const [name, svc] of nonEmpty(
      Object.entries(doc.services),
      "Object.entries(doc.services)",
    )) {
      if (name in SERVICE_SECRET_ENV)
        assert.deepStrictEqual(svc.env_file, [`/run/openems-x/${name}.env`]);
      else assert.strictEqual(svc.env_file, undefined, `${name} should not get secrets`);
    }
  });

  it("contains no secret value and no Compose interpolation other than the escaped $$ in Odoo's entrypoint", async () => {
    // Canary: if a secret value ever leaked into the rendering it would be one of these.
    const canary = "CANARY0secret0value0xyz";
    // The shape of a secret value the platform accepts (printable base64/URL-safe, 16..256).
    assert.match(canary, /^[A-Za-z0-9._~+/=-]{16,256}$/);
    const text = renderCompose({
      ...BASE,
      influxOrg: "org1",
      influxBucket: "bucket1",
      odooDatabase: "db1",
    });
    assert.ok(!text.includes(canary));
    assert.ok(
      !/password\s*[:=]\s*\S/i.test(text.replace(/ODOO_MASTER_PASSWORD/g, "")),
      "a password-looking assignment is in the compose file",
    );
    for (const env of nonEmpty(
      Object.values(SERVICE_SECRET_ENV).flatMap((m) => Object.keys(m)),
      "Object.values(SERVICE_SECRET_ENV).fla...",
    )) {
      assert.ok(
        !new RegExp(`^\\s+${env}:`, "m").test(text),
        `${env} is set inline instead of from the env file`,
      );
    }
    const withoutEscapes = text.replace(/\$\$/g, "");
    assert.ok(!withoutEscapes.includes("$"), "an unescaped $ would be interpolated by Compose");
    assert.ok(text.includes("$$ODOO_MASTER_PASSWORD"));
  });

  it("points the UI at the backend's internal UI websocket and not at the B2B port", async () => {
    const ui = parse().services["openems-ui"];
    assert.deepStrictEqual(ui.environment, {
      WEBSOCKET_HOST: "openems-backend",
      WEBSOCKET_PORT: "8083",
    });
  });

  it("starts a header comment saying the file holds no secrets", async () => {
    assert.match(renderCompose(BASE), /^# OpenEMS backend host stack[\s\S]*Holds no secrets/);
  });

  it("uses the secret keys of secrets.ts only", async () => {
    for (const m of nonEmpty(
      Object.values(SERVICE_SECRET_ENV),
      "Object.values(SERVICE_SECRET_ENV)",
    )) {
      for (const key of nonEmpty(Object.values(m), "Object.values(m)"))
        assert.ok((HOST_SECRET_KEYS as readonly string[]).includes(key));
    }
  });
});

describe("validateComposeOptions", () => {
  it("applies the defaults", async () => {
    const r = validateComposeOptions(BASE);
    assert.strictEqual(r.mountPoint, "/data");
    assert.strictEqual(r.secretsDir, "/run/openems");
    // Pinned releases: OpenEMS 2026.1.0 (backend and its UI build), the last odoo 16.0 build,
    // PostgreSQL 15 on Debian, InfluxDB 2.9.1.
    assert.deepStrictEqual(r.images, {
      "openems-backend": "openems/backend:2026.1.0",
      "openems-ui": "openems/ui-backend:2026.1.0",
      odoo: "odoo:16.0-20250909",
      postgres: "postgres:15.19-bookworm",
      influxdb: "influxdb:2.9.1-alpine",
    });
  });

  const cases: { name: string; opts: Record<string, unknown>; expect: RegExp }[] = [
    {
      name: "a missing log group",
      opts: { logGroupName: undefined },
      expect: /logGroupName: got nothing; expected 1-512 characters/,
    },
    {
      name: "a log group with a space",
      opts: { logGroupName: "my logs" },
      expect: /logGroupName: got "my logs"/,
    },
    {
      name: "a malformed region",
      opts: { region: "Frankfurt" },
      expect: /region: got "Frankfurt"; expected an AWS region such as "eu-central-1"/,
    },
    {
      name: "a relative mount point",
      opts: { mountPoint: "data" },
      expect: /mountPoint: got "data"; expected an absolute path/,
    },
    {
      name: "a mount point with ..",
      opts: { mountPoint: "/data/../etc" },
      expect: /mountPoint: got "\/data\/..\/etc"/,
    },
    {
      name: "a system mount point",
      opts: { mountPoint: "/var/lib" },
      expect: /mountPoint: got "\/var\/lib"; it must not be or lie under/,
    },
    { name: "the root as mount point", opts: { mountPoint: "/" }, expect: /mountPoint: got "\/"/ },
    {
      name: "a secrets dir on disk",
      opts: { secretsDir: "/etc/openems" },
      expect: /secretsDir: got "\/etc\/openems"; expected a directory under \/run/,
    },
    {
      name: "an untagged image",
      opts: { images: { postgres: "postgres" } },
      expect: /images.postgres: got "postgres"; expected "name:tag"/,
    },
    {
      name: "a latest tag",
      opts: { images: { influxdb: "influxdb:latest" } },
      expect: /images.influxdb: tag "latest" of "influxdb:latest" is not pinned/,
    },
    {
      name: "a floating alpine tag",
      opts: { images: { influxdb: "influxdb:alpine" } },
      expect: /tag "alpine" .* is not pinned/,
    },
    {
      name: "a bare major tag",
      opts: { images: { odoo: "odoo:16" } },
      expect: /images.odoo: tag "16" of "odoo:16" is not pinned/,
    },
    {
      name: "a malformed digest",
      opts: { images: { odoo: "odoo:16.0@sha256:abc" } },
      expect: /images.odoo: got "odoo:16.0@sha256:abc"/,
    },
    {
      name: "an unknown service",
      opts: { images: { redis: "redis:7.2.4" } },
      expect: /images.redis: unknown service; allowed: openems-backend, openems-ui/,
    },
    {
      name: "an OpenEMS release without the in-process Edge websocket",
      opts: {
        images: {
          "openems-backend": "openems/backend:2026.4.0",
          "openems-ui": "openems/ui-backend:2026.4.0",
        },
      },
      expect:
        /images.openems-backend: OpenEMS 2026.4.0 is newer than 2026.1.0, .*openems\/backend-edge/,
    },
    {
      name: "a UI that does not match the backend",
      opts: { images: { "openems-ui": "openems/ui-backend:2025.12.0" } },
      expect: /openems-backend is "2026.1.0" but openems-ui is "2025.12.0"/,
    },
    {
      name: "a non-release OpenEMS tag",
      opts: { images: { "openems-backend": "openems/backend:1.2-custom" } },
      expect: /images.openems-backend: tag "1.2-custom"; expected an OpenEMS release/,
    },
    {
      name: "a bad InfluxDB bucket",
      opts: { influxBucket: "a b" },
      expect: /influxBucket: got "a b"; expected 1-63 characters/,
    },
    {
      name: "a typo in an option name",
      opts: { mountpoint: "/data" },
      expect: /unknown option "mountpoint"; allowed: logGroupName, region, mountPoint/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}, naming the key, the value and what is allowed`, async () => {
      assert.throws(
        () => validateComposeOptions({ ...BASE, ...c.opts } as ComposeOptions),
        (e: Error) => {
          assert.match(e.message, /^Invalid OpenEMS compose options:/);
          assert.match(e.message, c.expect);
          return true;
        },
      );
    });
  }

  it("reports every problem at once", async () => {
    assert.throws(
      () => validateComposeOptions({ logGroupName: "", region: "x", mountPoint: "rel" }),
      (e: Error) => e.message.split("\n").filter((l) => l.startsWith("  - ")).length === 3,
    );
  });

  it("accepts an older OpenEMS release when backend and UI match", async () => {
    const r = validateComposeOptions({
      ...BASE,
      images: {
        "openems-backend": "openems/backend:2025.12.0",
        "openems-ui": "openems/ui-backend:2025.12.0",
      },
    });
    assert.strictEqual(r.images["openems-backend"], "openems/backend:2025.12.0");
  });

  it("accepts images from a private registry with a port", async () => {
    const ref =
      "123456789012.dkr.ecr.eu-central-1.amazonaws.com:443/mirror/postgres:15.19-bookworm";
    assert.strictEqual(
      validateComposeOptions({ ...BASE, images: { postgres: ref } }).images.postgres,
      ref,
    );
  });
});
