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
  // The hasher is made now, before any request: a runtime that must load it (a page) fails here,
  // not after the last part.
  const hash = wanted ? await md5() : undefined;
  if (file instanceof Blob) return blobSource(file, hash);
  if (bytes === undefined) {
    throw new InvalidArgumentError("A stream needs its size in bytes, which the API takes before the first byte.", {
      option: "bytes",
      remedy: "pass",
    });
  }
  return streamSource(file, bytes, hash, asPart);
}
