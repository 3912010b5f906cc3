// Loaded by @pulumi/pulumi's run-plugin when the engine starts the provider from this folder
// (PulumiPlugin.yaml beside it): the same gRPC server as bin/pulumi-resource-apikeys, which prints
// its port on stdout for the engine. The package's own `main` is the TypeScript library, so the
// plugin needs this folder of its own.
require("../dist/provider/native/main.js");
