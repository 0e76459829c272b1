import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { type Command, Option } from "commander";
import { FILE_EXPIRY_SECONDS, MAX_PART_BYTES, UPLOAD_PURPOSES } from "../core/limits.js";
import { InvalidArgumentError } from "../errors/invalid-argument.js";
import type { UploadPurpose } from "../types.js";
import type { CommandContext } from "./context.js";
import { collect, integerIn } from "./values.js";

type Run = (action: (ctx: CommandContext, ...args: never[]) => Promise<void>) => (...args: unknown[]) => Promise<void>;

/** `create`, `add-part`, `complete` and `cancel`: the four operations, with the seed's flag names. */
export function addApiCommands(program: Command, run: Run): void {
  program
    .command("create")
    .description("Create an upload (status pending) that parts can then be added to")
    .requiredOption("--bytes <n>", "size of the whole file in bytes", integerIn(0))
    .requiredOption("--filename <name>", "name of the file to create")
    .requiredOption("--mime-type <type>", "MIME type of the file, e.g. text/jsonl")
    .addOption(new Option("--purpose <purpose>", "what the file is for").choices(UPLOAD_PURPOSES).makeOptionMandatory())
    .option(
      "--expires-after-seconds <s>",
      `expire the file this long after creation (${FILE_EXPIRY_SECONDS.min}-${FILE_EXPIRY_SECONDS.max})`,
      integerIn(FILE_EXPIRY_SECONDS.min, FILE_EXPIRY_SECONDS.max),
    )
    .action(
      run(
        async (
          ctx,
          opts: {
            bytes: number;
            filename: string;
            mimeType: string;
            purpose: UploadPurpose;
            expiresAfterSeconds?: number;
          },
        ) => {
          ctx.result(
            await ctx.client().createUpload(
              {
                bytes: opts.bytes,
                filename: opts.filename,
                mime_type: opts.mimeType,
                purpose: opts.purpose,
                ...(opts.expiresAfterSeconds
                  ? { expires_after: { anchor: "created_at", seconds: opts.expiresAfterSeconds } }
                  : {}),
              },
              { signal: ctx.signal },
            ),
          );
        },
      ),
    );

  program
    .command("add-part")
    .description("Add one part (at most 64 MiB) to an upload; prints the part")
    .requiredOption("--upload-id <id>", "the upload to add to")
    .requiredOption("--data <path>", "the part's bytes: a file, or - for stdin")
    .action(
      run(async (ctx, opts: { uploadId: string; data: string }) => {
        const data = opts.data === "-" ? await readStdin(ctx.io.stdin) : await partFile(opts.data);
        ctx.result(await ctx.client().addUploadPart(opts.uploadId, { data }, { signal: ctx.signal }));
      }),
    );

  program
    .command("complete")
    .description("Complete an upload from its parts, in the order given; prints the upload with its file")
    .requiredOption("--upload-id <id>", "the upload to complete")
    .requiredOption("--part-id <id>", "a part id; repeat in file order", collect)
    .option("--md5 <hex>", "MD5 of the whole file, checked by the server")
    .action(
      run(async (ctx, opts: { uploadId: string; partId: string[]; md5?: string }) => {
        if (opts.md5 !== undefined && !/^[0-9a-f]{32}$/i.test(opts.md5)) {
          throw new InvalidArgumentError(`--md5 must be 32 hex digits, got ${JSON.stringify(opts.md5)}.`);
        }
        const body = { part_ids: opts.partId, ...(opts.md5 ? { md5: opts.md5.toLowerCase() } : {}) };
        ctx.result(await ctx.client().completeUpload(opts.uploadId, body, { signal: ctx.signal }));
      }),
    );

  program
    .command("cancel")
    .description("Cancel an upload; prints the cancelled upload")
    .requiredOption("--upload-id <id>", "the upload to cancel")
    .action(
      run(async (ctx, opts: { uploadId: string }) => {
        ctx.result(await ctx.client().cancelUpload(opts.uploadId, { signal: ctx.signal }));
      }),
    );
}

async function partFile(path: string): Promise<Blob> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InvalidArgumentError(`--data ${path} does not exist.`);
  if (!info.isFile()) throw new InvalidArgumentError(`--data ${path} is not a regular file.`);
  if (info.size > MAX_PART_BYTES) {
    throw new InvalidArgumentError(
      `--data ${path} is ${info.size} bytes; a part holds at most 64 MiB. Use \`upload\`.`,
    );
  }
  return openAsBlob(path);
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<Blob> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_PART_BYTES)
      throw new InvalidArgumentError("stdin holds more than 64 MiB; a part holds at most 64 MiB.");
    chunks.push(chunk as Buffer);
  }
  return new Blob([new Uint8Array(Buffer.concat(chunks))]);
}
