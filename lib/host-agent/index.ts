// The host agent: user data installs it, a manifest in SSM tells it what the host should hold.
export * from "./agent-script";
export * from "./manifest";
export * from "./user-data";
