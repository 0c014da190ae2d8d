/**
 * The cost model on the offline plan: price tables, usage assumptions, pricing rules, estimates per
 * stack, environment and account, and their text, JSON and HTML forms. See README.md beside this file.
 */
export type {
  CostItem,
  CostEstimate,
  BudgetCheck,
  FreeResources,
  UnpricedResource,
  StackEstimate,
} from "./model";
export { HOURS_PER_MONTH } from "./model";
export type { CostReport, OrganizationEstimate } from "./estimate";
export {
  estimateStack,
  estimateEnvironment,
  estimateAccount,
  estimateOrganization,
} from "./estimate";
export type { PriceBook, PriceTable, PriceEntry } from "./prices";
export { loadPrices, validatePriceTable, priceBook } from "./prices";
export type { Usage } from "./usage";
export { usageSection, DEFAULT_USAGE, USAGE_KEY, usageFromConfig } from "./usage";
export {
  PRICING_RULES,
  FREE_TYPES,
  STATIC_PRICE_KEYS,
  freeReason,
  PLATFORM_CLASSIFIER,
} from "./rules";
export { renderCostText, costDocument } from "./render";
export { renderReportHtml, escapeHtml } from "./html";
export { repositoryCostReport, repositoryBudgets } from "./repository";
