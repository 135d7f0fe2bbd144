/**
 * Cells that run before the type checker is ready (see staged-converter.ts): TypeScript to JavaScript
 * without types, keeping tslab's conventions, so the result runs exactly as tslab's own output would:
 * names a cell declares are exported and later cells read them as `exports.name`; the last expression
 * is stored for display; top-level await is allowed. The program holds only the cell and the names of
 * earlier cells (no lib.d.ts, no imports resolved): it costs milliseconds, not the seconds of a real one.
 * Syntax errors still fail the cell; type errors are found later by the checker thread.
 */
import * as ts from "@tslab/typescript-for-tslab";
import { esModuleToCommonJSModule, type ConvertResult, type Diagnostic } from "tslab/dist/converter";

/** tslab's prefix: it makes the cell a module, so its names shadow those of earlier cells. */
const PREFIX = "export {};\n";
const TARGET = ts.ScriptTarget.ES2022;
const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: TARGET,
  esModuleInterop: true,
  experimentalDecorators: true,
  jsx: ts.JsxEmit.React,
  noImplicitUseStrict: true,
  newLine: ts.NewLineKind.LineFeed,
  allowJs: true,
  noLib: true,
  noResolve: true,
  types: [],
  rootDir: "/",
  outDir: "/out",
};

export interface QuickResult extends ConvertResult {
  /** Top-level names the cell declares (values and types), exported to later cells. */
  names: string[];
}

/** Whether a cell can run untyped: it imports no local file (those are compiled by the checker). */
export function canConvertQuickly(src: string): boolean {
  return ts.preProcessFile(src, true, true).importedFiles.every((f) => !/^[./]/.test(f.fileName));
}

/** Converts `src`, given the names earlier cells declared. */
export function quickConvert(earlierNames: Iterable<string>, src: string, isJs: boolean): QuickResult {
  const srcName = isJs ? "/__tslab__.js" : "/__tslab__.ts";
  // Earlier cells' names as globals: a name the cell declares again shadows them (the cell is a module).
  const decls = [...earlierNames].map((n) => `declare var ${n}: any;`).join("\n");
  let { program, file } = build(srcName, src, decls);
  const syntax = program.getSyntacticDiagnostics(file);
  if (syntax.length > 0) return { diagnostics: syntax.map((d) => diagnostic(file, d)), names: [] };
  const names = localNames(program, file);
  if (names.length > 0) ({ program, file } = build(srcName, `${src}\nexport {${names.join(", ")}}`, decls));
  const checker = program.getTypeChecker();
  const declFile = program.getSourceFile("/__prev__.d.ts")!;
  let output = "";
  let lastExpressionVar: string | undefined;
  program.emit(
    file,
    (name, text) => {
      if (name.endsWith(".js")) output = text;
    },
    undefined,
    false,
    { after: [lastExpressionTransformer(checker, declFile, new Set(names), (n) => (lastExpressionVar = n))] },
  );
  return {
    output: esModuleToCommonJSModule(output, TARGET),
    diagnostics: [],
    hasToplevelAwait: hasTopLevelAwait(file),
    lastExpressionVar,
    names,
  };
}

function build(srcName: string, src: string, decls: string): { program: ts.Program; file: ts.SourceFile } {
  const files = new Map([
    [srcName, PREFIX + src],
    ["/__prev__.d.ts", decls],
  ]);
  const host: ts.CompilerHost = {
    getSourceFile: (name, version) => {
      const text = files.get(name);
      return text === undefined ? undefined : ts.createSourceFile(name, text, version, true);
    },
    getDefaultLibFileName: () => "/lib.d.ts",
    writeFile: () => undefined,
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (f) => files.has(f),
    readFile: (f) => files.get(f),
  };
  const program = ts.createProgram([srcName, "/__prev__.d.ts"], OPTIONS, host);
  return { program, file: program.getSourceFile(srcName)! };
}

/** The names the binder found at the cell's top level (tslab exports the same set). */
function localNames(program: ts.Program, file: ts.SourceFile): string[] {
  program.getTypeChecker(); // binds the file
  const locals = (file as unknown as { locals?: Map<string, unknown> }).locals;
  return locals ? [...locals.keys()] : [];
}

/** tslab's output rewrite: earlier cells' names read through `exports`; the last expression kept. */
function lastExpressionTransformer(
  checker: ts.TypeChecker,
  declFile: ts.SourceFile,
  locals: Set<string>,
  setName: (name: string) => void,
): ts.TransformerFactory<ts.SourceFile> {
  const context = ts.getNullTransformationContext();
  const fromEarlierCell = (node: ts.Node): ts.Node => {
    if (!ts.isIdentifier(node)) return ts.visitEachChild(node, fromEarlierCell, context);
    if (node.parent && ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) return node;
    const declared = checker.getSymbolAtLocation(node)?.declarations ?? [];
    if (!declared.some((d) => d.getSourceFile() === declFile)) return node;
    return ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier("exports"), node);
  };
  return () => (file) => {
    file = ts.visitEachChild(file, fromEarlierCell, context);
    const statements = [...file.statements];
    for (let i = statements.length - 1; i >= 0; i--) {
      const stmt = statements[i];
      if (ts.isExportDeclaration(stmt)) continue;
      if (!ts.isExpressionStatement(stmt)) break;
      let name = "tsLastExpr";
      for (let k = 0; locals.has(name); k++) name = `tsLastExpr${k}`;
      statements[i] = ts.factory.createVariableStatement(
        [ts.factory.createModifier(ts.SyntaxKind.ExportKeyword)],
        ts.factory.createVariableDeclarationList(
          [ts.factory.createVariableDeclaration(name, undefined, undefined, stmt.expression)],
          ts.NodeFlags.Const,
        ),
      );
      setName(name);
      return ts.factory.updateSourceFile(file, statements);
    }
    return file;
  };
}

/** An `await` (or `for await`) outside any function: the cell then runs as an async function. */
function hasTopLevelAwait(file: ts.SourceFile): boolean {
  const visit = (node: ts.Node): boolean => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isModuleDeclaration(node)) return false;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) return true;
    return ts.forEachChild(node, visit) ?? false;
  };
  return ts.forEachChild(file, visit) ?? false;
}

/** A diagnostic in tslab's form, positions relative to the cell's own text. */
function diagnostic(file: ts.SourceFile, d: ts.Diagnostic): Diagnostic {
  const at = (offset: number) => {
    const { line, character } = file.getLineAndCharacterOfPosition(offset);
    return { offset: offset - PREFIX.length, line: line - 1, character };
  };
  const start = d.start ?? PREFIX.length;
  return {
    start: at(start),
    end: at(start + (d.length ?? 0)),
    messageText: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    category: d.category,
    code: d.code,
  };
}
