import { startServerAndStack } from "../helpers/engineFixture";

jest.setTimeout(300_000);

/**
 * Pulumi's dynamic-provider host prints every error a provider throws as `${error}: ${error.stack}`,
 * and a stack begins with `${error}`: a destroy after the key server moved printed its whole message
 * twice in one line. The provider's stub hands the host an error whose stack does not repeat it.
 */
describe("a provider error on the real engine, dynamic ApiKey", () => {
  test("destroy after the key server moved: each line of the output holds the message once", async () => {
    const { server, proxy, stack, close } = await startServerAndStack({ name: "error-once", faultProxy: true, resourceClass: "ApiKey" });
    try {
      stack.keys = { search: { displayName: "search" } };
      await stack.up();
      await proxy.close();
      await stack.stack.setConfig("apikeys:endpoint", { value: server.url });
      const failed = await stack.destroy().catch((e: Error) => e);
      expect(failed).toBeInstanceOf(Error);
      const output = `${String((failed as Error).message)}\n${stack.log.join("")}`;
      const header = /deleting API key "search" \(key_\w+\) failed after \d+ attempts: could not reach the key API/g;
      expect(output).toMatch(header);
      const doubled = output.split("\n").filter((line) => (line.match(header) ?? []).length > 1);
      expect(doubled).toEqual([]);
      // The message is still there in full, in the engine's own line and in the host's.
      expect(output).toMatch(/KeyApiError: deleting API key "search" \(key_\w+\) failed after \d+ attempts: [^\n]*--run-program[^\n]*$/m);
    } finally {
      await close();
    }
  });
});
