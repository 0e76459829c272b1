import { InvalidArgumentError } from "../errors/invalid-argument.js";
import { blobSource, type FileSource, type Md5Factory, type PartData, type SourceDeclared } from "./platform.js";
import { type ByteStream, streamSource } from "./stream-source.js";

/**
 * Opens what every runtime can read, a Blob or a stream, with that runtime's MD5 and its kind
 * of part for a stream (see `streamSource`). A stream needs its size declared (`bytes`), which
 * the API takes before the first byte.
 */
export async function openSource(
  file: Blob | ByteStream,
  { bytes, md5: wanted }: SourceDeclared,
  md5: Md5Factory,
  asPart: (bytes: Uint8Array<ArrayBuffer>) => PartData,
): Promise<FileSource> {
  if (file instanceof Blob) return blobSource(file, md5);
  if (bytes === undefined) {
    throw new InvalidArgumentError("A stream needs its size in bytes, which the API takes before the first byte.", {
      option: "bytes",
      remedy: "pass",
    });
  }
  // A stream is hashed as its bytes pass, so its hasher must be ready before the first part.
  return streamSource(file, bytes, wanted ? await md5() : undefined, asPart);
}
