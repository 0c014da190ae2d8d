/**
 * The port map of the OpenEMS backend: what the OpenEMS backend host publishes, and the VPN's UDP port.
 * Security groups (network), the compose file (workloads) and the policy pack read these, so a
 * port can only change in one place.
 */
export const PORT_MAP = {
  ui: 4200,
  edgeWebsocket: 8081,
  b2bRest: 8082,
  odoo: 10016,
  influxdb: 8086,
} as const;

/**
 * OpenVPN's IANA port: the default of platform:network.vpn.port, of the server and client
 * renderers and of the policy pack's vpnPort. The environment file may move it (never to 22).
 */
export const DEFAULT_VPN_PORT = 1194;

/** The ports admins reach: UI, Odoo and InfluxDB, nothing else. */
export const ADMIN_PORTS = [PORT_MAP.ui, PORT_MAP.odoo, PORT_MAP.influxdb] as const;
