import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { Appliance } from "./appliance";
import { NetworkConfig } from "../lib/config/network";
import {
  CA_ALLOWED_USES,
  CERT_EXPIRY_METRIC,
  DEFAULT_SERVER_PATHS,
  KeyMaterial,
  PKI_KEY_ALGORITHM,
  SERVER_ALLOWED_USES,
  ccdObjectKey,
  renderAdminCcdEntry,
  renderServerConfig,
  renderServerFirewall,
  tunnelGrants,
  vpnAddressPlan,
  vpnServerHost,
  VPN_METRICS_NAMESPACE,
} from "../lib/openvpn";
import {
  HOST_MANIFEST_ADVANCED_LIMIT_BYTES,
  hostManifestParameterName,
  renderHostManifest,
  renderHostUserData,
} from "../lib/host-agent";
import { accessRules } from "../lib/net/access";
import { PrivateBucket } from "../lib/components/bucket";
import { secureParameter } from "../lib/components/parameters";
import {
  edgeKeyAlias,
  edgePublishedParameters,
  vpnParameterNames,
} from "../lib/openvpn/parameter-names";

export { edgeKeyAlias, edgePublishedParameters, vpnParameterNames };

/** Where device and admin ccd entries live in the ccd bucket. */
export const CCD_PREFIX = "ccd";
/** Where the server's own files (config, firewall, scripts, units) live in the same bucket. */
export const HOST_PREFIX = "host/vpn-server/";

/** Days before expiry at which the server and CA certificate alarms fire. */
export const CERT_ALARM_DAYS = 30;

const HOURS_PER_YEAR = 8760;

/**
 * Validity of the VPN certificates the network stack issues, and when they renew. A CA is
 * protected, so it never renews by itself (earlyRenewalHours would only make `pulumi up` fail on
 * the protection): it is replaced by a new generation (README, "CA rollover").
 */
export const VPN_CERT_LIFETIMES = {
  ca: { validityPeriodHours: 10 * HOURS_PER_YEAR },
  server: { validityPeriodHours: 5 * HOURS_PER_YEAR, earlyRenewalHours: 90 * 24 },
} as const;

/**
 * The key material the server reads, file by file: where it lives on the server and the SSM
 * SecureString it comes from. A parameter that does not exist yet (material another stack
 * publishes) makes the server wait for it, not fail; every path the server config names must be
 * here.
 */
export function vpnKeyMaterial(env: string): KeyMaterial[] {
  const names = vpnParameterNames(env);
  const paths = DEFAULT_SERVER_PATHS;
  return [
    {
      path: paths.ca,
      parameter: names.clientCaBundle,
      kind: "certificate",
      expiryMetric: "client-ca",
    },
    { path: paths.cert, parameter: names.serverCert, kind: "certificate", expiryMetric: "server" },
    { path: paths.key, parameter: names.serverKey, kind: "private-key" },
    { path: paths.tlsCryptV2, parameter: names.tlsCryptV2ServerKey, kind: "static-key" },
    // Not read by OpenVPN: only for the server CA's expiry metric.
    {
      path: SERVER_CA_PATH,
      parameter: names.serverCaCert,
      kind: "certificate",
      expiryMetric: "server-ca",
    },
  ];
}

/** Where the server keeps the server CA bundle (for its expiry metric only). */
export const SERVER_CA_PATH = "/etc/openvpn/server/server-ca.crt";

export interface VpnServerArgs {
  readonly env: string;
  readonly network: NetworkConfig;
  readonly vpcCidr: string;
  readonly subnetId: pulumi.Input<string>;
  readonly securityGroupId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  /** From the edge section: when a disconnected device counts as away. */
  readonly awayAfterMinutes: number;
  readonly region: string;
  /** Where the certificate-expiry alarms notify. */
  readonly alarmTopicArn: pulumi.Input<string>;
}

