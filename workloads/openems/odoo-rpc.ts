/**
 * Odoo's external API over JSON-RPC (Odoo 16: `POST /jsonrpc`, body
 * `{"jsonrpc":"2.0","method":"call","params":{"service","method","args"}}`; services `db`
 * (list, create_database), `common` (login, version) and `object` (execute_kw); odoo/odoo 16.0
 * odoo/http.py `JsonRPCDispatcher`, odoo/service/{db,common,model}.py).
 *
 * Errors come back as `{"error": {"code": 200, "message": "Odoo Server Error", "data": {"name":
 * "odoo.exceptions.AccessDenied", "message": "..."}}}`. {@link OdooError} keeps the exception name
 * and message only: Odoo's `data.debug` traceback may quote arguments, passwords included.
 */
export class OdooError extends Error {
  constructor(
    readonly call: string,
    /** The Python exception, e.g. `odoo.exceptions.AccessDenied`. */
    readonly exception: string,
    message: string,
  ) {
    super(`${call}: ${exception}: ${message}`);
    this.name = "OdooError";
  }
}

export interface OdooRpc {
  call(service: string, method: string, args: unknown[], label?: string): Promise<unknown>;
}

/** `label` names the call in errors instead of the arguments, which may hold passwords. */
export function odooRpc(baseUrl: string, timeoutMs = 120_000): OdooRpc {
  const url = new URL("/jsonrpc", baseUrl);
  let next = 1;
  return {
    async call(service, method, args, label = `${service}.${method}`) {
      const id = next++;
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            jsonrpc: "2.0",
            method: "call",
            params: { service, method, args },
            id,
          }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        throw new OdooError(label, "transport", `${url.origin}: ${e.cause?.code ?? e.message}`);
      }
      const text = await res.text();
      let body: {
        result?: unknown;
        error?: { message?: string; data?: { name?: string; message?: string } };
      };
      try {
        body = JSON.parse(text);
      } catch {
        throw new OdooError(
          label,
          "transport",
          `HTTP ${res.status}, not JSON-RPC: ${text.slice(0, 120)}`,
        );
      }
      if (body.error) {
        throw new OdooError(
          label,
          body.error.data?.name ?? "error",
          body.error.data?.message ?? body.error.message ?? "unknown error",
        );
      }
      return body.result;
    },
  };
}
