import { fstatSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { commands } from "../../generated/commands.js";
import { APIUserAbortError } from "../errors/connection.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { UploadFileError } from "../errors/upload-file.js";
import {
  FILE_EXPIRY_ANCHOR,
  FILE_EXPIRY_SECONDS,
  inBinaryUnits,
  MAX_PART_BYTES,
  MAX_UPLOAD_BYTES,
  UPLOAD_PURPOSES,
} from "../limits.js";
import type { UploadPurpose } from "../types.js";
import { fileResumeStore, stateDirectory } from "../upload/node/file-resume-store.js";
import { uploadFile } from "../upload/node/upload-file.js";
import type { UploadFileOptions } from "../upload/options.js";
import type { ResumeStore } from "../upload/platform.js";
import type { UploadStart } from "../upload/progress.js";
import { parseResume, type UploadResume } from "../upload/resume.js";
import { objectOptions } from "./api-commands.js";
import type { CommandExample, CommandSpec } from "./command-table.js";
import type { CommandContext, Run } from "./context.js";
import { barDisplay, lineDisplay, silentDisplay } from "./progress-display.js";
import { addExamples, requireOptions } from "./usage.js";
import { integerIn, parsePartSize, shellQuote } from "./values.js";

interface UploadOptions {
  purpose: UploadPurpose;
  filename?: string;
  mimeType?: string;
  bytes?: number;
  partSize?: number;
  concurrency?: number;
  stallTimeout?: number;
  networkPatience?: number;
  md5: boolean;
  expiresAfterSeconds?: number;
  /** A token (or @FILE), or false for `--no-resume`. */
  resume?: string | false;
}

/**
 * `upload FILE` (or `-` for stdin): uploadFile with a progress display, Ctrl-C to cancel, and
 * resume: the upload is journaled under the state directory as it goes, so running the same
 * command again after a crash continues it; a failure also prints a resume command.
 */
export function addUploadCommand(program: Command, run: Run): void {
  // `--expires-after` as an object and by field, as `create` takes it: the flags of the spec's createUpload body.
  const create = commands.find((command) => command.operationId === "createUpload");
  const expiry = objectOptions((create?.flags ?? []).filter((flag) => flag.name === "expires_after"));
  const purpose = new Option("--purpose <purpose>", "what the file is for").choices(UPLOAD_PURPOSES);
  const upload = program
    .command("upload")
    .description(
      `Upload a file of up to ${inBinaryUnits(MAX_UPLOAD_BYTES)} in parallel parts; prints the completed upload`,
    )
    .argument("<file>", "the file to upload, or - for stdin (with --bytes, unless stdin is a file, and --filename)")
    .addOption(purpose)
    .option("--filename <name>", "name of the file to create (default: the file's base name)")
    .option("--mime-type <type>", "MIME type (default: from the extension)")
    .option(
      "--bytes <n>",
      "the size of what stdin carries, which the API needs up front",
      integerIn(1, MAX_UPLOAD_BYTES),
    )
    .option(
      "--part-size <size>",
      `bytes per part, up to ${inBinaryUnits(MAX_PART_BYTES)} (e.g. 8MiB; default chosen for the file: two parts per connection, 8 MiB to ${inBinaryUnits(MAX_PART_BYTES)})`,
      parsePartSize,
    )
    .option(
      "--concurrency <n>",
      "parts in flight at once (default 8; fewer for stdin with a large --part-size, to buffer at most 320 MiB)",
      integerIn(1),
    )
    .option(
      "--stall-timeout <s>",
      "send a request again when its bytes stop moving for this long (1-3600, default 60)",
      integerIn(1, 3600),
    )
    .option(
      "--network-patience <s>",
      "keep sending parts again through an outage for this long without progress (0-3600, default 300)",
      integerIn(0, 3600),
    )
    .option("--no-md5", "do not compute and send the file's MD5")
    .option(
      "--expires-after-seconds <s>",
      `expire the file this long after creation (${FILE_EXPIRY_SECONDS.minimum}-${FILE_EXPIRY_SECONDS.maximum})`,
      integerIn(FILE_EXPIRY_SECONDS.minimum, FILE_EXPIRY_SECONDS.maximum),
    );
  for (const option of expiry.options) upload.addOption(option);
  requireOptions(upload, [purpose]);
  addExamples(upload, uploadExamples(create));
  upload
    .option("--resume <token>", "continue the upload a failed run printed a token (or @FILE holding it) for")
    .option("--no-resume", "start a new upload even if an earlier run of this file was interrupted")
    .action(
      run(async (ctx, file: string, opts: UploadOptions) => {
        // --quiet: nothing on stderr unless the upload fails.
        const quiet = ctx.globals.quiet === true;
        const note = quiet ? () => {} : ctx.say;
        const display = quiet
          ? silentDisplay
          : ctx.io.stderr.isTTY
            ? barDisplay(ctx.io.stderr)
            : lineDisplay((line) => ctx.io.stderr.write(line));
        const state = stateDirectory(ctx.io.env);
        const tokens = join(state, "tokens");
        await sweepTokens(tokens);
        const fromStdin = file === "-";
        // Known once the upload exists: its token file goes once nothing can resume it.
        let uploadId: string | undefined;
        let resumable = false;
        try {
          const upload = await uploadFile(await ctx.client(), {
            file: fromStdin ? (ctx.io.stdin as AsyncIterable<Uint8Array>) : file,
            purpose: opts.purpose,
            ...(opts.filename ? { filename: opts.filename } : {}),
            ...(opts.mimeType ? { mimeType: opts.mimeType } : {}),
            ...(fromStdin ? { bytes: opts.bytes ?? regularFileSize(ctx.io.stdin) } : {}),
            ...(opts.partSize && !opts.resume ? { partSize: opts.partSize } : {}),
            ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
            ...(opts.stallTimeout !== undefined ? { stallTimeoutMs: opts.stallTimeout * 1000 } : {}),
            ...(opts.networkPatience !== undefined ? { networkPatienceMs: opts.networkPatience * 1000 } : {}),
            md5: opts.md5,
            ...expiresAfter(opts, expiry.read(opts as unknown as Record<string, unknown>)),
            ...(opts.resume ? { resume: await readResumeOption(opts.resume) } : { resume: opts.resume }),
            resumeStore: warnOnFailure(fileResumeStore(join(state, "resume")), state, note),
            signal: ctx.signal,
            onStart: (start) => {
              uploadId = start.uploadId;
              note(describeStart(start));
            },
            onProgress: (progress) => display.update(progress),
          });
          display.stop();
          ctx.result(upload);
        } catch (error) {
          display.stop();
          if (error instanceof UploadFileError && error.resumable) resumable = true;
          // With --json the advice is in the JSON error (its resume_token), and stderr stays quiet.
          if (error instanceof UploadFileError && error.resumable && !ctx.globals.json) {
            const resume = await resumeArgument(error, tokens);
            ctx.say(resume.startsWith("@") ? `resume token saved to ${resume.slice(1)}` : `resume token: ${resume}`);
            const command = continueCommand(ctx, file, opts, resume, error.resume.bytes);
            ctx.say(`${fromStdin ? "to continue, pipe the same bytes again into" : "to continue"}: ${command}`);
            // A key is never printed, so the command above needs it given again the same way.
            if (ctx.globals.apiKey !== undefined) ctx.say("(pass --api-key again: the key is not printed)");
            if (ctx.globals.azureAdToken !== undefined) {
              ctx.say("(pass --azure-ad-token again, a fresh one once it has expired: the token is not printed)");
            }
            if (!fromStdin) {
              ctx.say(
                opts.resume === false
                  ? "(or run it again without --no-resume)"
                  : `(or run the same command again: it resumes from ${join(state, "resume")})`,
              );
            }
          }
          if (error instanceof APIUserAbortError && ctx.signal.aborted && !ctx.globals.json) ctx.say("interrupted");
          throw error;
        } finally {
          if (uploadId && !resumable) await rm(join(tokens, `${uploadId}.resume`), { force: true }).catch(() => {});
        }
      }),
    );
}

/** `expiresAfter` from `--expires-after-seconds`, or the object `--expires-after` (or its fields) gave. */
function expiresAfter(
  opts: UploadOptions,
  objects: Record<string, Record<string, unknown>>,
): Pick<UploadFileOptions, "expiresAfter"> {
  const given = objects.expires_after as UploadFileOptions["expiresAfter"];
  if (given) return { expiresAfter: given };
  return opts.expiresAfterSeconds
    ? { expiresAfter: { anchor: FILE_EXPIRY_ANCHOR, seconds: opts.expiresAfterSeconds } }
    : {};
}

/** The line that names the upload as soon as it exists: new, or resumed with what it has. */
function describeStart({ uploadId, expiresAt, origin, partsDone, partsTotal, replaced }: UploadStart): string {
  const lines: string[] = [];
  if (replaced) {
    const why = {
      "file-changed": "the file has changed since it began",
      "part-size": "it was cut into parts of another --part-size",
      expired: "it expired",
      fresh: "--no-resume",
    }[replaced.reason];
    const after = replaced.cancelled
      ? "; cancelled it"
      : replaced.reason === "expired"
        ? ""
        : "; it could not be cancelled and expires within the hour";
    lines.push(`not resuming ${replaced.uploadId}: ${why}${after}`);
  }
  lines.push(
    origin === "created"
      ? `created ${uploadId}; it expires at ${new Date(expiresAt * 1000).toISOString()}`
      : `resuming ${uploadId}: ${partsDone} of ${partsTotal} parts already sent`,
  );
  return lines.join("\n");
}

/** The size of stdin when it is a regular file (`< file`), which can stand for `--bytes`. */
function regularFileSize(stdin: NodeJS.ReadableStream): number | undefined {
  const fd = (stdin as { fd?: unknown }).fd;
  if (typeof fd !== "number") return undefined;
  try {
    const stats = fstatSync(fd);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

// A token holds every part id; past this it is saved to a file rather than put in a command line.
const LONGEST_TOKEN_ARGUMENT = 4096;

/**
 * The `--resume` value for a failed upload: its token, or `@FILE` when the token is long, FILE
 * being `tokens/<upload id>.resume`, readable by the user alone, and removed once the upload
 * completes or ends. A token that cannot be saved is printed whole rather than lost.
 */
async function resumeArgument(error: UploadFileError, tokens: string): Promise<string> {
  const token = error.resumeToken;
  if (token.length <= LONGEST_TOKEN_ARGUMENT) return token;
  const path = join(tokens, `${error.uploadId}.resume`);
  try {
    await mkdir(tokens, { recursive: true, mode: 0o700 });
    await writeFile(path, `${token}\n`, { mode: 0o600 });
    return `@${path}`;
  } catch {
    return token;
  }
}

/** Removes token files of uploads that have expired: nothing can resume those any more. */
async function sweepTokens(tokens: string): Promise<void> {
  const names = await readdir(tokens).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const path = join(tokens, name);
      const token = await readFile(path, "utf8").catch(() => "");
      let expired = true;
      try {
        expired = Date.now() >= parseResume(token.trim()).expiresAt * 1000;
      } catch {
        // Not a token: not this command's to keep.
      }
      if (expired) await rm(path, { force: true }).catch(() => {});
    }),
  );
}

