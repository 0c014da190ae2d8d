import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { FleetDevice } from "../lib/config/fleet";
import { ccdObjectKey, renderCcdEntry, vpnAddressPlan } from "../lib/openvpn";
import { ClientAuthority, clientProfile } from "./authority";
import { secureParameter } from "../lib/components/parameters";
import { networkContract, Upstream } from "../lib/contracts";
import { combine } from "../lib/outputs";

/** The network stack's ccd bucket, prefix and address plan: read once per stack, not per device. */
const ccdTargets = new WeakMap<object, ReturnType<typeof readCcdTarget>>();
function readCcdTarget(vpn: Upstream<typeof networkContract>["vpn"]) {
  return {
    bucket: vpn.ccdBucket,
    prefix: vpn.ccdPrefix,
    plan: vpn.clientCidr.apply(vpnAddressPlan),
  };
}
function ccdTarget(vpn: Upstream<typeof networkContract>["vpn"]) {
  let t = ccdTargets.get(vpn);
  if (!t) ccdTargets.set(vpn, (t = readCcdTarget(vpn)));
  return t;
}

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
  /** The environment's client authority: signs the certificate, wraps the tls-crypt-v2 key. */
  readonly authority: ClientAuthority;
  readonly backendUri: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * Everything one device needs to join: a key and a certificate from the environment's client CA,
 * its own tls-crypt-v2 key (so a leaked device exposes no other device's control channel), its
 * ccd entry in the network stack's bucket (so the server admits it, at its fixed address), an
 * OpenEMS API key, and its bundle (profile and settings) in SSM. Removing the device from the file
 * deletes all of it, and the server refuses the device at its next TLS negotiation.
 */
export class EdgeDevice extends pulumi.ComponentResource {
  readonly parameters: ReturnType<typeof bundleParameters>;
  /** The certificate's notAfter (RFC 3339). */
  readonly certExpiry: pulumi.Output<string>;

  constructor(name: string, args: EdgeDeviceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:edge:Device", name, {}, opts);
    const child = { parent: this };
    const { device, network } = args;
    const vpn = network.vpn;
    const ccd = ccdTarget(vpn);

    // No organizational unit: a profile must hold two server CA generations during a rollover and
    // still fit the free 4 KB tier, and the site is in the settings anyway.
    const { key, cert } = args.authority.issue(
      name,
      device.id,
      undefined,
      {
        validityPeriodHours: args.certValidityDays * 24,
        earlyRenewalHours: args.renewBeforeDays * 24,
      },
      child,
    );
    this.certExpiry = cert.validityEndTime;
    const tlsCryptV2Key = args.authority.tlsCryptV2Key(`${name}-tls-crypt-v2`, device.id, child);
    const apikey = new random.RandomPassword(
      `${name}-apikey`,
      { length: 32, special: false },
      child,
    );

    new aws.s3.BucketObjectv2(
      name,
      {
        bucket: ccd.bucket,
        key: ccd.prefix.apply((prefix) => ccdObjectKey(prefix, device.id)),
        content: ccd.plan.apply((plan) =>
          renderCcdEntry({
            commonName: device.id,
            address: device.address,
            netmask: plan.netmask,
            plan,
          }),
        ),
        contentType: "text/plain",
        tags: { site: device.site },
      },
      child,
    );

    this.parameters = bundleParameters(args.env, device.id);
    const profile = clientProfile(vpn, cert.certPem, key.privateKeyPem, tlsCryptV2Key);
    const settings = combine([args.backendUri, apikey.result], (uri, k) =>
      renderEdgeSettings(device, uri, k),
    );
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
