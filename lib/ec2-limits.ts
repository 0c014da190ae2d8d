/**
 * EC2 user data is limited to 16 KB in raw form, before base64 encoding (EC2 User Guide, "Work with
 * instance user data"). The API checks the encoded form: "Member must have length less than or
 * equal to 21847" (the RunInstances ValidationError quoted in kubicorn/kubicorn#667), and 16384
 * raw bytes encode to ceil(16384 / 3) * 4 = 21848 characters, so the largest accepted script is
 * 16383 bytes. The VPN server's and the backend host's boot scripts are both checked here.
 */
export const USER_DATA_LIMIT_BYTES = 16384;

/** Bytes of a boot script as EC2 counts them, and whether EC2 accepts it (less than 16 KB). */
export function userDataSize(script: string): { bytes: number; fits: boolean } {
  const bytes = Buffer.byteLength(script, "utf8");
  return { bytes, fits: bytes < USER_DATA_LIMIT_BYTES };
}
