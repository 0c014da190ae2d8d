/**
 * What the Lambda Node.js runtime gives the proxy handler, for loading the real `handler` export
 * on this machine: `@aws-sdk/client-secrets-manager` is provided by the runtime (the handler
 * keeps it external) and is not a dependency of this repository, so tests resolve that one module
 * name to this Secrets Manager stand-in. It serves GetSecretValue for the one secret ARN it holds
 * and fails like the service (ResourceNotFoundException) for any other.
 */
import * as path from "node:path";

export const secretStore = new Map<string, string>();

export class GetSecretValueCommand {
  constructor(readonly input: { SecretId: string }) {}
}

export class SecretsManagerClient {
  constructor(readonly config: Record<string, unknown>) {}
  async send(command: unknown): Promise<{ SecretString?: string }> {
    if (!(command instanceof GetSecretValueCommand)) throw new Error("unsupported command");
    const value = secretStore.get(command.input.SecretId);
    if (value === undefined) {
      throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        name: "ResourceNotFoundException",
      });
    }
    return { SecretString: value };
  }
}

/**
 * Makes `require("@aws-sdk/client-secrets-manager")` load this file until the returned function
 * is called (other tests prove the handler copes with the SDK's absence).
 */
export function provideSecretsManagerSdk(): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require("node:module") as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = Module._resolveFilename;
  const self = path.join(__dirname, "lambda-runtime.ts");
  Module._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request === "@aws-sdk/client-secrets-manager") return self;
    return original.call(this, request, ...rest);
  };
  return () => {
    Module._resolveFilename = original;
  };
}
