import { expect } from "vitest";

/** Awaits `promise`, which must reject with an instance of `Class`; returns the error, typed. Fails the test when it resolves or rejects with anything else. */
export async function rejection<E>(promise: Promise<unknown>, Class: abstract new (...args: never[]) => E): Promise<E> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Class);
    return error as E;
  }
  throw new Error(`expected a rejection with ${Class.name}, but the promise resolved with ${shown(value)}`);
}

function shown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
