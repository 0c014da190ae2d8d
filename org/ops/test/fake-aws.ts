/**
 * A fake organization behind aws-sdk-client-mock: real SDK clients whose `send` answers from an
 * in-memory organization (the active FakeAws) with the shapes AWS returns (every list paginated at `pageSize`), records
 * every call, changes state on DetachPolicy / ExecuteBudgetAction like AWS does, and throws real
 * SDK exceptions on demand.
 */
import { mockClient } from "aws-sdk-client-mock";
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  PolicyNotAttachedException,
  PolicyNotFoundException,
} from "@aws-sdk/client-organizations";
import {
  Action,
  ActionStatus,
  Budget,
  BudgetsClient,
  DescribeBudgetActionCommand,
  DescribeBudgetActionsForAccountCommand,
  DescribeBudgetsCommand,
  ExecuteBudgetActionCommand,
  InvalidParameterException,
  NotFoundException,
} from "@aws-sdk/client-budgets";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { AwsClients } from "../aws";
import { scpPolicyName } from "../../../lib/names";
import { accountBudgetName, ExpectedState } from "../expected";

// The SDK warns once per process that it will need Node 22; the repository runs on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const MANAGEMENT_ACCOUNT_ID = "111111111111";
export const ORG_ID = "o-a1b2c3d4e5";
export const ROOT_ID = "r-a1b2";
export const ADMIN_ARN = `arn:aws:sts::${MANAGEMENT_ACCOUNT_ID}:assumed-role/AWSReservedSSO_AdministratorAccess_5f2a9c1e7b3d4e60/alice@example.com`;
/** Member accounts by their platform:accounts key. */
export const ACCOUNT_IDS: Readonly<Record<string, string>> = {
  "log-archive": "222222222222",
  dev: "333333333333",
  stage: "444444444444",
  prod: "555555555555",
  sandbox: "666666666666",
};
export const OU_IDS: Readonly<Record<string, string>> = {
  security: "ou-a1b2-sec00001",
  workloads: "ou-a1b2-wkl00001",
  "workloads/prod": "ou-a1b2-prd00001",
  "workloads/nonprod": "ou-a1b2-npd00001",
  sandbox: "ou-a1b2-sbx00001",
};

/** The fake's id of a config target (`root`, `ou:<path>`, `account:<key>`). */
export function fakeTargetId(target: string): string {
  if (target === "root") return ROOT_ID;
  const [kind, ref] = [target.slice(0, target.indexOf(":")), target.slice(target.indexOf(":") + 1)];
  const id = kind === "ou" ? OU_IDS[ref] : ACCOUNT_IDS[ref];
  if (!id) throw new Error(`fake: unknown target ${target}`);
  return id;
}

export interface FakeAccount {
  Id: string;
  Name: string;
  Email: string;
  State: string;
  ParentId: string;
}

export interface FakeOu {
  Id: string;
  Name: string;
  ParentId: string;
}

export interface FakePolicy {
  Id: string;
  /** SERVICE_CONTROL_POLICY unless set. */
  Type?: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
  Name: string;
  Description: string;
  AwsManaged: boolean;
  Content: string;
  targets: string[];
}

export interface FakeState {
  caller: { Account: string; Arn: string; UserId: string };
  managementAccountId: string;
  ous: FakeOu[];
  accounts: FakeAccount[];
  policies: FakePolicy[];
  budgets: Budget[];
  actions: Action[];
}

export interface Call {
  readonly op: string;
  readonly input: any;
}

const WRITES = new Set(["DetachPolicy", "AttachPolicy", "ExecuteBudgetAction", "UpdatePolicy"]);

function policyId(name: string): string {
  return `p-${(name.replace(/[^a-z0-9]/gi, "") + "00000000").slice(0, 12)}`;
}

