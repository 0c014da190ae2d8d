// One stand-in for the AWS APIs the hosts' scripts call (host-agent and the backend's apply step),
// on 127.0.0.1, speaking their wire protocols so the real AWS CLI can be pointed at it with
// --endpoint-url (or AWS_ENDPOINT_URL):
// - SSM GetParameter: AWS JSON 1.1, POST / with X-Amz-Target: AmazonSSM.GetParameter
//   (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html);
//   errors as {"__type": "<Code>"} with HTTP 400 (ParameterNotFound, AccessDeniedException,
//   ThrottlingException are codes that API documents or returns).
// - Secrets Manager GetSecretValue: AWS JSON 1.1, X-Amz-Target: secretsmanager.GetSecretValue
//   (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html);
//   a missing secret is ResourceNotFoundException.
// - S3 GetObject and ListObjectsV2, REST with path-style addressing
//   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
//   https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html); NoSuchKey as a 404
//   XML error; listings paginate with continuation tokens so the CLI's paging is exercised.
import * as crypto from "crypto";
import * as http from "http";
import { AddressInfo } from "net";

export interface Parameter {
  readonly value: string;
  readonly type: "String" | "SecureString";
}

export interface RequestRecord {
  readonly op: "GetParameter" | "GetSecretValue" | "GetObject" | "ListObjectsV2";
  readonly target: string;
  readonly decrypt?: boolean;
}

const xml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const etagOf = (body: string) => `"${crypto.createHash("md5").update(body).digest("hex")}"`;

export class AwsStandIn {
  readonly parameters = new Map<string, Parameter>();
  readonly objects = new Map<string, string>(); // "bucket/key" -> body
  /** Secrets Manager: SecretString by secret id (the ARN the caller names). */
  readonly secrets = new Map<string, string>();
  readonly requests: RequestRecord[] = [];
  /** Errors to answer with, per operation, before serving normally (consumed one by one). */
  readonly faults: Record<RequestRecord["op"], string[]> = {
    GetParameter: [],
    GetSecretValue: [],
    GetObject: [],
    ListObjectsV2: [],
  };
  /** Keys per ListObjectsV2 page (S3 returns up to 1,000; small here so paging is exercised). */
  pageSize = 2;
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.handle(req, Buffer.concat(chunks).toString("utf8"), res));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  count(op: RequestRecord["op"], target?: string): number {
    return this.requests.filter((r) => r.op === op && (target === undefined || r.target === target))
      .length;
  }

  private fault(op: RequestRecord["op"]): string | undefined {
    return this.faults[op].shift();
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const target = String(req.headers["x-amz-target"] ?? "");
    // AWS JSON 1.1 answers; errors are {"__type": "<Code>"} with HTTP 400.
    const json = (status: number, doc: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(doc));
    };
    if (req.method === "POST" && target === "AmazonSSM.GetParameter") {
      const input = JSON.parse(body) as { Name: string; WithDecryption?: boolean };
      this.requests.push({ op: "GetParameter", target: input.Name, decrypt: input.WithDecryption });
      const fault = this.fault("GetParameter");
      if (fault) return json(400, { __type: fault, message: `stand-in ${fault}` });
      const p = this.parameters.get(input.Name);
      if (!p) return json(400, { __type: "ParameterNotFound", message: "" });
      // Without WithDecryption a SecureString comes back encrypted, as SSM does.
      const value =
        p.type === "SecureString" && !input.WithDecryption
          ? Buffer.from(`kms-ciphertext:${input.Name}`).toString("base64")
          : p.value;
      return json(200, {
        Parameter: { Name: input.Name, Type: p.type, Value: value, Version: 1, DataType: "text" },
      });
    }
    if (req.method === "POST" && target === "secretsmanager.GetSecretValue") {
      const input = JSON.parse(body) as { SecretId: string };
      this.requests.push({ op: "GetSecretValue", target: input.SecretId });
      const fault = this.fault("GetSecretValue");
      if (fault) return json(400, { __type: fault, message: `stand-in ${fault}` });
      const value = this.secrets.get(input.SecretId);
      if (value === undefined) return json(400, { __type: "ResourceNotFoundException" });
      return json(200, {
        ARN: input.SecretId,
        Name: "stand-in",
        SecretString: value,
        VersionId: "v1",
      });
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [, bucket, ...rest] = decodeURIComponent(url.pathname).split("/");
    const key = rest.join("/");
    if (req.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
      const prefix = url.searchParams.get("prefix") ?? "";
      this.requests.push({ op: "ListObjectsV2", target: `${bucket}/${prefix}` });
      const fault = this.fault("ListObjectsV2");
      if (fault) return this.s3Error(res, 403, fault);
      const keys = [...this.objects.keys()]
        .filter((k) => k.startsWith(`${bucket}/${prefix}`))
        .map((k) => k.slice(bucket.length + 1))
        .sort();
      const start = Number(url.searchParams.get("continuation-token") ?? "0");
      const page = keys.slice(start, start + this.pageSize);
      const more = start + this.pageSize < keys.length;
      const contents = page
        .map((k) => {
          const b = this.objects.get(`${bucket}/${k}`) as string;
          return `<Contents><Key>${xml(k)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>${xml(etagOf(b))}</ETag><Size>${Buffer.byteLength(b)}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
        })
        .join("");
      res.writeHead(200, { "content-type": "application/xml" });
      return void res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${this.pageSize}</MaxKeys><IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${start + this.pageSize}</NextContinuationToken>` : ""}${contents}</ListBucketResult>`,
      );
    }
    if (req.method === "GET" && key !== "") {
      this.requests.push({ op: "GetObject", target: `${bucket}/${key}` });
      const fault = this.fault("GetObject");
      if (fault) return this.s3Error(res, 403, fault);
      const b = this.objects.get(`${bucket}/${key}`);
      if (b === undefined) return this.s3Error(res, 404, "NoSuchKey");
      res.writeHead(200, {
        "content-type": "text/plain",
        "content-length": Buffer.byteLength(b),
        etag: etagOf(b),
        "last-modified": "Thu, 01 Jan 2026 00:00:00 GMT",
      });
      return void res.end(b);
    }
    res.writeHead(400);
    res.end("stand-in: unsupported request");
  }

  private s3Error(res: http.ServerResponse, status: number, code: string): void {
    res.writeHead(status, { "content-type": "application/xml" });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>stand-in ${code}</Message><RequestId>1</RequestId></Error>`,
    );
  }
}

/**
 * The environment that points an AWS CLI (the real one or a stand-in) at the stand-in: static
 * test credentials, no configuration files, no instance metadata, and the CLI's own retries off
 * (the scripts' retries are what is under test).
 */
export function standInAwsEnv(endpoint: string, region = "eu-central-1"): NodeJS.ProcessEnv {
  return {
    FAKE_AWS_ENDPOINT: endpoint,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: "AKIDSTANDIN",
    AWS_SECRET_ACCESS_KEY: "stand-in-secret",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_MAX_ATTEMPTS: "1",
    AWS_RETRY_MODE: "standard",
    AWS_PAGER: "",
  };
}
