import { asList, objectOf, read, UNKNOWN } from "./values";

/**
 * The statements of an IAM policy document that allow every action on every resource, named by
 * Sid (or position). A document may arrive as the JSON string the provider takes or as an object;
 * one that is unknown during preview or not JSON yields nothing here (IAM itself rejects invalid
 * JSON, so it never reaches an account).
 */
export function wildcardGrants(document: unknown): string[] {
  const raw = read(() => document);
  if (raw === UNKNOWN) return [];
  const doc = objectOf(raw);
  if (!doc) return [];
  const statements = asList(
    read(() => doc.Statement) as Record<string, any> | Record<string, any>[] | undefined,
  );
  const found: string[] = [];
  statements.forEach((st, i) => {
    if (read(() => st.Effect) !== "Allow") return;
    const actions = asList(read(() => st.Action) as string | string[] | undefined);
    const resources = asList(read(() => st.Resource) as string | string[] | undefined);
    const everyAction = actions.some((a) => a === "*" || a === "*:*");
    if (everyAction && resources.includes("*")) {
      const sid = read(() => st.Sid);
      found.push(typeof sid === "string" && sid ? `statement "${sid}"` : `statement ${i}`);
    }
  });
  return found;
}

/** The name at the end of an IAM policy ARN (`arn:aws:iam::123:policy/path/name` → `name`). */
export function policyNameOfArn(arn: string): string {
  const slash = arn.lastIndexOf("/");
  return slash >= 0 ? arn.slice(slash + 1) : arn;
}

/** True for a customer-managed policy ARN whose name is one of `names`. */
export function isPolicyNamed(arn: unknown, names: readonly string[]): boolean {
  return (
    typeof arn === "string" &&
    /^arn:aws[a-z-]*:iam::\d{12}:policy\//.test(arn) &&
    names.includes(policyNameOfArn(arn))
  );
}