function budget(
  name: string,
  limit: number,
  actual: number,
  forecast: number,
  accountId?: string,
): Budget {
  return {
    BudgetName: name,
    BudgetLimit: { Amount: limit.toFixed(1), Unit: "USD" },
    CostFilters: accountId ? { LinkedAccount: [accountId] } : {},
    CostTypes: {
      IncludeTax: true,
      IncludeSubscription: true,
      UseBlended: false,
      IncludeRefund: false,
      IncludeCredit: false,
    },
    TimeUnit: "MONTHLY",
    TimePeriod: { Start: new Date("2026-03-01T00:00:00Z"), End: new Date("2087-06-15T00:00:00Z") },
    CalculatedSpend: {
      ActualSpend: { Amount: String(actual), Unit: "USD" },
      ForecastedSpend: { Amount: String(forecast), Unit: "USD" },
    },
    BudgetType: "COST",
    LastUpdatedTime: new Date("2026-03-14T06:12:44Z"),
  };
}

export const ACTION_IDS: Readonly<Record<string, string>> = {
  dev: "7c1f3a52-9d0e-4b8a-a1c2-3e5f7a9b1d20",
  sandbox: "0e6b2d94-58c1-4f3a-9b7e-c2d4f6a8e013",
};

function freezeAction(
  expected: ExpectedState,
  key: string,
  status: ActionStatus,
  freezePolicyId: string,
): Action {
  return {
    ActionId: ACTION_IDS[key],
    BudgetName: accountBudgetName(expected, key),
    NotificationType: "ACTUAL",
    ActionType: "APPLY_SCP_POLICY",
    ActionThreshold: {
      ActionThresholdValue: expected.config["platform:budgets"].accounts[key].freezeAtPercent!,
      ActionThresholdType: "PERCENTAGE",
    },
    Definition: {
      ScpActionDefinition: { PolicyId: freezePolicyId, TargetIds: [ACCOUNT_IDS[key]] },
    },
    ExecutionRoleArn: `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:role/${expected.prefix}-budget-action`,
    ApprovalModel: "AUTOMATIC",
    Status: status,
    Subscribers: expected.config["platform:budgets"].subscribers.map((Address) => ({
      SubscriptionType: "EMAIL",
      Address,
    })),
  };
}

/**
 * The organization exactly as `pulumi up` leaves it from the repository's own config: every SCP
 * with the stack's content and attachments, budgets and freeze actions, nothing frozen. `frozen`
 * lists account keys whose budget action has fired (EXECUTION_SUCCESS, SCP attached).
 */
