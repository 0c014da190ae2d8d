import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadsConfig } from "../lib/config/workloads";
import { albAccessRules } from "../lib/net/access";
import { SecurityGroups } from "../lib/components/security-groups";
import { PORT_MAP } from "../lib/ports";

/** TLS 1.3, and TLS 1.2 with forward-secret AEAD ciphers only. */
export const ALB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface AdminAlbArgs {
  readonly env: string;
  readonly https: Extract<WorkloadsConfig["https"], { mode: "alb" }>;
  readonly adminAllowlist: readonly string[];
  readonly vpcId: pulumi.Input<string>;
  readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  readonly backendSecurityGroupId: pulumi.Input<string>;
  readonly instanceId: pulumi.Input<string>;
  readonly deletionProtection: boolean;
}

/**
 * HTTPS for people: an internet-facing ALB that only allowlisted admin addresses reach, with an
 * ACM certificate validated in the environment's hosted zone, HTTP redirected to HTTPS and one host
 * name each for the UI and Odoo.
 */
export class AdminAlb extends pulumi.ComponentResource {
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly endpoints: { ui: string; odoo: string };

  constructor(name: string, args: AdminAlbArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:workloads:AdminAlb", name, {}, opts);
    const child = { parent: this };
    const tags = { role: "admin-alb" };
    const { uiName, odooName, hostedZone } = args.https;
    const access = new SecurityGroups(
      `${name}-access`,
      {
        env: args.env,
        vpcId: args.vpcId,
        roles: ["admin-alb"],
        rules: albAccessRules(args.adminAllowlist),
        existing: { "openems-backend": args.backendSecurityGroupId },
      },
      child,
    );

    const zone = aws.route53.getZoneOutput({ name: hostedZone, privateZone: false }, child);
    const certificate = new aws.acm.Certificate(
      `${name}-cert`,
      { domainName: uiName, subjectAlternativeNames: [odooName], validationMethod: "DNS", tags },
      child,
    );
    const records = [uiName, odooName].map((domain, i) => {
      const option = certificate.domainValidationOptions.apply((opts) => {
        const found = opts.find((o) => o.domainName === domain);
        if (!found) throw new Error(`ACM returned no validation record for ${domain}`);
        return found;
      });
      return new aws.route53.Record(
        `${name}-validation-${i}`,
        {
          zoneId: zone.zoneId,
          name: option.resourceRecordName,
          type: option.resourceRecordType,
          records: [option.resourceRecordValue],
          ttl: 300,
          allowOverwrite: true,
        },
        child,
      );
    });
    const validation = new aws.acm.CertificateValidation(
      `${name}-cert`,
      { certificateArn: certificate.arn, validationRecordFqdns: records.map((r) => r.fqdn) },
      child,
    );

    this.loadBalancer = new aws.lb.LoadBalancer(
      name,
      {
        loadBalancerType: "application",
        internal: false,
        securityGroups: [access.id("admin-alb")],
        subnets: args.publicSubnetIds,
        dropInvalidHeaderFields: true,
        enableDeletionProtection: args.deletionProtection,
        idleTimeout: 120,
        tags,
      },
      child,
    );
    const target = (id: string, port: number, healthPath: string) => {
      const group = new aws.lb.TargetGroup(
        `${name}-${id}`,
        {
          port,
          protocol: "HTTP",
          targetType: "instance",
          vpcId: args.vpcId,
          deregistrationDelay: 30,
          healthCheck: {
            path: healthPath,
            matcher: "200-399",
            interval: 30,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
          },
          tags,
        },
        child,
      );
      new aws.lb.TargetGroupAttachment(
        `${name}-${id}`,
        { targetGroupArn: group.arn, targetId: args.instanceId, port },
        child,
      );
      return group;
    };
    const ui = target("ui", PORT_MAP.ui, "/");
    const odoo = target("odoo", PORT_MAP.odoo, "/web/login");

    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          {
            type: "redirect",
            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
          },
        ],
        tags,
      },
      child,
    );
    const https = new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: ALB_TLS_POLICY,
        certificateArn: validation.certificateArn,
        defaultActions: [
          {
            type: "fixed-response",
            fixedResponse: {
              contentType: "text/plain",
              statusCode: "404",
              messageBody: "Not found",
            },
          },
        ],
        tags,
      },
      child,
    );
    [
      { id: "ui", host: uiName, group: ui, priority: 10 },
      { id: "odoo", host: odooName, group: odoo, priority: 20 },
    ].forEach(({ id, host, group, priority }) => {
      new aws.lb.ListenerRule(
        `${name}-${id}`,
        {
          listenerArn: https.arn,
          priority,
          conditions: [{ hostHeader: { values: [host] } }],
          actions: [{ type: "forward", targetGroupArn: group.arn }],
          tags,
        },
        child,
      );
      new aws.route53.Record(
        `${name}-${id}`,
        {
          zoneId: zone.zoneId,
          name: host,
          type: "A",
          aliases: [
            {
              name: this.loadBalancer.dnsName,
              zoneId: this.loadBalancer.zoneId,
              evaluateTargetHealth: true,
            },
          ],
        },
        child,
      );
    });
    this.endpoints = { ui: `https://${uiName}`, odoo: `https://${odooName}` };
    this.registerOutputs({ dnsName: this.loadBalancer.dnsName });
  }
}