/**
 * The OpenVPN server of an environment: its PKI, the key material in SSM SecureString parameters
 * (read by the instance at boot, never in user data), the bucket of ccd entries the edge stack
 * publishes to, and the appliance that runs it behind a kept Elastic IP.
 */
export class VpnServer extends pulumi.ComponentResource {
  readonly appliance: Appliance;
  /** Every trusted server CA generation's certificate, newest first: what devices verify by. */
  readonly serverCaPem: pulumi.Output<string>;
  readonly serverCommonName: string;
  readonly ccdBucket: PrivateBucket;
  readonly manifest: aws.ssm.Parameter;
  readonly manifestParameterName: string;

  constructor(name: string, args: VpnServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:VpnServer", name, {}, opts);
    const child = { parent: this };
    const keep = { ...child, protect: true };
    const names = vpnParameterNames(args.env);
    const subject = { organization: "OpenEMS", organizationalUnit: `${args.env} VPN` };

    // The server CA: only the server certificate chains to it, its key never leaves this stack's
    // state, and only its certificates are exported. Generations (oldest first) let a new CA be
    // trusted by every device before it signs: the OLDEST listed generation signs, because devices
    // learn a new generation only when they re-fetch their profile; removing the old generation
    // switches signing (README, "CA rollover"). Each is protected, so removing one is deliberate.
    const generations = args.network.vpn.serverCaGenerations;
    const cas = generations.map((gen) => {
      const key = new tls.PrivateKey(`${name}-server-ca-${gen}`, { ...PKI_KEY_ALGORITHM }, keep);
      const cert = new tls.SelfSignedCert(
        `${name}-server-ca-${gen}`,
        {
          privateKeyPem: key.privateKeyPem,
          isCaCertificate: true,
          allowedUses: [...CA_ALLOWED_USES],
          subject: { ...subject, commonName: `openems-${args.env}-vpn-server-ca-${gen}` },
          ...VPN_CERT_LIFETIMES.ca,
        },
        keep,
      );
      return { key, cert };
    });
    const signing = cas[0];
    this.serverCaPem = pulumi
      .all([...cas].reverse().map((c) => c.cert.certPem))
      .apply((pems) => pems.map((p) => p.trim()).join("\n") + "\n");
    this.serverCommonName = `openems-${args.env}-vpn-server`;
    const serverKey = new tls.PrivateKey(`${name}-server`, { ...PKI_KEY_ALGORITHM }, child);
    const serverCsr = new tls.CertRequest(
      `${name}-server`,
      {
        privateKeyPem: serverKey.privateKeyPem,
        subject: { ...subject, commonName: this.serverCommonName },
      },
      child,
    );
    const serverCert = new tls.LocallySignedCert(
      `${name}-server`,
      {
        certRequestPem: serverCsr.certRequestPem,
        caPrivateKeyPem: signing.key.privateKeyPem,
        caCertPem: signing.cert.certPem,
        allowedUses: [...SERVER_ALLOWED_USES],
        ...VPN_CERT_LIFETIMES.server,
      },
      child,
    );

    const secureString = (
      id: string,
      paramName: string,
      value: pulumi.Input<string>,
      description: string,
    ) =>
      secureParameter(
        `${name}-${id}`,
        { name: paramName, value, keyId: args.kmsKeyArn, description },
        child,
      );
    const params = [
      secureString(
        "server-ca-cert",
        names.serverCaCert,
        this.serverCaPem,
        "OpenVPN server CA certificates (every trusted generation)",
      ),
      secureString(
        "server-cert",
        names.serverCert,
        serverCert.certPem,
        "OpenVPN server certificate",
      ),
      secureString(
        "server-key",
        names.serverKey,
        serverKey.privateKeyPem,
        "OpenVPN server private key",
      ),
    ];

    this.ccdBucket = new PrivateBucket(
      `${name}-ccd`,
      { kmsKeyArn: args.kmsKeyArn, dataClass: "config" },
      child,
    );

    // Admin profiles: pool addresses (their ccd entries push no address), admin ports only. The
    // edge stack (the client authority) issues their certificates and profiles.
    for (const admin of args.network.vpn.adminProfiles) {
      const cn = `admin-${admin}`;
      new aws.s3.BucketObjectv2(
        `${name}-${cn}`,
        {
          bucket: this.ccdBucket.name,
          key: ccdObjectKey(CCD_PREFIX, cn),
          content: renderAdminCcdEntry(cn),
          contentType: "text/plain",
        },
        child,
      );
    }

    // Everything the server holds comes from its manifest (host-agent), so a change to any of it
    // reaches the running server; the user data only names the manifest and never changes.
    const keyMaterial = vpnKeyMaterial(args.env);
    const serverConfig = renderServerConfig({
      clientCidr: args.network.vpn.clientCidr,
      pushRoutes: [args.vpcCidr],
      port: args.network.vpn.port,
    });
    const host = vpnServerHost({
      serverConfig,
      keyMaterial,
      plan: vpnAddressPlan(args.network.vpn.clientCidr),
      adminCommonNames: args.network.vpn.adminProfiles.map((a) => `admin-${a}`),
      firewall: renderServerFirewall({
        destinations: [args.vpcCidr],
        grants: tunnelGrants(accessRules(args.network), args.network.vpn.clientCidr),
      }),
      ccdPrefix: `${CCD_PREFIX}/`,
      hostPrefix: HOST_PREFIX,
      region: args.region,
      // Fleet-level metrics only: a per-device metric would cost $0.30 a month per device.
      metrics: {
        namespace: VPN_METRICS_NAMESPACE,
        dimensions: { Environment: args.env },
        perDeviceMetrics: false,
        awayAfterSeconds: args.awayAfterMinutes * 60,
      },
      earliestDeviceParameter: names.earliestDeviceCertExpiry,
    });
    const hostObjects = host.objects.map(
      (o) =>
        new aws.s3.BucketObjectv2(
          `${name}-host-${o.key.slice(HOST_PREFIX.length)}`,
          {
            bucket: this.ccdBucket.name,
            key: o.key,
            content: o.content,
            contentType: "text/plain",
          },
          child,
        ),
    );
    this.manifestParameterName = hostManifestParameterName(args.env, "vpn-server");
    // Advanced tier ($0.05 a month): the manifest names a dozen files with their digests, more than
    // the standard tier's 4 KB.
    this.manifest = new aws.ssm.Parameter(
      `${name}-manifest`,
      {
        name: this.manifestParameterName,
        type: "String",
        tier: "Advanced",
        value: this.ccdBucket.name.apply((bucket) =>
          renderHostManifest(host.manifest(bucket), {
            limitBytes: HOST_MANIFEST_ADVANCED_LIMIT_BYTES,
          }),
        ),
        description: "Desired state of the OpenVPN server (host-agent manifest)",
      },
      { ...child, dependsOn: hostObjects },
    );

    const bucketArn = this.ccdBucket.arn;
    const region = aws.getRegionOutput({}, child).region;
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const parameterArn = (paramName: string) =>
      pulumi.interpolate`arn:aws:ssm:${region}:${account}:parameter${paramName}`;
    const policy = pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadOwnManifestAndKeyMaterial",
          Effect: "Allow",
          Action: "ssm:GetParameter",
          // By name: material other stacks publish later is readable once it exists.
          Resource: [
            this.manifest.arn,
            ...keyMaterial.map((k) => parameterArn(k.parameter)),
            parameterArn(names.earliestDeviceCertExpiry),
          ],
        },
        {
          Sid: "DecryptOwnKeyMaterialAndCcd",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: args.kmsKeyArn,
          Condition: {
            StringEquals: {
              "kms:ViaService": [
                pulumi.interpolate`ssm.${region}.amazonaws.com`,
                pulumi.interpolate`s3.${region}.amazonaws.com`,
              ],
            },
          },
        },
        {
          // The edge stack's material (client CA bundle, tls-crypt-v2 server key) is encrypted with
          // the edge key, which does not exist when this stack first deploys: the key is named by
          // its alias (kms:ResourceAliases, docs.aws.amazon.com/kms/latest/developerguide/
          // alias-authorization.html), used through SSM only, and only for those two parameters:
          // Parameter Store binds each SecureString to its ARN in the encryption context
          // (PARAMETER_ARN, docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html).
          Sid: "DecryptEdgePublishedKeyMaterial",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: pulumi.interpolate`arn:aws:kms:${region}:${account}:key/*`,
          Condition: {
            StringEquals: {
              "kms:ViaService": pulumi.interpolate`ssm.${region}.amazonaws.com`,
              "kms:EncryptionContext:PARAMETER_ARN": edgePublishedParameters(args.env).map(
                parameterArn,
              ),
            },
            "ForAnyValue:StringEquals": {
              "kms:ResourceAliases": `alias/${edgeKeyAlias(args.env)}`,
            },
          },
        },
        {
          Sid: "ListCcdEntries",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: bucketArn,
          Condition: { StringLike: { "s3:prefix": [`${CCD_PREFIX}/*`, CCD_PREFIX] } },
        },
        {
          Sid: "ReadCcdEntriesAndHostFiles",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: [
            pulumi.interpolate`${bucketArn}/${CCD_PREFIX}/*`,
            pulumi.interpolate`${bucketArn}/${HOST_PREFIX}*`,
          ],
        },
        {
          Sid: "PublishConnectionMetrics",
          Effect: "Allow",
          Action: "cloudwatch:PutMetricData",
          Resource: "*",
          Condition: { StringEquals: { "cloudwatch:namespace": VPN_METRICS_NAMESPACE } },
        },
      ],
    });

    this.appliance = new Appliance(
      `${name}-server`,
      {
        role: "vpn-server",
        description: `OpenVPN server for the ${args.env} edge devices`,
        instanceType: args.network.vpn.instanceType,
        subnetId: args.subnetId,
        securityGroupId: args.securityGroupId,
        kmsKeyArn: args.kmsKeyArn,
        userData: renderHostUserData({ manifestParameter: this.manifestParameterName }),
        policy,
        keepAddress: true,
      },
      { ...child, dependsOn: [...params, this.manifest] },
    );

    // Weeks ahead: the server certificate renews 90 days before it expires, so an alarm means the
    // renewal (pulumi up) has not happened; the CA cannot renew by itself (it is protected).
    // Missing data is not breaching: a fresh deploy has no data until the first hourly run.
    // A CA bundle reports its earliest generation, so a rollover's old CA keeps alarming until it
    // is removed. The edge stack alarms on its earliest device certificate.
    const what = {
      server: "server certificate",
      "server-ca": "server CA",
      "client-ca": "client CA",
    };
    for (const cert of ["server", "server-ca", "client-ca"] as const) {
      new aws.cloudwatch.MetricAlarm(
        `${name}-${cert}-cert-expiry`,
        {
          alarmDescription: `The VPN ${what[cert]} of ${args.env} expires in less than ${CERT_ALARM_DAYS} days (${CERT_EXPIRY_METRIC}, see the README's certificate section)`,
          namespace: VPN_METRICS_NAMESPACE,
          metricName: CERT_EXPIRY_METRIC,
          dimensions: { Environment: args.env, Certificate: cert },
          statistic: "Minimum",
          period: 3600,
          evaluationPeriods: 1,
          threshold: CERT_ALARM_DAYS,
          comparisonOperator: "LessThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [args.alarmTopicArn],
          okActions: [args.alarmTopicArn],
        },
        child,
      );
    }

    this.registerOutputs({
      serverCaPem: this.serverCaPem,
      ccdBucket: this.ccdBucket.name,
      manifestParameter: this.manifestParameterName,
    });
  }
}
