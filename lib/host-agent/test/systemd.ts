// systemd-analyze verify on rendered units, in a throwaway root that holds this machine's unit
// library (for sysinit.target and the distribution's openvpn-server@.service) plus the files given.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "../../../tooling/testing/tools";

export interface RootFile {
  readonly path: string;
  readonly content: string;
  readonly mode?: number;
}

/** Exit status and output of `systemd-analyze verify` on `units` (paths inside the root). */
export function verifyUnits(
  files: readonly RootFile[],
  units: readonly string[],
): { status: number | null; output: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "units-"));
  try {
    for (const lib of ["/lib/systemd/system", "/usr/lib/systemd/system"]) {
      if (fs.existsSync(lib) && !fs.existsSync(path.join(root, "usr/lib/systemd/system"))) {
        fs.cpSync(lib, path.join(root, "usr/lib/systemd/system"), { recursive: true });
      }
    }
    for (const f of files) {
      const target = path.join(root, f.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content, { mode: f.mode ?? 0o644 });
    }
    const r = run("systemd-analyze", ["verify", "--man=no", `--root=${root}`, ...units]);
    return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
