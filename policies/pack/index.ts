// The entry point `pulumi preview --policy-pack policies/pack` runs. Constructing a PolicyPack
// starts the analyzer's gRPC server, so nothing else may import this file: tests and the offline
// plan import ./policies and ./evaluate instead.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("openems-platform", { policies });
