/**
 * The layering of the repository, checked by `npm run lint` (depcruise). The allowed directions:
 *
 *   entry/ ───────► widgets/src/ ──► src/            (the library imports no other part but the contract)
 *     │  └──────────────┼──────────► kernel-ext/     (the kernel imports no other part)
 *     │                 └──────┴───► kernel-ext/src/comm-api.ts only (the kernel's contract with cell code)
 *     └─► src/, kernel-ext/
 *   widgets/frontend/src/ (browser views) ──► src/ code that reaches neither Node nor tfjs (colormaps, normalisation)
 *   test/, bench/, scripts/ may import every part; no part imports them.
 */
const PARTS = "^(src|kernel-ext|widgets|entry)/";
const TOOLS = "^(test|bench|scripts)/";
// The kernel's contract with code in cells (display symbol, MIME bundles, comms): types and symbols only.
const COMM_CONTRACT = "^kernel-ext/src/comm-api\\.ts$";
// Node's own modules and the packages that only run in Node.
const NODE_ONLY =
  "^((node:)?(fs|path|os|zlib|crypto|child_process|worker_threads|net|http|https|url|util|stream)|node_modules/(@tensorflow|@napi-rs|zeromq|tslab|esbuild))(/|$)";

module.exports = {
  forbidden: [
    {
      name: "library-imports-no-other-part",
      comment:
        "src/ is the library: it must not know the widget kit, the package entry, or of the kernel more than its comm contract.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(kernel-ext|widgets|entry)/", pathNot: COMM_CONTRACT },
    },
    {
      name: "kernel-imports-no-other-part",
      comment: "kernel-ext/ knows nothing of CNNs or widgets: install steps and the like are handed to it.",
      severity: "error",
      from: { path: "^kernel-ext/" },
      to: { path: "^(src|widgets|entry)/" },
    },
    {
      name: "widgets-use-only-the-comm-contract",
      comment: "The widget kit may use the library, and of the kernel only its comm contract.",
      severity: "error",
      from: { path: "^widgets/src/" },
      to: { path: "^(kernel-ext|entry)/", pathNot: COMM_CONTRACT },
    },
    {
      name: "browser-views-import-no-kernel-side-code",
      comment: "The browser bundle (widgets/frontend) may share library code, never the kernel's or the kit's kernel side.",
      severity: "error",
      from: { path: "^widgets/frontend/" },
      to: { path: "^(kernel-ext|widgets/src|entry)/" },
    },
    {
      name: "browser-views-reach-no-node-or-tfjs",
      comment: "What the browser bundle takes from the library (colormaps, normalisation) must need neither Node nor tfjs.",
      severity: "error",
      from: { path: "^widgets/frontend/src/" },
      to: { reachable: true, path: NODE_ONLY },
    },
    {
      name: "parts-do-not-import-tools",
      comment: "Tests, benchmarks and scripts sit on top; nothing the package ships may import them.",
      severity: "error",
      from: { path: PARTS },
      to: { path: TOOLS },
    },
    {
      name: "no-cycle-between-parts",
      comment: "No import cycle that crosses parts (implied by the rules above; kept as the property itself).",
      severity: "error",
      from: { path: PARTS },
      to: { circular: true, pathNot: "^node_modules/" },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to nothing.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "shipped-code-not-to-dev-dependencies",
      comment:
        "What the package ships must not need a devDependency (those are for tests and tools). Two dev tools are " +
        "used only when present: esbuild minifies plotly.js (display/plotly-html.ts), tsx runs the sources when " +
        "there is no build (kernel-ext/bin/load.js).",
      severity: "error",
      from: { path: PARTS, pathNot: "^widgets/frontend/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"], pathNot: "^node_modules/(esbuild|tsx)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|site|test-output)/|^widgets/frontend/(lib|labextension|dist|\\.core)/" },
    // Type-only imports count too: a type import across parts is still a dependency between them.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["require", "node", "default", "types"],
      extensions: [".ts", ".js", ".d.ts", ".json"],
    },
  },
};
