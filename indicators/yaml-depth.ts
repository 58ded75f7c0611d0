// YAML nests by recursion in the parser, and a stack overflow there can land inside V8's regular-expression
// engine, which aborts the whole process instead of throwing (seen with 5,000 nested `[`). A file a person
// writes nests a few levels, so anything deeper is refused before it is parsed. Brackets inside quoted text
// count too: skipping quotes would let a stray apostrophe hide the nesting that follows it.
export const MAX_YAML_DEPTH = 64;
export const MAX_YAML_INDENT = 256;

/** Why `text` nests too deep to parse safely, or undefined. */
export function yamlDepthProblem(text: string): string | undefined {
  let depth = 0;
  let indent = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart && c === 32) {
      if (++indent > MAX_YAML_INDENT) return `a line is indented more than ${MAX_YAML_INDENT} columns`;
      continue;
    }
    lineStart = false;
    if (c === 91 || c === 123) {
      if (++depth > MAX_YAML_DEPTH) return `it nests deeper than ${MAX_YAML_DEPTH} levels`;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}