/**
 * The CLI's resume store: the library goes on without a store that fails, and this says so
 * once, naming the directory, so that the user knows a crash would now lose the upload's progress.
 */
function warnOnFailure(store: ResumeStore, state: string, say: (line: string) => void): ResumeStore {
  let warned = false;
  const guard =
    <A extends unknown[], R>(call: (...args: A) => R) =>
    async (...args: A): Promise<Awaited<R>> => {
      try {
        return await call(...args);
      } catch (error) {
        if (!warned) {
          warned = true;
          const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          say(
            `cannot keep resume state under ${state} (${why}); the upload goes on, but a crash would lose its progress`,
          );
        }
        throw error;
      }
    };
  return {
    get: guard((key: string) => store.get(key)),
    set: guard((key: string, resume: UploadResume) => store.set(key, resume)),
    delete: guard((key: string) => store.delete(key)),
  };
}

/** `--resume TOKEN` as given, or `--resume @FILE` read from FILE, checked to be a token. */
async function readResumeOption(value: string): Promise<UploadResume> {
  const path = value.startsWith("@") ? value.slice(1) : undefined;
  const token = path
    ? await readFile(path, "utf8").catch(() => {
        throw new InvalidArgumentError(
          `--resume ${value}: cannot read ${path}; pass the token, or @FILE of a file holding it.`,
        );
      })
    : value;
  try {
    return parseResume(token.trim());
  } catch {
    throw new InvalidArgumentError(
      "--resume is not a resume token; pass the token (or @FILE holding it) that a failed upload printed, unchanged.",
    );
  }
}

