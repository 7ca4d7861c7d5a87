/** Small readers of rendered nginx.conf text for assertions. */

/** Every line, trimmed. */
export const lines = (conf: string): string[] => conf.split('\n').map((l) => l.trim());

/** The lines of the first block that starts with `head` (e.g. `upstream ai_agent_backend {`). */
export function blockOf(conf: string, head: string): string[] {
  const all = conf.split('\n');
  const start = all.findIndex((l) => l.trim() === head);
  if (start < 0) throw new Error(`no block '${head}' in:\n${conf}`);
  const indent = all[start].length - all[start].trimStart().length;
  const end = all.findIndex((l, i) => i > start && l === `${' '.repeat(indent)}}`);
  return all.slice(start + 1, end).map((l) => l.trim()).filter(Boolean);
}
