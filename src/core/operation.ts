/**
 * The contract between the operations the generator writes (their typed functions and their
 * table) and the runtime that sends them. The generator writes only what varies per operation; this
 * file is what stays the same.
 */

/** A validator compiled from one of the spec's schemas (ajv's standalone code). */
export interface SchemaValidator {
  (data: unknown): boolean;
  /** Why the last call returned false: ajv's first error, with the JSON pointer of what is wrong. */
  errors?: ReadonlyArray<SchemaError> | null;
}

/** One error of a {@link SchemaValidator}, as ajv reports it. */
export interface SchemaError {
  /** JSON pointer of the value at fault; for `required`, of the object missing the property. */
  instancePath: string;
  /** The schema keyword that failed: `required`, `type`, `enum`, `minimum`... */
  keyword: string;
  /** The keyword's details: `missingProperty`, `type`, `allowedValues`, `limit`... */
  params: Record<string, unknown>;
  /** ajv's words for the problem, when the validator was compiled with messages. */
  message?: string;
  /** The schema holding the failed keyword, when compiled with `verbose`. */
  parentSchema?: Record<string, unknown>;
}

/** One operation as the spec states it: what the generated operation table lists for each. */
export interface OperationSpec {
  readonly operationId: string;
  /** The HTTP method, upper-case. */
  readonly method: string;
  /** The path template, with `{name}` for each path parameter. */
  readonly path: string;
  /** The path parameters, in the order of the path. */
  readonly pathParams: readonly string[];
  readonly bodyMediaType: "application/json" | "multipart/form-data" | undefined;
  /** The properties of a multipart body that are files (`format: binary`), in schema order. */
  readonly fileFields: readonly string[];
  /** The name of the success body's schema, for messages ("not an Upload"). */
  readonly successSchema: string | undefined;
  /** Checks a parsed 2xx body against its schema; undefined when the spec declares no JSON body. */
  readonly validateSuccess: SchemaValidator | undefined;
  /** Path parameter -> JSON pointer of the success body that must hold the same value. */
  readonly echo: Readonly<Record<string, string>>;
}

/** What each attempt of a request may set: the runtime's abort signal and extra headers. */
export interface AttemptInit {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/**
 * What one attempt got back: the response and its body. A 2xx body is its text (`data`),
 * parsed and checked by the runtime; any other body is `error`, parsed as JSON when it is.
 */
export interface SentAttempt {
  response: Response;
  data?: unknown;
  error?: unknown;
}

/** One call of a generated operation, handed to the runtime that sends (and re-sends) it. */
export interface OperationCall<Options> {
  operation: OperationSpec;
  /** The path parameters as passed by the caller, by their name in the spec. */
  pathParams: Record<string, string>;
  options: Options | undefined;
  /** Sends the request once. Each call serializes the body again, so a retry re-sends all of it. */
  send: (init: AttemptInit) => Promise<SentAttempt>;
}

/** What a success body carries besides its schema's fields. */
export interface RequestIdentified {
  /**
   * The `x-request-id` of the response, to quote in a support request. Not enumerable, so it
   * stays out of `JSON.stringify` and object spreads.
   */
  readonly _request_id?: string | undefined;
}

/** Runs an operation call and resolves with its success body, checked against the spec. */
export type Invoke<Options> = <Body>(call: OperationCall<Options>) => Promise<Body & RequestIdentified>;

/**
 * The JSON body of an operation's 2xx response, exactly as the schema types it. Spelled out
 * for each function rather than inferred through a mapped type (as openapi-fetch's `data` is), which
 * adds `| undefined` to optional properties and so breaks `exactOptionalPropertyTypes` callers.
 */
export type SuccessBody<Operation> = Operation extends { responses: infer Responses }
  ? {
      [Code in keyof Responses]: Code extends number
        ? `${Code}` extends `2${string}`
          ? Responses[Code] extends { content: { "application/json": infer Body } }
            ? Body
            : never
          : never
        : never;
    }[keyof Responses]
  : never;
