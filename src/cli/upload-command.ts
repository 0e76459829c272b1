import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Command, Option } from "commander";
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
import { uploadFile } from "../upload/node/upload-file.js";
import { parseResume, type UploadResume } from "../upload/resume.js";
import type { CommandContext, Run } from "./context.js";
import { barDisplay, lineDisplay } from "./progress-display.js";
import { integerIn, parsePartSize, shellQuote } from "./values.js";

interface UploadOptions {
  purpose: UploadPurpose;
  filename?: string;
  mimeType?: string;
  partSize: number;
  concurrency?: number;
  stallTimeout?: number;
  networkPatience?: number;
  md5: boolean;
  expiresAfterSeconds?: number;
  resume?: string;
}

/** `upload FILE`: uploadFile with a progress display, a resume command on failure, and Ctrl-C to cancel. */
export function addUploadCommand(program: Command, run: Run): void {
  program
    .command("upload")
    .description(
      `Upload a file of up to ${inBinaryUnits(MAX_UPLOAD_BYTES)} in parallel parts; prints the completed upload`,
    )
    .argument("<file>", "the file to upload")
    .addOption(new Option("--purpose <purpose>", "what the file is for").choices(UPLOAD_PURPOSES).makeOptionMandatory())
    .option("--filename <name>", "name of the file to create (default: the file's base name)")
    .option("--mime-type <type>", "MIME type (default: from the extension)")
    .option(
      "--part-size <size>",
      `bytes per part, up to ${inBinaryUnits(MAX_PART_BYTES)} (e.g. 8MiB)`,
      parsePartSize,
      MAX_PART_BYTES,
    )
    .option("--concurrency <n>", "parts in flight at once (default 4)", integerIn(1))
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
    )
    .option("--resume <token>", "continue the upload a failed run printed a token (or @FILE holding it) for")
    .action(
      run(async (ctx, file: string, opts: UploadOptions) => {
        const display = ctx.io.stderr.isTTY
          ? barDisplay(ctx.io.stderr)
          : lineDisplay((line) => ctx.io.stderr.write(line));
        try {
          const upload = await uploadFile(ctx.client(), {
            file,
            purpose: opts.purpose,
            ...(opts.filename ? { filename: opts.filename } : {}),
            ...(opts.mimeType ? { mimeType: opts.mimeType } : {}),
            ...(opts.resume ? {} : { partSize: opts.partSize }),
            ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
            ...(opts.stallTimeout !== undefined ? { stallTimeoutMs: opts.stallTimeout * 1000 } : {}),
            ...(opts.networkPatience !== undefined ? { networkPatienceMs: opts.networkPatience * 1000 } : {}),
            md5: opts.md5,
            ...(opts.expiresAfterSeconds
              ? { expiresAfter: { anchor: FILE_EXPIRY_ANCHOR, seconds: opts.expiresAfterSeconds } }
              : {}),
            ...(opts.resume ? { resume: await readResumeOption(opts.resume) } : {}),
            signal: ctx.signal,
            onProgress: (progress) => display.update(progress),
          });
          display.stop();
          ctx.result(upload);
        } catch (error) {
          display.stop();
          // A completion of unknown outcome has nothing left to resume.
          if (error instanceof UploadFileError && !error.completionUnknown) {
            const resume = await resumeArgument(error);
            ctx.say(resume.startsWith("@") ? `resume token saved to ${resume.slice(1)}` : `resume token: ${resume}`);
            ctx.say(`to continue: ${continueCommand(ctx, file, opts, resume)}`);
          }
          if (error instanceof APIUserAbortError && ctx.signal.aborted) ctx.say("interrupted");
          throw error;
        }
      }),
    );
}

// A token holds every part id; past this it is saved to a file rather than put in a command line.
const LONGEST_TOKEN_ARGUMENT = 4096;

/** The `--resume` value for a failed upload: its token, or `@FILE` when the token is long. */
async function resumeArgument(error: UploadFileError): Promise<string> {
  const token = error.resumeToken;
  if (token.length <= LONGEST_TOKEN_ARGUMENT) return token;
  const path = join(tmpdir(), `openai-uploads-${error.uploadId}.resume`);
  await writeFile(path, `${token}\n`);
  return `@${path}`;
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

/** The exact command that resumes, without the API key (it stays in the environment). */
function continueCommand(ctx: CommandContext, file: string, opts: UploadOptions, token: string): string {
  const args = ["openai-uploads", "upload", file, "--purpose", opts.purpose];
  if (ctx.globals.baseUrl) args.push("--base-url", ctx.globals.baseUrl);
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
