/** The API key the tests send and the servers they start expect; tests also assert it never shows in output. */
export const TEST_API_KEY = "sk-test-secret-0123456789";

/** An environment that gives a child process (the CLI) the test key, as a user's shell would. */
export const KEY_ENV = { OPENAI_API_KEY: TEST_API_KEY };
