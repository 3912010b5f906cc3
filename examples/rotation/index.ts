import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ApiKey } from "pulumi-apikeys";

/**
 * "Rotate when these values change", the Pulumi idiom: a RandomId whose `keepers` are the values
 * the key's lifetime depends on. Change one (the quarter, or a ticket after an incident) and the
 * RandomId is replaced with a new hex, which is the ApiKey's `rotation.trigger`: a new key is
 * created, and the old one keeps working for the grace period while its users switch.
 */
const config = new pulumi.Config("rotation");

const rotation = new random.RandomId("search-key-rotation", {
  byteLength: 4,
  keepers: {
    quarter: config.get("quarter") ?? "2026-Q4",
    incident: config.get("incident") ?? "",
  },
});

const search = new ApiKey("storefront-search", {
  displayName: "Storefront search",
  description: "The storefront's search page; owned by team web",
  privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
  rotation: { trigger: rotation.hex, gracePeriodSeconds: 24 * 3600 },
});

export const rotationTrigger = rotation.hex;
export const keyId = search.keyId;
export const secret = search.secret;
