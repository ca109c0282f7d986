// aws's s3 settings go into a copy of the user's aws config (s3-settings.ts): the text the copy
// holds. That the aws CLIs read these files as meant is checked against both of them in
// test/integration/aws-s3-settings.test.ts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runAwsSync } from "../../src/engine/aws-cli";
import {
  applyS3Settings,
  awsAddressingStyle,
  awsProfileName,
  withS3Settings,
} from "../../src/engine/aws-cli/s3-settings";
import { AwsCliError } from "../../src/engine/errors";

const both = { max_concurrent_requests: 4, multipart_chunksize: 16_777_216 };

describe("withS3Settings", () => {
  it("adds the profile's section when the config has none (or no file at all)", () => {
    expect(withS3Settings("", "default", both)).toBe(
      "[default]\ns3 =\n    max_concurrent_requests = 4\n    multipart_chunksize = 16777216\n",
    );
    expect(withS3Settings("[default]\nregion = eu-west-1\n", "work", { max_concurrent_requests: 2 })).toBe(
      "[default]\nregion = eu-west-1\n\n[profile work]\ns3 =\n    max_concurrent_requests = 2\n",
    );
  });

  it("ends the profile's s3 block with them, after the user's own s3 settings, and leaves other profiles alone", () => {
    const block = [
      "# mine",
      "[default]",
      "region = eu-west-1",
      "s3 =",
      "    addressing_style = path",
      "    max_concurrent_requests = 50",
      "",
      "    # a comment inside the block",
      "    use_accelerate_endpoint = false",
    ];
    const rest = ["output = json", "[profile other]", "s3 =", "    max_concurrent_requests = 1", ""];
    expect(withS3Settings([...block, ...rest].join("\n"), "default", both).split("\n")).toEqual([
      ...block,
      "    max_concurrent_requests = 4",
      "    multipart_chunksize = 16777216",
      ...rest,
    ]);
  });

  it("finds a profile written with quotes, gives a section without s3 a block, and keeps CRLF", () => {
    const config = '[profile "my work"]\r\nregion = us-east-2\r\n[default]\r\nregion = eu-west-1\r\n';
    expect(withS3Settings(config, "my work", { multipart_chunksize: 5_242_880 })).toBe(
      '[profile "my work"]\r\ns3 =\r\n    multipart_chunksize = 5242880\r\nregion = us-east-2\r\n[default]\r\nregion = eu-west-1\r\n',
    );
  });

  it("replaces an s3 line that is not a block (configparser refuses the same key twice in a section)", () => {
    expect(withS3Settings("[default]\ns3 = oops\nregion = x\n", "default", { max_concurrent_requests: 3 })).toBe(
      "[default]\ns3 =\n    max_concurrent_requests = 3\nregion = x\n",
    );
  });

  it("changes nothing when no setting is given", () => {
    expect(withS3Settings("[default]\nregion = x\n", "default", {})).toBe("[default]\nregion = x\n");
  });
});

describe("the profile aws uses", () => {
  it("is --profile, then AWS_DEFAULT_PROFILE, then AWS_PROFILE (botocore's order), then default", () => {
    expect(awsProfileName("cli", { AWS_DEFAULT_PROFILE: "a", AWS_PROFILE: "b" })).toBe("cli");
    expect(awsProfileName(undefined, { AWS_DEFAULT_PROFILE: "a", AWS_PROFILE: "b" })).toBe("a");
    expect(awsProfileName(undefined, { AWS_PROFILE: "b" })).toBe("b");
    expect(awsProfileName(undefined, {})).toBe("default");
  });
});

describe("applyS3Settings", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("points aws at a private copy of the user's config, never writes the user's, and removes the copy", () => {
    const home = mkdtempSync(path.join(os.tmpdir(), "s3ss-transfer-"));
    dirs.push(home);
    const user = path.join(home, "config");
    writeFileSync(user, "[profile work]\nregion = eu-west-1\n");
    const env = { AWS_CONFIG_FILE: user, AWS_PROFILE: "ignored" };
    const applied = applyS3Settings(env, "work", { max_concurrent_requests: 5 });
    const copy = applied.env.AWS_CONFIG_FILE!;
    expect(copy).not.toBe(user);
    expect(applied.env.AWS_PROFILE).toBe("ignored");
    expect(readFileSync(copy, "utf8")).toBe(
      "[profile work]\ns3 =\n    max_concurrent_requests = 5\nregion = eu-west-1\n",
    );
    expect(readFileSync(user, "utf8")).toBe("[profile work]\nregion = eu-west-1\n");
    applied.dispose();
    expect(existsSync(path.dirname(copy))).toBe(false);
  });

  it("reads ~/.aws/config when AWS_CONFIG_FILE is unset, and works without one", () => {
    const home = mkdtempSync(path.join(os.tmpdir(), "s3ss-transfer-"));
    dirs.push(home);
    const none = applyS3Settings({ HOME: home }, undefined, { multipart_chunksize: 5_242_880 });
    expect(readFileSync(none.env.AWS_CONFIG_FILE!, "utf8")).toBe(
      "[default]\ns3 =\n    multipart_chunksize = 5242880\n",
    );
    none.dispose();
    mkdirSync(path.join(home, ".aws"));
    writeFileSync(path.join(home, ".aws", "config"), "[default]\nregion = ap-south-1\n");
    const read = applyS3Settings({ HOME: home }, undefined, { max_concurrent_requests: 9 });
    expect(readFileSync(read.env.AWS_CONFIG_FILE!, "utf8")).toBe(
      "[default]\ns3 =\n    max_concurrent_requests = 9\nregion = ap-south-1\n",
    );
    read.dispose();
  });

  it("leaves the environment as it is without settings", () => {
    const env = { AWS_CONFIG_FILE: "/nowhere/config" };
    const applied = applyS3Settings(env, undefined, {});
    expect(applied.env).toBe(env);
  });
});

describe("an aws config that cannot be read", () => {
  it("stops the aws step before aws starts, naming the file and what to do", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "s3ss-transfer-"));
    try {
      const run = runAwsSync({
        aws: { path: path.join(dir, "never-started"), version: "2.0.0", major: 2 },
        source: dir,
        destination: "s3://bkt/",
        filters: [],
        s3Settings: { max_concurrent_requests: 2 },
        // A folder where the file should be: EISDIR.
        env: { AWS_CONFIG_FILE: dir },
      });
      await expect(run).rejects.toBeInstanceOf(AwsCliError);
      await expect(run).rejects.toMatchObject({
        code: "AWS_CLI_FAILED",
        message: expect.stringContaining(`Cannot read the aws config file: EISDIR`),
        hint: expect.stringContaining("aws_max_concurrent_requests"),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the addressing aws is told", () => {
  it("is the SDK's where aws would choose otherwise, and nothing where both agree", () => {
    const endpointUrl = "https://oss.example.com";
    expect(awsAddressingStyle({ endpointUrl, forcePathStyle: false })).toBe("virtual");
    expect(awsAddressingStyle({ forcePathStyle: true })).toBe("path");
    for (const target of [{ endpointUrl, forcePathStyle: true }, { endpointUrl }, { forcePathStyle: false }, {}])
      expect(awsAddressingStyle(target)).toBeUndefined();
  });
});
