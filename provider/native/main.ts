#!/usr/bin/env node
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import { z } from "zod";
import { takeCredentialsFromEnvironment } from "../../shared/scrubEnvironment";
import { messageOf } from "../errors";
import { ApiKeyProvider } from "../hooks";
import { apiKeyProviderService } from "./server";

/**
 * `pulumi-resource-apikeys`: the engine starts it, reads the port it prints, and talks gRPC to it.
 * Arguments (the engine's address, logging flags) are not needed: the provider calls nothing back.
 */
async function main(): Promise<void> {
  // `require` returns `any`; the release bundle inlines the file (docs/DEVELOPMENT.md).
  const { version } = z.object({ version: z.string() }).parse(require("../../../package.json"));
  const provider = new ApiKeyProvider({ env: takeCredentialsFromEnvironment() });
  const server = new grpc.Server({ "grpc.max_receive_message_length": 64 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, apiKeyProviderService(version, provider));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  process.stdout.write(`${port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`pulumi-resource-apikeys: ${messageOf(error)}\n`);
  process.exit(1);
});
