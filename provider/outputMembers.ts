import type * as pulumi from "@pulumi/pulumi";
import type { Equal, Expect } from "../shared/typeEquality";
import type { ApiKeyInputs, ApiKeyOutputs } from "./keyState/inputs";
import type { KeyOutputName, OUTPUT_TABLE } from "./keyState/outputs";
import type { ApiKey } from "./resource";
import type { NativeApiKey } from "./native/resource";

// Compile-time checks, no code: the outputs are written in one table (OUTPUT_TABLE) and declared as
// members of two classes; these fail `tsc` the moment a name or a type drifts between them. A new
// output goes into the table and both classes; a new input (a backend's `inputFields` too) is
// declared in both classes, as `KeyOutput<"name">`.

/** The members a resource class declares beyond Pulumi's own (`urn`, `id`, ...). */
type DeclaredMembers<Resource> = Exclude<keyof Resource, keyof pulumi.CustomResource>;
/** What each member must be: a Pulumi output of the type `ApiKeyOutputs` gives it. */
type OutputMembers = { readonly [Name in keyof ApiKeyOutputs]-?: pulumi.Output<ApiKeyOutputs[Name]> };

export type OutputChecks = [
  // The table names exactly the outputs ApiKeyOutputs has besides the declared inputs.
  Expect<Equal<keyof typeof OUTPUT_TABLE, KeyOutputName>>,
  Expect<Equal<keyof typeof OUTPUT_TABLE | keyof ApiKeyInputs, keyof ApiKeyOutputs>>,
  // Both classes declare every output and every input, nothing else, with the same types.
  Expect<Equal<DeclaredMembers<ApiKey>, keyof ApiKeyOutputs>>,
  Expect<Equal<DeclaredMembers<NativeApiKey>, keyof ApiKeyOutputs>>,
  Expect<Equal<Pick<ApiKey, keyof ApiKeyOutputs>, OutputMembers>>,
  Expect<Equal<Pick<NativeApiKey, keyof ApiKeyOutputs>, OutputMembers>>,
];
