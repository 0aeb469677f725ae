/** The part of @pushcorn/hocon-parser (no bundled types) the elasticmq.conf test uses. */
declare module '@pushcorn/hocon-parser' {
  export function parse(options: { text: string; strict?: boolean }): Promise<unknown>;
}
