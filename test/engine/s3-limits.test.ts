// The request limit every S3 request of a gateway goes through, and the Content-Type a fresh aws upload
// gives a name (Python's mimetypes, which aws-cli asks), checked against the Python of the aws CLI here.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { guessContentType, loadTypeTable, parseMimeTypes, RequestLimiter } from "../../src/engine/s3";

describe("RequestLimiter", () => {
  it("never runs more than its limit, hands slots over in order, and frees a waiter's place on abort", async () => {
    const limiter = new RequestLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: (() => void)[] = [];
    const task = (n: number) =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(n);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
      });
    const abort = new AbortController();
    const tasks = [task(1), task(2), task(3)];
    const cancelled = limiter.run(async () => order.push(99), abort.signal);
    tasks.push(task(4));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([1, 2]);
    abort.abort(new Error("stop"));
    await expect(cancelled).rejects.toThrow("stop");
    while (gates.length > 0 || running > 0) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(tasks);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(limiter.inFlight).toBe(0);
  });
});

describe("guessContentType", () => {
  const names = [
    "/v/Song.mp3",
    "/v/Song.MP3",
    "/v/take.wav",
    "/v/take.flac",
    "/v/take.aif",
    "/v/clip.m4a",
    "/v/clip.mkv",
    "/v/photo.JPEG",
    "/v/archive.tar.gz",
    "/v/archive.tgz",
    "/v/readme",
    "/v/.hidden",
    "/v/..double.txt",
    "/v/dir.d/noext",
    "/v/notes.txt.bz2",
    "/v/data.unknownext",
    "/v/page.HTML",
    "/v/Track: Live.mp3",
  ];

  it("answers what Python's mimetypes.guess_type answers on this machine (aws-cli's guess)", async () => {
    const script = "import json,mimetypes,sys; print(json.dumps([mimetypes.guess_type(n)[0] for n in sys.argv[1:]]))";
    const python = await execa("python3", ["-c", script, ...names]);
    const expected = JSON.parse(python.stdout) as (string | null)[];
    expect(names.map((n) => guessContentType(n) ?? null)).toEqual(expected);
  });

  it("reads mime.types files as Python does: later lines and files win, # starts a comment", () => {
    const table = new Map<string, string>();
    parseMimeTypes("audio/x-flac flac fla # old\n# audio/ignored flac\naudio/flac\tflac\n\nbad\n", table);
    expect(Object.fromEntries(table)).toEqual({ ".flac": "audio/flac", ".fla": "audio/x-flac" });
    const none = loadTypeTable([]);
    expect(guessContentType("/x/a.mp3", none)).toBe("audio/mpeg");
    expect(guessContentType("/x/a.flac", none)).toBeUndefined();
  });
});
