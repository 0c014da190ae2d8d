// A stand-in for the AWS CLI, limited to the three calls the agent makes, as fast as node starts
// (the real CLI takes seconds per call on a busy machine). It sends the same wire requests as the
// real CLI to the AwsStandIn and prints what the real CLI prints: JSON documents for --output
// json, errors as "An error occurred (<Code>) when calling the <Operation> operation: <message>"
// on stderr with exit status 254 (CLI v2; v1 uses 255). The "real CLI" test in agent.test.ts runs
// both against the same stand-in and compares their output.
// https://docs.aws.amazon.com/cli/latest/reference/ssm/get-parameter.html
// https://docs.aws.amazon.com/cli/latest/reference/s3api/get-object.html
// https://docs.aws.amazon.com/cli/latest/reference/s3api/list-objects-v2.html
// https://docs.aws.amazon.com/cli/latest/topic/return-codes.html

/** The script, as plain JavaScript for `node`. */
export const FAKE_AWS_CLI = String.raw`#!/usr/bin/env node
"use strict";
const http = require("http");
const fs = require("fs");
const endpoint = new URL(process.env.FAKE_AWS_ENDPOINT);
const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i < 0 ? undefined : argv[i + 1]; };
const flag = (name) => argv.includes(name);
function request(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: endpoint.hostname, port: endpoint.port, method, path, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
function die(code, operation, message) {
  process.stderr.write("\nAn error occurred (" + code + ") when calling the " + operation + " operation: " + message + "\n");
  process.exit(254);
}
const tag = (xml, name) => { const m = new RegExp("<" + name + ">([^<]*)</" + name + ">").exec(xml); return m ? m[1] : undefined; };
const unxml = (s) => s.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
async function main() {
  const [service, command] = argv;
  if (service === "ssm" && command === "get-parameter") {
    const body = JSON.stringify({ Name: opt("--name"), WithDecryption: flag("--with-decryption") });
    const res = await request("POST", "/", { "x-amz-target": "AmazonSSM.GetParameter", "content-type": "application/x-amz-json-1.1" }, body);
    const doc = JSON.parse(res.body.toString("utf8"));
    if (res.status !== 200) die(doc.__type, "GetParameter", doc.message || "");
    process.stdout.write(JSON.stringify(doc, null, 4) + "\n");
  } else if (service === "s3api" && command === "get-object") {
    const outfile = argv[argv.length - 1];
    const res = await request("GET", "/" + opt("--bucket") + "/" + opt("--key").split("/").map(encodeURIComponent).join("/"), {});
    if (res.status !== 200) { const x = res.body.toString("utf8"); die(tag(x, "Code"), "GetObject", tag(x, "Message") || ""); }
    fs.writeFileSync(outfile, res.body);
    process.stdout.write(JSON.stringify({ ContentLength: res.body.length, ETag: res.headers.etag, ContentType: res.headers["content-type"], Metadata: {} }, null, 4) + "\n");
  } else if (service === "s3api" && command === "list-objects-v2") {
    const contents = [];
    let token;
    do {
      const q = "list-type=2&prefix=" + encodeURIComponent(opt("--prefix") || "") + (token ? "&continuation-token=" + encodeURIComponent(token) : "");
      const res = await request("GET", "/" + opt("--bucket") + "?" + q, {});
      const x = res.body.toString("utf8");
      if (res.status !== 200) die(tag(x, "Code"), "ListObjectsV2", tag(x, "Message") || "");
      for (const m of x.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        contents.push({ Key: unxml(tag(m[1], "Key")), LastModified: tag(m[1], "LastModified"), ETag: unxml(tag(m[1], "ETag")), Size: Number(tag(m[1], "Size")), StorageClass: tag(m[1], "StorageClass") });
      }
      token = tag(x, "IsTruncated") === "true" ? tag(x, "NextContinuationToken") : undefined;
    } while (token);
    process.stdout.write(JSON.stringify(contents.length ? { Contents: contents } : {}, null, 4) + "\n");
  } else {
    process.stderr.write("fake aws: unsupported call " + argv.join(" ") + "\n");
    process.exit(252);
  }
}
main().catch((e) => { process.stderr.write("\nCould not connect to the endpoint URL: " + e.message + "\n"); process.exit(255); });
`;
