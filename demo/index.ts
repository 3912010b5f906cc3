import * as apikeys from "pulumi-apikeys";

/**
 * The keys a storefront team needs. Run with `npm run demo`, which starts a local reference key
 * server, or with `pulumi up` against your own key API (set apikeys:endpoint, apikeys:organizationId
 * and, as a secret, apikeys:token).
 */
const search = new apikeys.ApiKey("search-frontend", {
  displayName: "Search front end",
  description: "Read-only search for the storefront; owned by team web",
  environment: "live",
  privileges: [
    { owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" },
    { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW" },
  ],
});

const ci = new apikeys.ApiKey("ci-integration-tests", {
  description: "Integration tests in CI; owned by team platform",
  environment: "test",
  privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
  // Lives 30 days from each new secret and is renewed a week before it expires.
  lifetime: "P30D",
  rotation: { renewBeforeExpiry: "P7D", gracePeriodSeconds: 600 },
});

const contractor = new apikeys.ApiKey("catalog-import-contractor", {
  description: "Catalog import by the agency, until the end of their contract; owned by team catalog",
  environment: "live",
  expiresAt: "2027-06-30T00:00:00Z",
  privileges: [{ owner: "CATALOG", targetDomain: "SOURCES", type: "EDIT", targetIds: ["products-eu"] }],
});

const analytics = new apikeys.ApiKey("analytics-export", {
  description: "Nightly analytics export; owned by team data",
  environment: "live",
  privileges: [{ owner: "ANALYTICS", targetDomain: "ANALYTICS_DATA", type: "VIEW" }],
  // A new key every 90 days (or when the trigger changes); the old one keeps working for an hour.
  rotation: { trigger: "2026-Q4", rotateAfterDays: 90, gracePeriodSeconds: 3600 },
});

export const searchKeyId = search.keyId;
export const searchKey = search.secret;
export const searchKeyHint = search.hint;
export const ciKeyId = ci.keyId;
export const ciKey = ci.secret;
export const contractorKeyExpiresAt = contractor.expiresAt;
export const analyticsKeyRotatedAt = analytics.rotatedAt;
