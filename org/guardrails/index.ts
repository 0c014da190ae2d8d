/**
 * Service Control Policies: loading the JSON files in `policies/scp/`, substituting config
 * values, checking them against the AWS Organizations quotas, and working out which policies reach
 * an account.
 *
 * Pure: no Pulumi imports, no AWS calls. The org program wires the results into resources; the
 * tests call these functions directly and prove the documents with an independent IAM policy
 * evaluator. One module per job; this index re-exports them.
 */
export * from "./catalogue";
export * from "./kinds";
export * from "./document";
export * from "./tokens";
export * from "./context";
export * from "./loader";
export * from "./quotas";
export * from "./attachments";
export * from "./effective";
