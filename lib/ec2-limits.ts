/**
 * EC2 user data is limited to 16 KB in raw form, before base64 encoding (EC2 User Guide, "Run
 * commands when you launch an EC2 instance with user data input"). The VPN server's and the
 * backend host's boot scripts are both checked against this one figure.
 */
export const USER_DATA_LIMIT_BYTES = 16384;
