import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { apiKeyProviderService } from "../../provider/native/server";
import { isSecret, secretPaths, secretValue, type WireValue } from "../../provider/native/secrets";
import { fromStruct, toStruct } from "../../provider/native/wire";
import { searchPrivilege } from "../helpers/fixtures";
import { providerFixture, type ProviderFixture } from "../helpers/providerFixture";

const URN = "urn:pulumi:dev::secrets::apikeys:index:ApiKey::key";

function call<Req, Res>(method: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => method(request, (error, response) => (error ? reject(new Error(error.details)) : resolve(response))));
}

/** Every string in a wire value that is not inside a secret wrapper: what the engine would store in plain text. */
function plainStrings(value: WireValue): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(plainStrings);
  if (value === null || typeof value !== "object" || isSecret(value)) return [];
  const fields: { readonly [key: string]: WireValue } = value;
  return Object.keys(fields).flatMap((key) => plainStrings(fields[key] ?? null));
}

/**
 * The native provider answers `acceptSecrets: true`, so the engine stores exactly what it returns:
 * every input that arrived secret must come back marked secret in Check's inputs, and every output
 * made from one in Create, Read and Update's properties (engine behaviour: ../shared notes and
 * docs/DEVELOPMENT.md). Driven over gRPC as the engine drives it, against the real reference server.
 */
describe("the native provider returns every secret input marked secret, in inputs and outputs", () => {
  let fixture: ProviderFixture;
  let client: provrpc.ResourceProviderClient;
  let server: grpc.Server;
  beforeAll(async () => {
    fixture = await providerFixture();
    server = new grpc.Server();
    server.addService(provrpc.ResourceProviderService, apiKeyProviderService("0.0.0-test", fixture.provider()));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await new Promise<void>((resolve) => (server ? server.tryShutdown(() => resolve()) : resolve()));
    await fixture?.close();
  });

  const marked = {
    description: "SECRET-DESCRIPTION-d41c",
    displayName: "SECRET-NAME-77aa",
    note: "SECRET-NOTE-19be",
    target: "SECRET-TARGET-5e0f",
    expiresAt: "2031-03-04T05:06:07.000Z",
    organization: "",
  };

  test("check, create, read and update keep description, displayName, metadata values, privileges, expiresAt and connection fields secret", async () => {
    marked.organization = fixture.org.id;
    const news = {
      displayName: secretValue(marked.displayName),
      description: secretValue(marked.description),
      metadata: { team: "web", note: secretValue(marked.note) },
      privileges: [{ ...searchPrivilege, targetIds: [secretValue(marked.target)] }],
      expiresAt: secretValue("2031-03-04T05:06:07Z"),
      connection: { organizationId: secretValue(fixture.org.id), token: fixture.org.token },
    };
    const check = new provproto.CheckRequest();
    check.setUrn(URN);
    check.setName("key");
    check.setNews(toStruct(news));
    const checked = await call<provproto.CheckRequest, provproto.CheckResponse>(client.check.bind(client), check);
    expect(checked.getFailuresList()).toEqual([]);
    const inputs = fromStruct(checked.getInputs());
    const secretsOnly = (value: WireValue) => Object.values(marked).filter((m) => plainStrings(value).some((s) => s.includes(m)));
    expect(secretsOnly(inputs)).toEqual([]);
    // The token is secret in the inputs though it arrived plain; a plain metadata value stays plain.
    expect(plainStrings(inputs)).not.toContain(fixture.org.token);
    expect(plainStrings(inputs)).toContain("web");
    expect(secretPaths(inputs)).toEqual(
      expect.arrayContaining([
        ["displayName"],
        ["description"],
        ["metadata", "note"],
        ["privileges"],
        ["expiresAt"],
        ["connection", "organizationId"],
        ["connection", "token"],
      ]),
    );

    const create = new provproto.CreateRequest();
    create.setUrn(URN);
    create.setProperties(checked.getInputs());
    const created = await call<provproto.CreateRequest, provproto.CreateResponse>(client.create.bind(client), create);
    const outs = fromStruct(created.getProperties());
    expect(secretsOnly(outs)).toEqual([]);
    // organizationId is made from connection.organizationId: secret too.
    expect(secretPaths(outs)).toEqual(expect.arrayContaining([["organizationId"], ["secret"], ["description"]]));
    expect(plainStrings(outs)).toContain(created.getId());

    const read = new provproto.ReadRequest();
    read.setId(created.getId());
    read.setUrn(URN);
    read.setProperties(created.getProperties());
    read.setInputs(checked.getInputs());
    const refreshed = await call<provproto.ReadRequest, provproto.ReadResponse>(client.read.bind(client), read);
    expect(secretsOnly(fromStruct(refreshed.getProperties()))).toEqual([]);
    expect(secretsOnly(fromStruct(refreshed.getInputs()))).toEqual([]);

    const update = new provproto.UpdateRequest();
    update.setId(created.getId());
    update.setUrn(URN);
    update.setOlds(refreshed.getProperties());
    const changed = { ...inputs, description: secretValue(`${marked.description}-2`) };
    update.setNews(toStruct(changed));
    const updated = await call<provproto.UpdateRequest, provproto.UpdateResponse>(client.update.bind(client), update);
    expect(secretsOnly(fromStruct(updated.getProperties()))).toEqual([]);
  });
});
