import * as apikeys from "pulumi-apikeys";

/**
 * The API keys a Coveo-powered storefront needs, in your Coveo organization. Stack config:
 *   pulumi config set apikeys:backend coveo
 *   pulumi config set apikeys:organizationId <your organization id>
 *   pulumi config set apikeys:region us            # or eu, au, ca, hipaa (or set apikeys:endpoint)
 *   pulumi config set --secret apikeys:token <OAuth2 access token with "API keys: Edit">
 */

// Public by design: embedded in the search page, so it may only query and send analytics.
const searchPage = new apikeys.ApiKey("storefront-search-page", {
  displayName: "Storefront search page",
  description: "Anonymous search on www.example.com; owned by team web",
  privileges: [
    { owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" },
    { owner: "UA", targetDomain: "ANALYTICS_DATA", type: "EDIT" },
  ],
  additionalConfiguration: { search: { enforcedQueryPipelineConfiguration: { searchHub: "storefront" } } },
  // A live key expires and is renewed (the policy pack's live-key rules): a new key two weeks before
  // the 90 days end, at the next `up` (schedule one); the page's old key works one more day, while
  // the page is redeployed with the new one.
  lifetime: "P90D",
  rotation: { renewBeforeExpiry: "P14D", gracePeriodSeconds: 86_400 },
});

// Private: pushes the catalog from the build servers only, and lives 90 days at most.
const catalogPush = new apikeys.ApiKey("catalog-push", {
  displayName: "Catalog push",
  description: "Nightly catalog push from the build network; owned by team catalog",
  privileges: [{ owner: "PUSH_API", targetDomain: "SOURCE", type: "EDIT", targetIds: ["products-eu", "products-us"] }],
  allowedIps: ["203.0.113.0/24"],
  lifetime: "P90D",
  // Coveo's rotate endpoint issues the successor; the old key keeps working for a day. If Coveo's
  // secret scanning finds the key exposed, `pulumi refresh` records it and the next `up` rotates it
  // (the old key then works only until the date Coveo deactivates it).
  rotation: { trigger: "2026-11", renewBeforeExpiry: "P14D", gracePeriodSeconds: 86_400, onExposure: true },
});

export const searchPageKey = searchPage.secret;
export const searchPageKeyId = searchPage.keyId;
export const catalogPushKey = catalogPush.secret;
export const catalogPushKeyId = catalogPush.keyId;