/**
 * `upload`'s examples, from the spec's first example of creating an upload: the file by its
 * name, and the same bytes from a pipe, whose size the API needs up front.
 */
function uploadExamples(create: CommandSpec | undefined): CommandExample[] {
  const args = create?.examples[0]?.args ?? [];
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const [filename, purpose, bytes] = [value("--filename"), value("--purpose"), value("--bytes")];
  if (!filename || !purpose || !bytes) return [];
  return [
    { args: [filename, "--purpose", purpose] },
    { summary: "From a pipe.", args: ["-", "--bytes", bytes, "--filename", filename, "--purpose", purpose] },
  ];
}

/** The exact command that resumes, without the API key or token (they stay in the environment). */
function continueCommand(ctx: CommandContext, file: string, opts: UploadOptions, token: string, bytes: number): string {
  const args = ["openai-uploads", "upload", file, "--purpose", opts.purpose];
  // A pipe has no size of its own, even when this run's stdin was a file.
  if (file === "-") args.push("--bytes", String(bytes));
  if (ctx.globals.baseUrl) args.push("--base-url", ctx.globals.baseUrl);
  if (ctx.globals.azureEndpoint) args.push("--azure-endpoint", ctx.globals.azureEndpoint);
  if (ctx.globals.apiVersion) args.push("--api-version", ctx.globals.apiVersion);
  if (ctx.globals.allowInsecureHttp) args.push("--allow-insecure-http");
  if (opts.filename) args.push("--filename", opts.filename);
  if (opts.mimeType) args.push("--mime-type", opts.mimeType);
  if (opts.concurrency) args.push("--concurrency", String(opts.concurrency));
  if (opts.stallTimeout !== undefined) args.push("--stall-timeout", String(opts.stallTimeout));
  if (opts.networkPatience !== undefined) args.push("--network-patience", String(opts.networkPatience));
  if (!opts.md5) args.push("--no-md5");
  args.push("--resume", token);
  return args.map(shellQuote).join(" ");
}
