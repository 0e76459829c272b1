import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { blobSource, type FileSource, type Md5 } from "./platform.js";
import { type ByteStream, streamSource } from "./stream-source.js";

/**
 * Opens what every runtime can read, a Blob or a stream, with that runtime's MD5. A stream
 * needs its size declared (`bytes`), which the API takes before the first byte; a Blob knows its
 * own, so a `bytes` that differs is refused rather than silently ignored.
 */
export async function openSource(
  file: Blob | ByteStream,
  { bytes }: { bytes: number | undefined },
  md5: () => Md5,
): Promise<FileSource> {
  if (file instanceof Blob) {
    if (bytes !== undefined && bytes !== file.size) {
      throw new InvalidArgumentError(
        `bytes is ${bytes}, but the Blob holds ${file.size}; leave bytes out for a Blob.`,
        {
          option: "bytes",
        },
      );
    }
    return blobSource(file, md5);
  }
  if (bytes === undefined) {
    throw new InvalidArgumentError("A stream needs its size in bytes, which the API takes before the first byte.", {
      option: "bytes",
      remedy: "pass",
    });
  }
  return streamSource(file, bytes, md5);
}
