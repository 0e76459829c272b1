/** The base of every error this package throws, so one `instanceof` check catches them all. */
export class OpenAIUploadsError extends Error {
  /** Always `"OpenAIUploadsError"`, spelled out so it survives minification. */
  override name = "OpenAIUploadsError";
}
