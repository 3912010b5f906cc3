import * as github from "@pulumi/github";
import { ApiKey } from "pulumi-apikeys";
import { knownSecret } from "../knownSecret";

/**
 * The secret as a GitHub Actions secret of the repository whose workflows call the API, and as an
 * environment secret (only jobs of that environment, after its protection rules, can read it).
 * Type-checked against @pulumi/github by the tests; see docs/consumers.md.
 */
const ciKey = new ApiKey("ci-integration-tests", {
  displayName: "CI integration tests",
  description: "Integration tests of the storefront in GitHub Actions; owned by team web",
  environment: "test",
  privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
  // A workflow reads its secrets when it starts: a run that started before a rotation keeps the
  // old secret, so the grace outlasts the longest run.
  rotation: { rotateAfterDays: 30, gracePeriodSeconds: 6 * 3600 },
});

export const repositorySecret = new github.ActionsSecret("search-key", {
  repository: "storefront",
  secretName: "SEARCH_API_KEY",
  // Encrypted by the provider with the repository's public key before it is sent; secret in state.
  plaintextValue: knownSecret(ciKey),
});

export const environmentSecret = new github.ActionsEnvironmentSecret("search-key-staging", {
  repository: "storefront",
  environment: "staging",
  secretName: "SEARCH_API_KEY",
  plaintextValue: knownSecret(ciKey),
});
