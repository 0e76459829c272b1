import { constants, openAsBlob } from "node:fs";
import { access, stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { FileChangedError } from "../../errors/file-changed.js";
import { InvalidArgumentError } from "../../errors/invalid-argument.js";
import type { FileSource } from "../platform.js";
import { fileMd5Hex } from "./md5.js";

/** A source under Node: a file on disk has its path, so parts can be streamed straight from it. */
export type NodeSource = FileSource & { readonly path?: string | undefined };

/**
 * Opens a file on disk as a source after checking that it exists, is a regular file and
 * can be read. Parts are read lazily from disk; nothing is loaded up front.
 */
export async function fileSource(path: string): Promise<NodeSource> {
  const absolute = resolve(path);
  const opened = await statOrExplain(path, absolute);
  if (opened.isDirectory()) {
    throw new InvalidArgumentError(`${path} is a directory; pass the path of a file.`, { option: "file" });
  }
  if (!opened.isFile()) {
    throw new InvalidArgumentError(`${path} is not a regular file (a device, socket or pipe); pass a file on disk.`, {
      option: "file",
    });
  }
  try {
    await access(absolute, constants.R_OK);
  } catch {
    throw new InvalidArgumentError(`${path} cannot be read (permission denied); check its permissions.`, {
      option: "file",
    });
  }
  const blob = await openAsBlob(absolute);
  const source: NodeSource = {
    size: opened.size,
    name: basename(absolute),
    label: path,
    type: undefined,
    mtimeMs: opened.mtimeMs,
    identity: absolute,
    path: absolute,
    partData: async (part) => blob.slice(part.start, part.end),
    md5Hex: (signal) => fileMd5Hex(absolute, opened.size, signal),
    async assertUnchanged() {
      const now = await stat(absolute).catch(() => undefined);
      if (!now) throw new FileChangedError(`${path} was removed while it was being uploaded.`);
      if (now.size !== opened.size || now.mtimeMs !== opened.mtimeMs) {
        throw new FileChangedError(
          `${path} changed while it was being uploaded (size ${opened.size} -> ${now.size} bytes, ` +
            `modified ${new Date(now.mtimeMs).toISOString()}); the upload was stopped so no mix of old and new bytes is kept.`,
        );
      }
    },
    finish: () => source.assertUnchanged(),
    release: () => {},
  };
  return source;
}

async function statOrExplain(path: string, absolute: string) {
  try {
    return await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new InvalidArgumentError(`${path} does not exist; check the path.`, { option: "file" });
    if (code === "EACCES")
      throw new InvalidArgumentError(`${path} cannot be reached (permission denied).`, { option: "file" });
    throw new InvalidArgumentError(`${path} cannot be opened: ${(error as Error).message}`, { option: "file" });
  }
}
