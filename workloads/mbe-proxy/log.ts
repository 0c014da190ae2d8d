/**
 * Logging: one JSON line per request, scrubbed of every secret value this process has seen, and
 * error descriptions that never carry a dependency's own message text.
 */
import { ProxyError } from "./contract";

/** Receives one serialised JSON line per request, already scrubbed of known secret values. */
export type LogSink = (line: string) => void;

const REDACTED = "[REDACTED]";
/** Values shorter than this are not scrubbed: replacing them would mangle ordinary log text. */
const MIN_REDACT_LENGTH = 8;

/**
 * Last line of defence: the handler never puts credentials into log fields, but a message might,
 * so every line is scrubbed of every secret value seen by this process (exact values only, in
 * their plain and JSON-escaped forms).
 */
export class Redactor {
  private readonly values: string[] = [];
  /** Longest first, so a value that contains another is replaced whole. */
  private byLength: string[] = [];

  add(values: readonly string[]): void {
    for (const value of values) {
      for (const form of [value, JSON.stringify(value).slice(1, -1)]) {
        if (form.length >= MIN_REDACT_LENGTH && !this.values.includes(form)) this.values.push(form);
      }
    }
    // A process sees few rotations; keep the list bounded anyway, forgetting the oldest first.
    this.values.splice(0, Math.max(0, this.values.length - 64));
    this.byLength = [...this.values].sort((a, b) => b.length - a.length);
  }

  scrub(line: string): string {
    let out = line;
    for (const value of this.byLength) out = out.split(value).join(REDACTED);
    return out;
  }
}

const ERROR_NAME = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;

/**
 * What a log line says about a thrown error. The proxy's own messages are kept; anything else
 * (the AWS SDK, Node) is reduced to its name, because its text may quote request data.
 */
export function describeError(err: unknown): string {
  if (err instanceof ProxyError) return err.message;
  const name = err instanceof Error ? err.name : typeof err;
  return `${ERROR_NAME.test(name) ? name : "Error"} (message withheld)`;
}

export const stdoutSink: LogSink = (line) => {
  // Raw stdout rather than console.log: Lambda's text log format would prefix console.log lines,
  // and CloudWatch Logs Insights discovers fields only in lines that are pure JSON.
  process.stdout.write(`${line}\n`);
};
