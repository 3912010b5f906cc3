import { describeBackendBehaviour } from "./backendBehaviour";
import { coveoHarness, didomiHarness, referenceHarness } from "./harnesses";

describe("the reference server", () => describeBackendBehaviour(referenceHarness));
describe("Coveo (contract emulator)", () => describeBackendBehaviour(coveoHarness));
describe("Didomi (contract emulator)", () => describeBackendBehaviour(didomiHarness));
