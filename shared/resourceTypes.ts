/**
 * The ApiKey's Pulumi type tokens, which the review, the policy pack and the providers all match on.
 * The dynamic one is what `pulumi.dynamic.Resource` builds from the module and type names the
 * dynamic ApiKey passes ("apikeys", "ApiKey"); the native one is the provider schema's resource.
 */
export const DYNAMIC_API_KEY_TYPE = "pulumi-nodejs:dynamic/apikeys:ApiKey";
export const NATIVE_API_KEY_TYPE = "apikeys:index:ApiKey";

/** Both: an ApiKey whichever provider serves it. */
export function isApiKeyType(type: string): boolean {
  return type === DYNAMIC_API_KEY_TYPE || type === NATIVE_API_KEY_TYPE;
}
