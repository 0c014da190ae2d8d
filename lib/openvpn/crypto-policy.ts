// Cryptographic choices shared by the server config and every client profile. Both sides render
// from these constants so they cannot drift apart.

/**
 * Data-channel ciphers offered by both sides. Every peer is OpenVPN 2.5 or later (the server is
 * 2.6 on Amazon Linux 2023; Raspberry Pi OS ships 2.5.1 in bullseye and 2.6.3 in bookworm), so
 * cipher negotiation always happens and no `data-ciphers-fallback` is rendered: a peer that
 * cannot negotiate AES-256-GCM must fail instead of falling back to a legacy cipher. (AES-GCM is
 * slower on a Pi 4, which lacks the ARMv8 crypto extensions, but an edge device's websocket
 * traffic is small.) `auth` is not rendered either: with an AEAD data cipher the data channel has
 * no separate HMAC, and `tls-crypt` authenticates the control channel with its own HMAC-SHA256
 * regardless of `auth`.
 */
export const DATA_CIPHERS: readonly string[] = ["AES-256-GCM"];

/** Lowest TLS version of the control channel; TLS 1.3 is used whenever both sides have it. */
export const TLS_VERSION_MIN = "1.2";
