// The server's check of a device's tls-crypt-v2 key before any TLS: OpenVPN 2.6 unwraps the key,
// writes its metadata to a temporary file and runs `--tls-crypt-v2-verify <cmd>` with only
// script_type, metadata_type and metadata_file in the environment (no PATH); a non-zero exit drops
// the client's packets before the X.509/ASN.1 code sees any of them (src/openvpn/tls_crypt.c
// tls_crypt_v2_verify_metadata, doc/man-sections/tls-options.rst). The metadata of every key the
// platform wraps is the device's common name (tls-crypt-v2.ts), so a key is accepted only while a
// ccd entry of that name exists: removing the entry refuses the device's key at its next
// connection attempt, before it can reach the TLS stack.
//
// The script runs with the server's dropped privileges (user/group of the config) and needs
// `script-security 2`, which renderServerConfig sets.

/** A POSIX sh script: `openvpn-tls-crypt-v2-verify <ccd directory>`; exit 0 accepts the key. */
export function renderTlsCryptV2Verifier(): string {
  return `#!/bin/sh
# Accepts a tls-crypt-v2 client key only if its metadata is a common name with a ccd entry.
# Rendered by lib/openvpn/tls-crypt-v2-verify.ts; OpenVPN passes metadata_type and metadata_file.
ccd_dir=\${1-}
refuse() {
  echo "tls-crypt-v2 key refused: $*" >&2
  exit 1
}

[ "$#" -eq 1 ] || refuse "usage: openvpn-tls-crypt-v2-verify <ccd directory>"
case $ccd_dir in
  /*) ;;
  *) refuse "the ccd directory must be an absolute path" ;;
esac
[ "\${metadata_type-}" = 0 ] || refuse "metadata type '\${metadata_type-}' is not user data (0)"
[ -n "\${metadata_file-}" ] || refuse "no metadata file"
[ -f "$metadata_file" ] || refuse "no metadata file"

# The metadata is the common name without a line break, so read stops at the end of the file
# (and fails) with all of it read; succeeding means a line break, i.e. a second line.
name=
if IFS= read -r name <"$metadata_file"; then
  refuse "the metadata has a line break"
fi
# One DNS label in lower case, as ccd.ts validateCommonName: no '/', no '.', at most 63 bytes.
case $name in
  "" | *[!a-z0-9-]* | -* | *- | default) refuse "the metadata is not a common name" ;;
esac
[ "\${#name}" -le 63 ] || refuse "the metadata is longer than 63 characters"
# Bytes the shell dropped (NUL) would make the name shorter than the file.
size=$(/usr/bin/wc -c <"$metadata_file") || refuse "cannot read the metadata file"
[ "$((size))" -eq "\${#name}" ] || refuse "the metadata is not a common name"

[ -f "$ccd_dir/$name" ] || refuse "no ccd entry for $name (unknown or removed device)"
exit 0
`;
}
