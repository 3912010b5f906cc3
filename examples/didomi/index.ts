import * as apikeys from "pulumi-apikeys";

/**
 * Private API keys for services that call Didomi's Platform API. Stack config:
 *   pulumi config set apikeys:backend didomi
 *   pulumi config set apikeys:organizationId <your Didomi organization id>
 *   pulumi config set --secret apikeys:token "<API key>:<secret>"   # from Settings > Private API keys
 * Didomi keys carry no privileges. A rotation is two-slot: a successor key, the old one kept working
 * (the `pendingRevocations` output) for rotation.gracePeriodSeconds, up to 30 days, then deleted by an `up`.
 */

const consentSync = new apikeys.ApiKey("consent-sync", {
  displayName: "Consent sync",
  description: "Copies consents to the CRM every hour; owned by team data",
  // Didomi keys cannot expire: a live key gets a new secret at least every 90 days instead (the
  // policy pack's apikeys-live-keys-rotate), at the first `up` after that (schedule one).
  rotation: { trigger: "2026-11", rotateAfterDays: 90, gracePeriodSeconds: 86_400 },
});

const reporting = new apikeys.ApiKey("consent-reporting", {
  displayName: "Consent reporting",
  description: "Read-only dashboards; owned by team legal",
  isInternal: true,
  rotation: { rotateAfterDays: 90, gracePeriodSeconds: 86_400 },
});

export const consentSyncKeyId = consentSync.keyId;
export const consentSyncSecret = consentSync.secret;
export const reportingKeyId = reporting.keyId;
