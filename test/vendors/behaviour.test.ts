import { describeBackendBehaviour } from "./backendBehaviour";
import { coveoHarness, didomiHarness, referenceHarness } from "./harnesses";
import { overNative } from "./nativeHarness";

describe("the reference server", () => describeBackendBehaviour(referenceHarness));
describe("Coveo (contract emulator)", () => describeBackendBehaviour(coveoHarness));
describe("Didomi (contract emulator)", () => describeBackendBehaviour(didomiHarness));

// The same cases through the native provider's gRPC service: one implementation, two providers.
describe("the reference server, native provider", () => describeBackendBehaviour(() => overNative(referenceHarness())));
describe("Coveo (contract emulator), native provider", () => describeBackendBehaviour(() => overNative(coveoHarness())));
describe("Didomi (contract emulator), native provider", () => describeBackendBehaviour(() => overNative(didomiHarness())));
