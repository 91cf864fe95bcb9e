/**
 * `1 entry`, `2 entries`, `0 commands`: a count with the word that fits it. `many` defaults to
 * `one` + "s". Shared by main, the CLI and the control server so no message says "1 entries".
 */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
