#!/usr/bin/env node
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import { startupSnapshot } from "node:v8";
import { z } from "zod";
import { takeCredentialsFromEnvironment } from "../../shared/scrubEnvironment";
import { ApiKeyProvider } from "../apiKeyProvider";
import { messageOf } from "../errors";
import { packageSchemaJson } from "./schemaJson";
import { apiKeyProviderService } from "./server";

// `require` returns `any`; the release bundle inlines the file (docs/DEVELOPMENT.md).
const { version } = z.object({ version: z.string() }).parse(require("../../../package.json"));

/**
 * `pulumi-resource-apikeys`: the engine starts it, reads the port it prints, and talks gRPC to it.
 * Arguments (the engine's address, logging flags) are not needed: the provider calls nothing back.
 */
async function main(): Promise<void> {
  const provider = new ApiKeyProvider({ env: takeCredentialsFromEnvironment() });
  const server = new grpc.Server({ "grpc.max_receive_message_length": 64 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, apiKeyProviderService(version, provider));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  process.stdout.write(`${port}\n`);
}

function run(): void {
  main().catch((error: unknown) => {
    process.stderr.write(`pulumi-resource-apikeys: ${messageOf(error)}\n`);
    process.exit(1);
  });
}

// The release executable starts from a V8 startup snapshot (scripts/release/sea.js): the modules above
// are evaluated once when it is built, and `run` is what it starts with. What belongs to one run (the
// environment and its credentials, the server and its socket) is made inside `run`, never while the
// snapshot is built; the package schema, the same on every run, is made then. A module that reads the
// environment when it loads reads the builder's, which is empty: gRPC's GRPC_VERBOSITY and GRPC_TRACE
// do nothing in the release executable. Run any other way (`node main.js`, the bundle) it starts at once.
if (startupSnapshot.isBuildingSnapshot()) {
  packageSchemaJson(version);
  startupSnapshot.setDeserializeMainFunction(run);
} else {
  run();
}
