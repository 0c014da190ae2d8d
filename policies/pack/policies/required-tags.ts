import { ResourceValidationPolicy } from "@pulumi/policy";
import { repositoryDefaults } from "../defaults";
import { settings, stringListProperty } from "../lib/config";
import { isTaggable } from "../lib/taggable";
import { objectOf, read, tagsOf, UNKNOWN } from "../lib/values";

export const appliesTo = ["every taggable aws:* resource"] as const;

interface Config {
  /** Tag keys every taggable resource must carry with a non-empty value. */
  requiredTagKeys: string[];
}

const defaults = (): Config => ({ requiredTagKeys: [...repositoryDefaults().requiredTagKeys] });

/**
 * The tags AWS will put on the resource: the provider's default tags overlaid with the resource's
 * own. The stacks tag through provider defaults, so a resource whose provider lost them, or one that
 * overrides a key with an empty value, is what this catches. Provider inputs arrive JSON-encoded.
 */
export function effectiveTags(
  props: Record<string, any>,
  providerProps: Record<string, any> | undefined,
): Record<string, string> {
  const fromProvider: Record<string, string> = {};
  const defaultTags = providerProps ? objectOf(read(() => providerProps.defaultTags)) : undefined;
  const tags = defaultTags ? objectOf(read(() => defaultTags.tags)) : undefined;
  for (const key of Object.keys(tags ?? {})) {
    const v = read(() => tags![key]);
    if (typeof v === "string") fromProvider[key] = v;
    // A default tag whose value is unknown in preview is still a tag with that key.
    else if (v === UNKNOWN) fromProvider[key] = "(unknown)";
  }
  return { ...fromProvider, ...tagsOf(props) };
}

export const policy: ResourceValidationPolicy = {
  name: "required-tags",
  description:
    "Checks that every taggable AWS resource carries the platform's cost allocation tags (project, environment, " +
    "owner, cost-center, managed-by), from provider default tags or its own.",
  enforcementLevel: "mandatory",
  severity: "low",
  configSchema: {
    properties: {
      requiredTagKeys: stringListProperty(
        "Tag keys every taggable resource must carry with a non-empty value.",
        defaults().requiredTagKeys,
      ),
    },
  },
  validateResource: (args, report) => {
    if (!args.type.startsWith("aws:")) args.notApplicable("not an AWS resource");
    const hasTags = Object.prototype.hasOwnProperty.call(args.props, "tags");
    if (!isTaggable(args.type, hasTags)) args.notApplicable(`${args.type} takes no tags`);
    const c = settings(args, defaults());
    const tags = effectiveTags(args.props, args.provider?.props);
    const missing = c.requiredTagKeys.filter((k) => !tags[k]);
    if (missing.length) {
      const via = args.provider
        ? `provider ${args.provider.name}'s defaultTags`
        : "no explicit provider";
      report(
        `${args.type} ${args.name} lacks tag(s) ${missing.join(", ")} (checked its tags and ${via}); ` +
          "set them through the provider's defaultTags.",
      );
    }
  },
};