export function deployedState(
  expected: ExpectedState,
  opts: { frozen?: string[] } = {},
): FakeState {
  const frozen = new Set(opts.frozen ?? []);
  const config = expected.config;
  const ouNames: Record<string, string> = {
    security: "Security",
    workloads: "Workloads",
    "workloads/prod": "Prod",
    "workloads/nonprod": "Nonprod",
    sandbox: "Sandbox",
  };
  const ous: FakeOu[] = Object.entries(OU_IDS).map(([path, Id]) => ({
    Id,
    Name: ouNames[path],
    ParentId: path.includes("/") ? OU_IDS[path.slice(0, path.lastIndexOf("/"))] : ROOT_ID,
  }));
  const accounts: FakeAccount[] = [
    {
      Id: MANAGEMENT_ACCOUNT_ID,
      Name: "openems-management",
      Email: "aws+openems-management@example.com",
      State: "ACTIVE",
      ParentId: ROOT_ID,
    },
    ...Object.entries(config["platform:accounts"]).map(([key, a]) => ({
      Id: ACCOUNT_IDS[key],
      Name: a.name,
      Email: a.email,
      State: "ACTIVE",
      ParentId: OU_IDS[a.ou],
    })),
  ];
  const policies: FakePolicy[] = [
    {
      Id: "p-FullAWSAccess",
      Name: "FullAWSAccess",
      Description: "Allows access to every operation",
      AwsManaged: true,
      Content: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
      }),
      targets: [ROOT_ID, ...Object.values(OU_IDS), ...accounts.map((a) => a.Id)],
    },
    ...expected.plan.policies.map((p) => ({
      Id: policyId(p.name),
      Name: scpPolicyName(expected.prefix, p.name),
      Description: p.description.slice(0, 512),
      AwsManaged: false,
      Content: p.minified,
      targets:
        p.name === "freeze"
          ? [...frozen].map((k) => ACCOUNT_IDS[k])
          : (expected.plan.attachments[p.name] ?? []).map(fakeTargetId),
    })),
    {
      Id: "p-RCPFullAWSAccess",
      Type: "RESOURCE_CONTROL_POLICY",
      Name: "RCPFullAWSAccess",
      Description: "Allows access to every operation",
      AwsManaged: true,
      Content: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }],
      }),
      targets: [ROOT_ID, ...Object.values(OU_IDS), ...accounts.map((a) => a.Id)],
    },
    ...expected.rcps.render(ORG_ID).map((p) => ({
      Id: policyId(`rcp${p.name}`),
      Type: "RESOURCE_CONTROL_POLICY" as const,
      Name: scpPolicyName(expected.prefix, p.name),
      Description: p.description.slice(0, 512),
      AwsManaged: false,
      Content: p.minified,
      targets: (expected.rcps.attachments[p.name] ?? []).map(fakeTargetId),
    })),
  ];
  const freezeId = policyId("freeze");
  const spend: Record<string, [number, number]> = {
    "log-archive": [3.12, 6.5],
    dev: frozen.has("dev") ? [112.4, 180] : [61.2, 98.5],
    stage: [64.8, 118],
    prod: [97.35, 190.2],
    sandbox: frozen.has("sandbox") ? [55.1, 88] : [12.05, 31.4],
  };
  const total = Object.values(spend).reduce((s, [a, f]) => [s[0] + a, s[1] + f], [0, 0]);
  const budgets: Budget[] = [
    budget(
      accountBudgetName(expected, "organization"),
      config["platform:budgets"].organization.amount,
      Math.round(total[0] * 100) / 100,
      Math.round(total[1] * 100) / 100,
    ),
    ...Object.entries(config["platform:budgets"].accounts).map(([key, b]) =>
      budget(
        accountBudgetName(expected, key),
        b.amount,
        spend[key][0],
        spend[key][1],
        ACCOUNT_IDS[key],
      ),
    ),
  ];
  const actions = Object.entries(config["platform:budgets"].accounts)
    .filter(([, b]) => b.freezeAtPercent !== undefined)
    .map(([key]) =>
      freezeAction(expected, key, frozen.has(key) ? "EXECUTION_SUCCESS" : "STANDBY", freezeId),
    );
  return {
    caller: {
      Account: MANAGEMENT_ACCOUNT_ID,
      Arn: ADMIN_ARN,
      UserId: "AROAEXAMPLEID00000001:alice@example.com",
    },
    managementAccountId: MANAGEMENT_ACCOUNT_ID,
    ous,
    accounts,
    policies,
    budgets,
    actions,
  };
}

function pageOf<T>(
  items: readonly T[],
  token: string | undefined,
  size: number,
): { page: T[]; NextToken?: string } {
  const start = token ? Number(token.replace(/^page-/, "")) : 0;
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new Error(`fake: bad NextToken ${token}`);
  const end = Math.min(items.length, start + size);
  return {
    page: items.slice(start, end),
    NextToken: end < items.length ? `page-${end}` : undefined,
  };
}

export interface FakeOptions {
  /** Items per page of every list call; small, so every list spans several pages. Default 2. */
  readonly pageSize?: number;
  /** DescribeBudgetAction calls that still report REVERSE_IN_PROGRESS after a reversal. Default 1. */
  readonly reversalPolls?: number;
  /** Status a reversal ends in. Default REVERSE_SUCCESS. */
  readonly reversalResult?: "REVERSE_SUCCESS" | "REVERSE_FAILURE";
}

const MOCKED_COMMANDS = {
  organizations: [
    DescribeOrganizationCommand,
    ListRootsCommand,
    ListOrganizationalUnitsForParentCommand,
    ListAccountsForParentCommand,
    ListAccountsCommand,
    ListPoliciesCommand,
    DescribePolicyCommand,
    ListTargetsForPolicyCommand,
    DetachPolicyCommand,
  ],
  budgets: [
    DescribeBudgetsCommand,
    DescribeBudgetActionsForAccountCommand,
    DescribeBudgetActionCommand,
    ExecuteBudgetActionCommand,
  ],
  sts: [GetCallerIdentityCommand],
} as const;

let shared: AwsClients | undefined;
let active: FakeAws | undefined;

/**
 * One set of mocked clients for the whole test run, answering from whichever fake is active:
 * building SDK clients and their stubs per test would cost more than the tests themselves.
 */
