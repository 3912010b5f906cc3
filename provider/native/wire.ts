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
  return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})) as Record<string, structproto.JavaScriptValue>);
}

/** A Struct's values with every secret wrapper removed, as the hooks take them (the engine checked their shape). */
export function plain<T>(struct: structproto.Struct | undefined): T {
  return revealed(fromStruct(struct)) as unknown as T;
}
