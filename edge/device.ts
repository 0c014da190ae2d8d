import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { FleetDevice } from "../lib/config/fleet";
import {
  ccdObjectKey,
  CLIENT_ALLOWED_USES,
  PKI_KEY_ALGORITHM,
  renderCcdEntry,
  renderClientProfile,
  vpnAddressPlan,
} from "../lib/openvpn";
import { secureParameter } from "../lib/components/parameters";
import { networkContract, Upstream } from "../lib/contracts";

/** Where a device's bundle lives: two free (standard, under 4 KB) SecureString parameters. */
export function bundleParameters(env: string, deviceId: string) {
  const root = `/openems/${env}/edge/${deviceId}`;
  return { profile: `${root}/vpn.ovpn`, settings: `${root}/openems.json` };
}

/** What the OpenEMS Edge's Controller.Api.Backend needs, and what the installer checks against. */
export function renderEdgeSettings(
  device: FleetDevice,
  backendUri: string,
  apikey: string,
): string {
  return `${JSON.stringify(
    {
      edgeId: device.id,
      site: device.site,
      vpnAddress: device.address,
      labels: device.labels,
      // Felix factory "Controller.Api.Backend": uri and apikey; the apikey is registered in Odoo.
      "Controller.Api.Backend": { uri: backendUri, apikey },
    },
    null,
    2,
  )}\n`;
}

export interface EdgeDeviceArgs {
  readonly env: string;
  readonly device: FleetDevice;
  readonly certValidityDays: number;
  readonly renewBeforeDays: number;
  readonly network: Upstream<typeof networkContract>;
  readonly backendUri: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * Everything one device needs to join: a key and a certificate from the environment's VPN CA, its
 * ccd entry in the network stack's bucket (so the server admits it, at its fixed address), an
 * OpenEMS API key, and its bundle (profile and settings) in SSM. Removing the device from the file
 * deletes all of it, and the server refuses the device at its next TLS negotiation.
 */
export class EdgeDevice extends pulumi.ComponentResource {
  readonly parameters: ReturnType<typeof bundleParameters>;

  constructor(name: string, args: EdgeDeviceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:edge:Device", name, {}, opts);
    const child = { parent: this };
    const { device, network } = args;
    const vpn = network.vpn;
    const signing = network.vpnSigning;

    const key = new tls.PrivateKey(name, { ...PKI_KEY_ALGORITHM }, child);
    const csr = new tls.CertRequest(
      name,
      {
        privateKeyPem: key.privateKeyPem,
        subject: {
          commonName: device.id,
          organization: "OpenEMS",
          organizationalUnit: `${args.env} edge ${device.site}`,
        },
      },
      child,
    );
    const cert = new tls.LocallySignedCert(
      name,
      {
        certRequestPem: csr.certRequestPem,
        caPrivateKeyPem: signing.caPrivateKeyPem,
        caCertPem: vpn.caCertPem,
        allowedUses: [...CLIENT_ALLOWED_USES],
        validityPeriodHours: args.certValidityDays * 24,
        earlyRenewalHours: args.renewBeforeDays * 24,
      },
      child,
    );
    const apikey = new random.RandomPassword(
      `${name}-apikey`,
      { length: 32, special: false },
      child,
    );

    new aws.s3.BucketObjectv2(
      name,
      {
        bucket: vpn.ccdBucket,
        key: vpn.ccdPrefix.apply((prefix) => ccdObjectKey(prefix, device.id)),
        content: vpn.clientCidr.apply((cidr) => {
          const plan = vpnAddressPlan(cidr);
          return renderCcdEntry({
            commonName: device.id,
            address: device.address,
            netmask: plan.netmask,
            plan,
          });
        }),
        contentType: "text/plain",
        tags: { site: device.site },
      },
      child,
    );

    this.parameters = bundleParameters(args.env, device.id);
    const profile = pulumi
      .all([vpn, signing.tlsCryptKey, cert.certPem, key.privateKeyPem])
      .apply(([v, tlsCryptKey, clientCertPem, clientKeyPem]) =>
        renderClientProfile({
          remoteHost: v.host,
          remotePort: v.port,
          serverCommonName: v.serverCommonName,
          caCertPem: v.caCertPem,
          clientCertPem,
          clientKeyPem,
          tlsCryptKey,
        }),
      );
    const settings = pulumi
      .all([args.backendUri, apikey.result])
      .apply(([uri, k]) => renderEdgeSettings(device, uri, k));
    const parameter = (
      id: string,
      paramName: string,
      value: pulumi.Output<string>,
      description: string,
    ) =>
      secureParameter(
        `${name}-${id}`,
        { name: paramName, value, keyId: args.kmsKeyArn, description, tags: { site: device.site } },
        child,
      );
    parameter(
      "profile",
      this.parameters.profile,
      profile,
      `OpenVPN profile of edge device ${device.id}`,
    );
    parameter(
      "settings",
      this.parameters.settings,
      settings,
      `OpenEMS Edge settings of device ${device.id}`,
    );
    this.registerOutputs({});
  }
}
