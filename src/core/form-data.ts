/**
 * Builds a multipart body: Blobs (and Files) as file
 * parts, arrays as repeated fields, objects as JSON. Called again on every attempt, so a
 * retry re-sends the same bytes from the caller's Blob.
 */
export function formDataBody(body: unknown): FormData {
  const form = new FormData();
  const append = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (value instanceof Blob) form.append(name, value, value instanceof File ? value.name : "blob");
    else form.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  };
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    for (const item of Array.isArray(value) ? value : [value]) append(name, item);
  }
  return form;
}
