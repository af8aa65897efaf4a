/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What `text` and `attribute` need of a Playwright locator. */
interface Readable {
  textContent(): Promise<string | null>;
  getAttribute(name: string): Promise<string | null>;
}

/** Waits until the element's trimmed text is `expected`. */
export async function text(locator: Readable, expected: string, timeoutMs?: number): Promise<void> {
  await waitFor(`text "${expected}"`, async () => (await locator.textContent())?.trim() === expected, timeoutMs);
}

/** Waits until the element's attribute `name` is `value`. */
export async function attribute(locator: Readable, name: string, value: string): Promise<void> {
  await waitFor(`${name}="${value}"`, async () => (await locator.getAttribute(name)) === value);
}
