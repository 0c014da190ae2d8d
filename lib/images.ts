/** AWS's public SSM parameters for the current Amazon Linux 2023 image, per CPU architecture. */
export const AL2023_AMI_PARAMETERS = {
  x86_64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
  arm64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
} as const;

/** Graviton families carry a `g` after the generation digit (t4g, m7g, c7gn); the rest are x86. */
export function architectureOf(instanceType: string): keyof typeof AL2023_AMI_PARAMETERS {
  const family = instanceType.split(".")[0];
  return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) && !/^g\d/.test(family) ? "arm64" : "x86_64";
}
