/**
 * kernel_info's language_info, true to what runs the cells: the TypeScript version tslab compiles with
 * (tslab's own reply says "3.7.2" whatever it uses), or for JavaScript cells the Node.js that runs them.
 */
import * as path from "path";

export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  codemirror_mode: string;
  pygments_lexer: string;
}

/**
 * The version of the TypeScript tslab compiles with: its fork `@tslab/typescript-for-tslab` (resolved
 * from tslab's own folder), read from package.json: loading a compiler to ask would cost 0.3 s of start.
 */
export function tslabTypeScriptVersion(): string {
  const tslabDir = path.dirname(require.resolve("tslab/package.json"));
  const manifest = require.resolve("@tslab/typescript-for-tslab/package.json", { paths: [tslabDir] });
  return (require(manifest) as { version: string }).version;
}

export function languageInfo(isJs: boolean): LanguageInfo {
  return isJs
    ? {
        name: "javascript",
        version: process.versions.node,
        mimetype: "text/javascript",
        file_extension: ".js",
        codemirror_mode: "javascript",
        pygments_lexer: "javascript",
      }
    : {
        name: "typescript",
        version: tslabTypeScriptVersion(),
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: "typescript",
        pygments_lexer: "typescript",
      };
}
