import { constants, openAsBlob } from "node:fs";
import { access, stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { FileChangedError } from "../../errors/file-changed.js";
import { InvalidArgumentError } from "../../errors/invalid-argument.js";
import type { FileSource } from "../source.js";

/**
 * Opens a file on disk as a source after checking that it exists, is a regular file and
 * can be read. Parts are read lazily from disk; nothing is loaded up front.
 */
export async function fileSource(path: string): Promise<FileSource> {
  const absolute = resolve(path);
  const opened = await statOrExplain(path, absolute);
  if (opened.isDirectory()) {
    throw new InvalidArgumentError(`${path} is a directory; pass the path of a file.`);
  }
  if (!opened.isFile()) {
    throw new InvalidArgumentError(`${path} is not a regular file (a device, socket or pipe); pass a file on disk.`);
  }
  try {
    await access(absolute, constants.R_OK);
  } catch {
    throw new InvalidArgumentError(`${path} cannot be read (permission denied); check its permissions.`);
  }
  const blob = await openAsBlob(absolute);
  return {
    size: opened.size,
    name: basename(absolute),
    type: undefined,
    mtimeMs: opened.mtimeMs,
    path: absolute,
    slice: (start, end) => blob.slice(start, end),
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
  };
}

async function statOrExplain(path: string, absolute: string) {
  try {
    return await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InvalidArgumentError(`${path} does not exist; check the path.`);
    if (code === "EACCES") throw new InvalidArgumentError(`${path} cannot be reached (permission denied).`);
    throw new InvalidArgumentError(`${path} cannot be opened: ${(error as Error).message}`);
  }
}
