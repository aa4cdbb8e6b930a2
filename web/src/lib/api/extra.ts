/**
 * Hand-written types for API routes missing from the generated schema (schema.d.ts).
 *
 * When a route the console needs is not yet in openapi.json, describe it here and call it with `authJson` from
 * ./client, then delete it from here once `gen:api` brings it in.
 *
 * Today: a subscription's life (scheduled changes at renewal, end of term, Extended Service Term, upgrades,
 * trials) and the renewal calendar, as agreed for the API; each type below names the route it stands for.
 */

/** What happens at the end of a subscription's term. */
export type EndOfTerm = "renew" | "renewWithChanges" | "cancel" | "extendedServiceTerm";
/** What a person may choose for the end of the term (renewWithChanges comes from scheduling changes). */
export type EndOfTermChoice = "renew" | "cancel" | "extendedServiceTerm";

/** Changes scheduled for the next term (applied by Partner Center at renewal). */
export interface ScheduledChanges {
  catalogItemId: string;
  name: string;
  quantity: number;
  termDuration: string;
  billingCycle: string;
  customTermEndDate: string | null;
}

export interface ExtendedServiceTermOut {
  startDate: string;
  endDate: string;
  /** The premium on the monthly price, a decimal fraction ("0.20" is 20 %). */
  premiumRate: string;
}

export interface ExtendedServiceTermPrice {
  unitPrice: string;
  total: string;
  currency: string;
  premiumRate: string;
}

/** The fields SubscriptionOut gains (optional until the generated schema has them). */
export interface SubscriptionLifeFields {
  endOfTerm?: EndOfTerm | null;
  endOfTermDate?: string | null;
  scheduledChanges?: ScheduledChanges | null;
  isTrial?: boolean;
  trialEndDate?: string | null;
  extendedServiceTerm?: ExtendedServiceTermOut | null;
  upgradedFrom?: string | null;
  upgradedTo?: string | null;
  /** Only in `GET /api/subscriptions?endOfTerm=…` answers. */
  extendedServiceTermPrice?: ExtendedServiceTermPrice | null;
}

/** PATCH /api/subscriptions/{id} gains these. */
export interface SubscriptionLifePatch {
  endOfTerm?: EndOfTermChoice;
  confirmWipeScheduledChanges?: boolean;
}

export interface RenewalTarget {
  catalogItemId: string;
  name: string;
  termDuration: string;
  billingCycle: string;
  unitPrice: string | null;
  currency: string;
}

export interface NextTerm {
  catalogItemId: string;
  name: string;
  quantity: number;
  termDuration: string;
  billingCycle: string;
  unitPrice: string | null;
  total: string | null;
  currency: string;
}

/** GET /api/subscriptions/{id}/renewal */
export interface Renewal {
  subscriptionId: string;
  endOfTerm: EndOfTerm;
  endOfTermDate: string | null;
  scheduledChanges: ScheduledChanges | null;
  nextTerm: NextTerm | null;
  targets: RenewalTarget[];
}

/** PUT /api/subscriptions/{id}/renewal (and the storefront's) */
export interface RenewalIn {
  quantity?: number;
  catalogItemId?: string;
  termDuration?: string;
  billingCycle?: string;
  customTermEndDate?: string | null;
}

/** GET /api/subscriptions/{id}/upgrades items */
export interface UpgradeOption {
  catalogItemId: string;
  name: string;
  eligible: boolean;
  transitionTypes: string[];
  reasons: string[];
  unitPrice: string | null;
  currency: string | null;
  termDuration: string | null;
  billingCycle: string | null;
}

export type TransitionType = "transitionOnly" | "transitionWithLicenseTransfer";

/** POST /api/subscriptions/{id}/upgrade */
export interface UpgradeIn {
  toCatalogItemId: string;
  quantity: number;
  transitionType: TransitionType;
  confirmWipeScheduledChanges?: boolean;
}

export interface RenewalPrice {
  unitPrice: string;
  total: string;
  currency: string;
}

/** GET /api/renewals items */
export interface RenewalItem {
  subscriptionId: string;
  customerId: string;
  customerName: string | null;
  resellerId: string | null;
  resellerName: string | null;
  name: string;
  catalogItemId: string;
  renewalDate: string;
  endOfTerm: EndOfTerm;
  quantity: number;
  termDuration: string;
  billingCycle: string;
  price: RenewalPrice | null;
}

export interface RenewalPage {
  items: RenewalItem[];
  continuationToken?: string | null;
}

/** The storefront policy gains the customer admins' right to schedule changes at renewal. */
export interface StorefrontPolicyLife {
  allowRenewalChanges?: boolean;
}

/** The 409 a seat change or an upgrade answers when it would wipe the scheduled changes. */
export const WIPE_PROBLEM = "urn:csp-platform:problem:scheduled-changes-would-be-wiped";
