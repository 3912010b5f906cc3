import * as pulumi from "@pulumi/pulumi";

/**
 * Another stack (another team's service, another cloud account) that needs the key the consumers
 * stack owns: it reads the secret through a StackReference instead of a copy of it, so it never
 * holds a secret nobody rotates. It sees a new secret at its own next `pulumi up`: run it within the
 * producer's grace window (after the producer's `up`, in the same pipeline or on a schedule).
 * Stack config:
 *   pulumi config set reader:producerStack <organization>/consumers/<stack>
 */
const config = new pulumi.Config("reader");
const producer = new pulumi.StackReference(config.require("producerStack"));

// Still a secret here: a StackReference keeps the producer's secret outputs secret.
const searchKey = producer.requireOutput("searchKey").apply((value) => String(value));

// Hand it to whatever this stack runs (a Kubernetes Secret, a CI secret: see ../platforms/).
export const searchKeyForThisStack = searchKey;
export const searchKeyId = producer.requireOutput("keyId");
