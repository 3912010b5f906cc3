// The module every stack's state loads the provider from: the stub serialized as `__provider`
// requires `pulumi-apikeys/provider/hooks` by name (resource.ts), and package.json exports this path.
// It stays, as a re-export, so stacks written by any version keep working; the provider itself is
// in apiKeyProvider.ts.
export { ApiKeyProvider, sharedProvider, type ApiKeyProviderOptions } from "./apiKeyProvider";
