// Decisions from `apl-policy serve` through OPA's official TypeScript SDK, as a service
// would ask for them: evaluateBatch on apl/decision, falling back to one call per input
// when the server has no batch API (it answers 404). Run by tests/security/test_sdk.py.
//
//   APL_OPA_URL=http://127.0.0.1:PORT APL_OPA_TOKEN=... node batch.mjs < inputs.json
//
// stdin: {"key": activity, ...}; stdout: {"key": decision, ...}. Any failure (401, a
// rejected call) exits 1 with the error on stderr: never a decision.
import { readFileSync } from "node:fs";
import { OPAClient } from "@open-policy-agent/opa";

const token = process.env.APL_OPA_TOKEN;
const headers = token ? { Authorization: `Bearer ${token}` } : {};
const client = new OPAClient(process.env.APL_OPA_URL, { headers });
const inputs = JSON.parse(readFileSync(0, "utf8"));
try {
  const decisions = await client.evaluateBatch("apl/decision", inputs, {
    fallback: true,
    rejectMixed: true,
  });
  process.stdout.write(JSON.stringify(decisions));
} catch (err) {
  process.stderr.write(`${err?.httpMeta?.response?.status ?? ""} ${err}\n`);
  process.exit(1);
}
