// Compile-time checks, no code: a table and the types written beside it (an interface with its own
// comments, a schema) must name the same things; `Expect<Equal<…>>` fails `tsc` the moment they drift.

/** True when A and B are the same type (the conditional-type comparison ky and type-fest use for `IsEqual`). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
export type Expect<T extends true> = T;