function sharedClients(): AwsClients {
  if (shared) return shared;
  const credentials = { accessKeyId: "AKIAFAKEFAKEFAKEFAKE", secretAccessKey: "fake" };
  const clients: AwsClients = {
    organizations: new OrganizationsClient({ region: "us-east-1", credentials }),
    budgets: new BudgetsClient({ region: "us-east-1", credentials }),
    sts: new STSClient({ region: "us-east-1", credentials }),
  };
  for (const service of ["organizations", "budgets", "sts"] as const) {
    const mock = mockClient(clients[service] as any);
    mock.onAnyCommand().rejects(new Error(`fake: ${service} command not implemented`));
    for (const command of MOCKED_COMMANDS[service]) {
      mock.on(command as any).callsFake((input: any) => active!.dispatch(command, input));
    }
  }
  shared = clients;
  return clients;
}

export class FakeAws {
  readonly clients: AwsClients;
  readonly calls: Call[] = [];
  private readonly faults = new Map<string, unknown[]>();
  private readonly alwaysFail = new Map<string, unknown>();
  private readonly pendingPolls = new Map<string, number>();
  private readonly handlers = new Map<unknown, (input: any) => unknown>();
  private readonly hooks = new Map<string, () => void>();

  constructor(
    readonly state: FakeState,
    readonly options: FakeOptions = {},
  ) {
    this.clients = sharedClients();
    this.activate();
    // Handlers are registered per fake and looked up by command class by the shared mocks.
    const answer = {
      on: (command: unknown) => ({
        callsFake: (h: (input: any) => unknown) => void this.handlers.set(command, h),
      }),
    };
    const size = options.pageSize ?? 2;
    const page = <T>(items: readonly T[], token: string | undefined) => pageOf(items, token, size);
    const s = this.state;

    answer.on(DescribeOrganizationCommand).callsFake(
      this.handler("DescribeOrganization", () => ({
        Organization: {
          Id: ORG_ID,
          Arn: `arn:aws:organizations::${s.managementAccountId}:organization/${ORG_ID}`,
          FeatureSet: "ALL",
          MasterAccountArn: `arn:aws:organizations::${s.managementAccountId}:account/${ORG_ID}/${s.managementAccountId}`,
          MasterAccountId: s.managementAccountId,
          MasterAccountEmail: "aws+openems-management@example.com",
        },
      })),
    );
    answer.on(ListRootsCommand).callsFake(
      this.handler("ListRoots", (input) => {
        const { page: Roots, NextToken } = page(
          [
            {
              Id: ROOT_ID,
              Arn: `arn:aws:organizations::${s.managementAccountId}:root/${ORG_ID}/${ROOT_ID}`,
              Name: "Root",
              PolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }],
            },
          ],
          input.NextToken,
        );
        return { Roots, NextToken };
      }),
    );
    answer.on(ListOrganizationalUnitsForParentCommand).callsFake(
      this.handler("ListOrganizationalUnitsForParent", (input) => {
        const { page: OrganizationalUnits, NextToken } = page(
          s.ous
            .filter((o) => o.ParentId === input.ParentId)
            .map((o) => ({
              Id: o.Id,
              Name: o.Name,
              Arn: `arn:aws:organizations::${s.managementAccountId}:ou/${ORG_ID}/${o.Id}`,
            })),
          input.NextToken,
        );
        return { OrganizationalUnits, NextToken };
      }),
    );
    const accountShape = (a: FakeAccount) => ({
      Id: a.Id,
      Arn: `arn:aws:organizations::${s.managementAccountId}:account/${ORG_ID}/${a.Id}`,
      Email: a.Email,
      Name: a.Name,
      Status: a.State === "ACTIVE" ? "ACTIVE" : "SUSPENDED",
      State: a.State,
      JoinedMethod: a.Id === s.managementAccountId ? "INVITED" : "CREATED",
      JoinedTimestamp: new Date("2025-11-03T10:00:00Z"),
    });
    answer.on(ListAccountsForParentCommand).callsFake(
      this.handler("ListAccountsForParent", (input) => {
        const { page: Accounts, NextToken } = page(
          s.accounts.filter((a) => a.ParentId === input.ParentId).map(accountShape),
          input.NextToken,
        );
        return { Accounts, NextToken };
      }),
    );
    answer.on(ListAccountsCommand).callsFake(
      this.handler("ListAccounts", (input) => {
        const { page: Accounts, NextToken } = page(s.accounts.map(accountShape), input.NextToken);
        return { Accounts, NextToken };
      }),
    );
    const summary = (p: FakePolicy) => ({
      Id: p.Id,
      Arn: p.AwsManaged
        ? `arn:aws:organizations::aws:policy/service_control_policy/${p.Id}`
        : `arn:aws:organizations::${s.managementAccountId}:policy/${ORG_ID}/service_control_policy/${p.Id}`,
      Name: p.Name,
      Description: p.Description,
      Type: p.Type ?? "SERVICE_CONTROL_POLICY",
      AwsManaged: p.AwsManaged,
    });
    answer.on(ListPoliciesCommand).callsFake(
      this.handler("ListPolicies", (input) => {
        const ofType = s.policies.filter(
          (p) => (p.Type ?? "SERVICE_CONTROL_POLICY") === input.Filter,
        );
        const { page: Policies, NextToken } = page(ofType.map(summary), input.NextToken);
        return { Policies, NextToken };
      }),
    );
    answer.on(DescribePolicyCommand).callsFake(
      this.handler("DescribePolicy", (input) => {
        const p = this.policy(input.PolicyId);
        return { Policy: { PolicySummary: summary(p), Content: p.Content } };
      }),
    );
    answer.on(ListTargetsForPolicyCommand).callsFake(
      this.handler("ListTargetsForPolicy", (input) => {
        const p = this.policy(input.PolicyId);
        const { page: Targets, NextToken } = page(
          p.targets.map((id) => this.targetSummary(id)),
          input.NextToken,
        );
        return { Targets, NextToken };
      }),
    );
    answer.on(DetachPolicyCommand).callsFake(
      this.handler("DetachPolicy", (input) => {
        const p = this.policy(input.PolicyId);
        if (!p.targets.includes(input.TargetId)) {
          throw new PolicyNotAttachedException({
            message: "The policy isn't attached to the specified target in the specified root.",
            $metadata: { httpStatusCode: 400 },
          });
        }
        p.targets = p.targets.filter((t) => t !== input.TargetId);
        return {};
      }),
    );

    answer.on(DescribeBudgetsCommand).callsFake(
      this.handler("DescribeBudgets", (input) => {
        this.assertManagementAccount(input.AccountId);
        const { page: Budgets, NextToken } = page(s.budgets, input.NextToken);
        return { Budgets, NextToken };
      }),
    );
    answer.on(DescribeBudgetActionsForAccountCommand).callsFake(
      this.handler("DescribeBudgetActionsForAccount", (input) => {
        this.assertManagementAccount(input.AccountId);
        const { page: Actions, NextToken } = page(s.actions, input.NextToken);
        return { Actions, NextToken };
      }),
    );
    answer.on(DescribeBudgetActionCommand).callsFake(
      this.handler("DescribeBudgetAction", (input) => {
        const action = this.action(input.BudgetName, input.ActionId);
        const left = this.pendingPolls.get(action.ActionId!);
        if (action.Status === "REVERSE_IN_PROGRESS" && left !== undefined) {
          if (left <= 0) {
            action.Status = this.options.reversalResult ?? "REVERSE_SUCCESS";
            if (action.Status === "REVERSE_SUCCESS") {
              const p = this.policy(action.Definition!.ScpActionDefinition!.PolicyId!);
              p.targets = p.targets.filter(
                (t) => !action.Definition!.ScpActionDefinition!.TargetIds!.includes(t),
              );
            }
            this.pendingPolls.delete(action.ActionId!);
          } else {
            this.pendingPolls.set(action.ActionId!, left - 1);
          }
        }
        return { AccountId: input.AccountId, BudgetName: input.BudgetName, Action: action };
      }),
    );
    answer.on(ExecuteBudgetActionCommand).callsFake(
      this.handler("ExecuteBudgetAction", (input) => {
        const action = this.action(input.BudgetName, input.ActionId);
        if (
          input.ExecutionType !== "REVERSE_BUDGET_ACTION" ||
          action.Status !== "EXECUTION_SUCCESS"
        ) {
          throw new InvalidParameterException({
            message: `You can't ${input.ExecutionType} an action in ${action.Status}.`,
            $metadata: { httpStatusCode: 400 },
          });
        }
        action.Status = "REVERSE_IN_PROGRESS";
        this.pendingPolls.set(action.ActionId!, this.options.reversalPolls ?? 1);
        return {
          AccountId: input.AccountId,
          BudgetName: input.BudgetName,
          ActionId: input.ActionId,
          ExecutionType: input.ExecutionType,
        };
      }),
    );

    answer
      .on(GetCallerIdentityCommand)
      .callsFake(this.handler("GetCallerIdentity", () => ({ ...s.caller })));
  }

  /** Makes this fake the one the shared clients answer from. */
  activate(): this {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the module's pointer to the active fake, which the shared clients dispatch to
    active = this;
    return this;
  }

  /** Answers one command sent to the shared clients. */
  dispatch(command: unknown, input: any): unknown {
    const handler = this.handlers.get(command);
    if (!handler) throw new Error(`fake: no handler for ${(command as { name?: string }).name}`);
    return handler(input);
  }

  /** Runs `fn` after each successful call of `op`: how a test changes AWS behind the tool's back. */
  after(op: string, fn: () => void): this {
    this.hooks.set(op, fn);
    return this;
  }

  /** Throws `errors` from the next calls of `op`, one per call, then answers normally. */
  failNext(op: string, ...errors: unknown[]): this {
    this.faults.set(op, [...(this.faults.get(op) ?? []), ...errors]);
    return this;
  }

  /** Throws `error` from every call of `op`. */
  failAlways(op: string, error: unknown): this {
    this.alwaysFail.set(op, error);
    return this;
  }

  callsOf(op: string): Call[] {
    return this.calls.filter((c) => c.op === op);
  }

  /** Calls that change something in AWS. */
  writes(): Call[] {
    return this.calls.filter((c) => WRITES.has(c.op));
  }

  policyByName(name: string): FakePolicy {
    const p = this.state.policies.find((x) => x.Name === name);
    if (!p) throw new Error(`fake: no policy ${name}`);
    return p;
  }

  private handler(op: string, fn: (input: any) => unknown) {
    return async (input: any) => {
      this.calls.push({ op, input });
      const queued = this.faults.get(op);
      if (queued && queued.length > 0) throw queued.shift();
      if (this.alwaysFail.has(op)) throw this.alwaysFail.get(op);
      const result = fn(input);
      this.hooks.get(op)?.();
      return result;
    };
  }

  private policy(id: string): FakePolicy {
    const p = this.state.policies.find((x) => x.Id === id);
    if (!p)
      throw new PolicyNotFoundException({
        message: "We can't find a policy with the PolicyId that you specified.",
        $metadata: { httpStatusCode: 400 },
      });
    return p;
  }

  private action(budgetName: string, actionId: string): Action {
    const a = this.state.actions.find(
      (x) => x.BudgetName === budgetName && x.ActionId === actionId,
    );
    if (!a)
      throw new NotFoundException({
        message: `Unable to find action ${actionId} of budget ${budgetName}`,
        $metadata: { httpStatusCode: 400 },
      });
    return a;
  }

  private targetSummary(id: string) {
    const s = this.state;
    if (id === ROOT_ID)
      return {
        TargetId: id,
        Arn: `arn:aws:organizations::${s.managementAccountId}:root/${ORG_ID}/${id}`,
        Name: "Root",
        Type: "ROOT",
      };
    const ou = s.ous.find((o) => o.Id === id);
    if (ou)
      return {
        TargetId: id,
        Arn: `arn:aws:organizations::${s.managementAccountId}:ou/${ORG_ID}/${id}`,
        Name: ou.Name,
        Type: "ORGANIZATIONAL_UNIT",
      };
    const a = s.accounts.find((x) => x.Id === id);
    return {
      TargetId: id,
      Arn: `arn:aws:organizations::${s.managementAccountId}:account/${ORG_ID}/${id}`,
      Name: a?.Name ?? id,
      Type: "ACCOUNT",
    };
  }

  private assertManagementAccount(accountId: string): void {
    if (accountId !== this.state.managementAccountId) {
      throw new InvalidParameterException({
        message: `fake: budgets live in ${this.state.managementAccountId}, not ${accountId}`,
        $metadata: { httpStatusCode: 400 },
      });
    }
  }
}
