import { StackValidationPolicy } from "@pulumi/policy";
import { settings, stringListProperty } from "../lib/config";
import { DATA_CLASS_TAG, VERSIONED_DATA_CLASSES } from "../lib/conventions";
import { BUCKET_TYPES, bucketLabel, isBucket, VERSIONING_TYPES, versioningOf } from "../lib/s3";
import { tagsOf } from "../lib/values";

export const appliesTo = [...BUCKET_TYPES, ...VERSIONING_TYPES] as const;

interface Config {
  /** `data-class` tag values whose buckets must be versioned. */
  versionedDataClasses: string[];
}

const defaults = (): Config => ({ versionedDataClasses: [...VERSIONED_DATA_CLASSES] });

/**
 * Audit evidence and backups must survive an overwrite or a delete, by mistake or by an intruder:
 * versioning keeps the previous object. Buckets say what they hold with the data-class tag.
 */
export const policy: StackValidationPolicy = {
  name: "s3-audit-bucket-versioned",
  description:
    "Checks that every S3 bucket tagged data-class=audit or data-class=backup has versioning enabled.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      versionedDataClasses: stringListProperty(
        "Values of the data-class tag whose buckets must be versioned.",
        defaults().versionedDataClasses,
      ),
    },
  },
  validateStack: (args, report) => {
    const c = settings(args, defaults());
    for (const bucket of args.resources.filter(isBucket)) {
      const dataClass = tagsOf(bucket.props)[DATA_CLASS_TAG];
      if (dataClass === undefined || !c.versionedDataClasses.includes(dataClass)) continue;
      const states = versioningOf(bucket, args.resources);
      if (states.includes("Enabled") || states.includes("unknown")) continue;
      const found = states.length
        ? `versioning is ${states.join(", ")}`
        : "it has no BucketVersioning";
      report(
        `${bucketLabel(bucket)} is tagged ${DATA_CLASS_TAG}=${dataClass} but ${found}; ` +
          "add a BucketVersioning with status Enabled.",
        bucket.urn,
      );
    }
  },
};
