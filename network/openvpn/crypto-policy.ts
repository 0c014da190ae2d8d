// Cryptographic choices shared by the server config and every client profile. Both sides render
// from these constants so they cannot drift apart.

/**
 * Data-channel ciphers offered by both sides. Every peer is OpenVPN 2.6 (the server on
 * Amazon Linux 2023, the devices on Raspberry Pi OS bookworm), so cipher negotiation always
 * happens and no `data-ciphers-fallback` is rendered: a peer that cannot negotiate AES-256-GCM
 * must fail instead of silently falling back to a legacy cipher. `auth` is not rendered either:
 * with an AEAD data cipher the data channel has no separate HMAC, and `tls-crypt` authenticates
 * the control channel with its own HMAC-SHA256 regardless of `auth`.
 */
export const DATA_CIPHERS: readonly string[] = ["AES-256-GCM"];

/** Lowest TLS version for the control channel; TLS 1.3 is negotiated whenever both sides have it. */
export const TLS_VERSION_MIN = "1.2";
