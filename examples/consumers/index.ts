import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "pulumi-apikeys";
import { knownSecret } from "./knownSecret";
import { writeSecretFile } from "./secretFile";

/**
 * One key and its consumers (docs/consumers.md): the secret written to a file a service on this
 * machine re-reads, and exported for other stacks, which read it through a StackReference
 * (reader/). Stack config:
 *   pulumi config set consumers:secretFile /run/secrets/search-key   # where the service reads it
 *   pulumi config set consumers:rotation 2027-Q1                      # change it to rotate now
 */
const config = new pulumi.Config("consumers");

const search = new ApiKey("storefront-search", {
  displayName: "Storefront search",
  description: "The storefront's search backend; owned by team web",
  privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
  // A new secret every 30 days (at the first `pulumi up` after that: schedule one) or when the
  // trigger changes; the old secret keeps working for an hour, the window in which every consumer
  // must pick up the new one.
  rotation: { trigger: config.get("rotation") ?? "initial", rotateAfterDays: 30, gracePeriodSeconds: 3600 },
});

export const keyId = search.keyId;
/** A secret output: encrypted in this stack's state, and in any stack that reads it. */
export const searchKey = search.secret;
export const searchKeyFile = writeSecretFile(knownSecret(search), config.get("secretFile") ?? "/run/secrets/search-key");
