import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { revealed, type WireValue } from "./secrets";

/**
 * A hook's values on the gRPC wire: a protobuf Struct each way. The native provider's server and the
 * test harness that drives it as the engine does both convert through here.
 */

/** A Struct's values as they came, secret wrappers included. */
export function fromStruct(struct: structproto.Struct | undefined): Record<string, WireValue> {
  return struct?.toJavaScript() ?? {};
}

/** A value as a Struct (through JSON: undefined properties are left out, as the engine leaves them). */
export function toStruct(value: object | undefined): structproto.Struct {
  // JSON.parse returns `any`: what a JSON round trip of an object gives is a JSON object.
  return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})) as Record<string, structproto.JavaScriptValue>);
}

/**
 * A Struct's values with every secret wrapper removed, as the hooks take them: the engine hands a hook
 * what our own `check` or an earlier hook returned, so their shape was checked there (the dynamic
 * provider's host trusts them the same way, as `any`).
 */
export function plain<T>(struct: structproto.Struct | undefined): T {
  // The one place the native provider trusts the engine's values to have the shape it gave them.
  return revealed(fromStruct(struct)) as T;
}
