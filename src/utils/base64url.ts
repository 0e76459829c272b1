/**
 * JSON text to unpadded base64url, with web APIs only so it runs outside Node too. btoa takes
 * Latin-1 only, so characters beyond ASCII become JSON `\u` escapes first (they can only occur
 * inside JSON strings, where such an escape means the same character).
 */
export function jsonToBase64Url(json: string): string {
  const ascii = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return btoa(ascii).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The inverse of {@link jsonToBase64Url}, up to the escapes; throws on anything that is not base64. */
export function base64UrlToJson(encoded: string): string {
  return atob(encoded.replace(/-/g, "+").replace(/_/g, "/"));
}
