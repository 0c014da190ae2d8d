import { Finding, ReadinessRule, eachResource } from "../rule";

const NAME = "alarm-breaching-on-deploy";

export const alarmBreachingOnDeploy: ReadinessRule = {
  name: NAME,
  description:
    "An alarm that treats missing data as breaching goes to ALARM as soon as its evaluation " +
    "periods pass without data, which is every alarm on a resource that has just been created " +
    "(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data): " +
    "the first deploy pages someone. A silent reporter is better signalled through the " +
    "INSUFFICIENT_DATA state, which a new alarm starts in without an action.",
  check(plans) {
    const findings: Finding[] = [];
    for (const { stack, resource: r } of eachResource(plans)) {
      if (r.type !== "aws:cloudwatch/metricAlarm:MetricAlarm") continue;
      if (r.inputs.treatMissingData !== "breaching") continue;
      findings.push({
        rule: NAME,
        stack,
        urn: r.urn,
        message:
          "treatMissingData is breaching: the alarm fires on deploy, before the metric has data",
        fix: 'use treatMissingData "missing" (or "notBreaching"), with insufficientDataActions if silence must notify',
      });
    }
    return findings;
  },
};
