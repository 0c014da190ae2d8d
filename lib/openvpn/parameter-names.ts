// Names both VPN stacks use: the network stack (the server authority, which reads them) and the
// edge stack (the client authority, which writes some of them). Pure, so either program may import it.

/** The SSM parameter names of one environment's VPN material. */
export function vpnParameterNames(env: string) {
  const root = `/openems/${env}/vpn`;
  return {
    root,
    /** The server CA bundle (every trusted generation), for the server CA's expiry metric. */
    serverCaCert: `${root}/server-ca-cert`,
    serverCert: `${root}/server-cert`,
    serverKey: `${root}/server-key`,
    /** Written by the edge stack (the client authority): the client CA bundle devices chain to. */
    clientCaBundle: `${root}/client-ca-bundle`,
    /** Written by the edge stack: the key that unwraps each device's tls-crypt-v2 key. */
    tlsCryptV2ServerKey: `${root}/tls-crypt-v2-server-key`,
    /** Written by the edge stack: the notAfter (ISO 8601) of the earliest device certificate. */
    earliestDeviceCertExpiry: `/openems/${env}/edge/earliest-cert-expiry`,
  };
}

/** The parameters the edge stack writes for the server, encrypted with the edge key. */
export function edgePublishedParameters(env: string): string[] {
  const names = vpnParameterNames(env);
  return [names.clientCaBundle, names.tlsCryptV2ServerKey];
}

/** The edge key's alias; the server may decrypt with that key only what the edge publishes for it. */
export function edgeKeyAlias(env: string): string {
  return `openems-${env}-edge`;
}
