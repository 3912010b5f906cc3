// The signer lives with the demo's code (scripts/lib/), which imports nothing from test/; the tests use the same one.
export { alertSigner, type AlertSigner, type PublishedAlertKey } from "../../scripts/lib/alertSigner";
