/**
 * `pulumi-apikeys/backends`: the contract a key API backend is written against, for a team whose API
 * needs code (signed requests, a login exchange, pagination) rather than a description file.
 *
 * A backend is two things: a {@link BackendDescriptor} (what the API can do, without calling it:
 * its own inputs, which shared inputs it supports, what changes in place, how it rotates), made with
 * {@link defineBackend} so its `supportedInputs` are checked by the compiler, and the
 * {@link KeyBackend} client its `create` returns for one connection.
 *
 * Registration (docs/backends.md, "Your own backend in code"): a described API (`connection.backend:
 * http`) is the way to add a key API without code. A backend in code is not loaded from a stack: the
 * dynamic provider runs in Pulumi's provider host, which loads this package by name and nothing of the
 * program, and the native plugin is its own process, so neither can see code a program registers. A
 * code backend is written against these types, checked with the conformance kit's suite, and
 * contributed as a folder under `provider/backends/` with one line in its registry.
 */

export { defineBackend, descriptorFor, SHARED_OPTIONAL_INPUTS } from "./backends/backendDescriptor";
export type { BackendDescriptor, ConnectionSettingsForDescriptor, SharedOptionalInput } from "./backends/backendDescriptor";
export type { IssuedRemoteKey, KeyBackend, KeyChanges, KeyField, KeySpec, RemoteKey, RollOptions } from "./backends/keyBackend";
export type { ResolvedConnection } from "./connection/resolvedConnection";
export type { KeyExposure } from "./keyState/exposure";
export { CannotRotateError, ConnectionConfigError, KeyApiError, KeyGoneError, type KeyApiErrorOptions, type KeyOperation } from "./errors";
