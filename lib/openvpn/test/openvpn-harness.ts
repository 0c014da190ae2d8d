// Runs real OpenVPN processes for the end-to-end test: a throwaway PKI issued with openssl, and
// processes whose logs can be awaited line by line with a bounded poll.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as dgram from "dgram";
import * as fs from "fs";
import * as path from "path";
import { opensslExtensionsFor, TlsAllowedUse } from "../pki";

export const OPENVPN = "/usr/sbin/openvpn";

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 50 ms until it returns a value; gives up after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined,
  context: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
    }
    await sleep(50);
  }
}

/** A UDP port that was free a moment ago on 127.0.0.1 (the kernel picks it). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export class OpenvpnProcess {
  private output = "";
  private exitCode: number | null | undefined = undefined;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    args: readonly string[],
    cwd: string,
  ) {
    this.child = spawn(OPENVPN, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const append = (chunk: Buffer) => {
      this.output += chunk.toString("utf8");
    };
    this.child.stdout?.on("data", append);
    this.child.stderr?.on("data", append);
    this.child.on("exit", (code, signal) => {
      this.exitCode = code;
      this.output += `\n[${name} exited: code=${code} signal=${signal}]\n`;
    });
  }

  get log(): string {
    return this.output;
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  tail(lines = 40): string {
    const last = this.output.split("\n").slice(-lines).join("\n");
    return `--- last lines of ${this.name} ---\n${last}`;
  }

  /** Waits for a log line matching `pattern` and returns the match. */
  async waitForLog(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return waitUntil(
      `${this.name} to log ${pattern}`,
      timeoutMs,
      () => this.output.match(pattern) ?? undefined,
      () => this.tail(),
    );
  }

  async waitForExit(timeoutMs: number): Promise<void> {
    await waitUntil(
      `${this.name} to exit`,
      timeoutMs,
      () => (this.exited ? true : undefined),
      () => this.tail(),
    );
  }

  /** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) {
      return;
    }
    this.child.kill("SIGTERM");
    try {
      await this.waitForExit(graceMs);
    } catch {
      this.child.kill("SIGKILL");
      await this.waitForExit(2000);
    }
  }
}

/** A CA and certificates issued with `openssl`, using the same key usages as the Pulumi program. */
export class TestPki {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private openssl(args: readonly string[]): void {
    execFileSync("openssl", args, { cwd: this.dir, stdio: "pipe", timeout: 15000 });
  }

  private writeExtensions(name: string, lines: readonly string[]): string {
    // `req` needs a distinguished_name section even when -subj supplies the subject.
    const file = path.join(this.dir, `${name}.cnf`);
    const sections = ["[req]", "distinguished_name = dn", "[dn]", "[ext]", ...lines, ""];
    fs.writeFileSync(file, sections.join("\n"));
    return file;
  }

  private generateKey(name: string): void {
    // ECDSA P-256, as PKI_KEY_ALGORITHM asks of the tls provider.
    const curve = "ec_paramgen_curve:P-256";
    this.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", curve, "-out", `${name}.key`]);
  }

  /** `subject` is an openssl -subj string; the default is /CN=<name>. */
  createCa(name: string, uses: readonly TlsAllowedUse[], subject = `/CN=${name}`): void {
    this.generateKey(name);
    const cnf = this.writeExtensions(name, [
      ...opensslExtensionsFor(uses, { isCa: true }),
      "subjectKeyIdentifier = hash",
    ]);
    this.openssl([
      ...["req", "-x509", "-new", "-key", `${name}.key`, "-subj", subject, "-days", "2"],
      ...["-config", cnf, "-extensions", "ext", "-out", `${name}.crt`],
    ]);
  }

  issue(
    name: string,
    caName: string,
    uses: readonly TlsAllowedUse[],
    subject = `/CN=${name}`,
  ): void {
    this.generateKey(name);
    const cnf = this.writeExtensions(name, [
      ...opensslExtensionsFor(uses),
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid",
    ]);
    this.openssl([
      ...["req", "-new", "-key", `${name}.key`, "-subj", subject, "-config", cnf],
      ...["-out", `${name}.csr`],
    ]);
    this.openssl([
      ...["x509", "-req", "-in", `${name}.csr`, "-CA", `${caName}.crt`, "-CAkey", `${caName}.key`],
      ...["-CAcreateserial", "-days", "2", "-extfile", cnf, "-extensions", "ext"],
      ...["-out", `${name}.crt`],
    ]);
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  read(name: string): string {
    return fs.readFileSync(this.file(name), "utf8");
  }
}
