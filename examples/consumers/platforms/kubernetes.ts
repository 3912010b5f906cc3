import * as k8s from "@pulumi/kubernetes";
import { ApiKey } from "pulumi-apikeys";
import { knownSecret } from "../knownSecret";

/**
 * The secret as a Kubernetes Secret, and a Deployment that reads it two ways. Type-checked against
 * @pulumi/kubernetes by the tests (no cluster runs here); see docs/consumers.md.
 */
const search = new ApiKey("storefront-search", {
  displayName: "Storefront search",
  description: "The storefront's search backend on Kubernetes; owned by team web",
  privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
  // Long enough for the kubelet to refresh a mounted Secret (about a minute) and for a rollout.
  rotation: { rotateAfterDays: 30, gracePeriodSeconds: 2 * 3600 },
});

// `stringData` from a secret Output: encrypted in the stack's state, masked in every preview.
const secret = new k8s.core.v1.Secret("search-key", {
  metadata: { namespace: "storefront", name: "search-key" },
  type: "Opaque",
  stringData: { "api-key": knownSecret(search) },
});

const labels = { app: "storefront-search" };
export const deployment = new k8s.apps.v1.Deployment("storefront-search", {
  metadata: { namespace: "storefront" },
  spec: {
    selector: { matchLabels: labels },
    template: {
      metadata: {
        labels,
        // A new key id after each rotation changes the pod template: the pods that read the secret
        // from their environment are restarted by a rolling update, within the grace window.
        annotations: { "apikeys.example.com/key-id": search.keyId },
      },
      spec: {
        containers: [
          {
            name: "search",
            image: "registry.example.com/storefront-search:1.4.2",
            env: [
              // Read once at start: only a restart picks up a new secret (the annotation above does it).
              { name: "SEARCH_API_KEY", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "api-key" } } },
              // Or a file the kubelet updates in place (no restart): the service re-reads it (ReloadingSecret).
              { name: "SEARCH_API_KEY_FILE", value: "/var/run/secrets/search/api-key" },
            ],
            volumeMounts: [{ name: "search-key", mountPath: "/var/run/secrets/search", readOnly: true }],
          },
        ],
        volumes: [{ name: "search-key", secret: { secretName: secret.metadata.name } }],
      },
    },
  },
});
