import { createHmac } from "node:crypto";
import { pagerDutySignatureMatches } from "../../../src/adapters/http";

const body = Buffer.from('{"event":{"id":"1"}}');
const v1 = (secret: string) => `v1=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("X-PagerDuty-Signature", () => {
  test("one v1 signature of the raw body with the secret matches", () => {
    expect(pagerDutySignatureMatches(body, v1("s3cret"), "s3cret")).toBe(true);
  });
  test("any of several comma-separated signatures may match", () => {
    expect(pagerDutySignatureMatches(body, `${v1("old")}, ${v1("s3cret")}`, "s3cret")).toBe(true);
  });
  test("another secret, another version, a missing header or a changed body do not", () => {
    expect(pagerDutySignatureMatches(body, v1("other"), "s3cret")).toBe(false);
    expect(pagerDutySignatureMatches(body, v1("s3cret").replace("v1=", "v0="), "s3cret")).toBe(
      false,
    );
    expect(pagerDutySignatureMatches(body, undefined, "s3cret")).toBe(false);
    expect(pagerDutySignatureMatches(Buffer.from("{}"), v1("s3cret"), "s3cret")).toBe(false);
  });
});
