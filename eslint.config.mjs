// npm run lint: typescript-eslint's recommended rules (syntax-only, so it stays fast), tuned where the
// project's conventions are deliberate. Formatting is prettier's job (npm run format), not eslint's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "widgets/frontend/lib/**",
      "widgets/frontend/labextension/**",
      "widgets/frontend/.core/**",
      "lab/build/**",
      "lab/index.template.js", // a Handlebars template (webpack.config.js fills it in)
      "site/**",
      "test-output/**",
      "models/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        // Node (tools, library) and the browser (widgets/frontend, site scripts, e2e pages)
        process: "readonly",
        Buffer: "readonly",
        __dirname: "readonly",
        __filename: "readonly",
        require: "readonly",
        module: "writable",
        exports: "writable",
        console: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        URL: "readonly",
        fetch: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        AbortController: "readonly",
        structuredClone: "readonly",
        globalThis: "readonly",
        window: "readonly",
        document: "readonly",
        performance: "readonly",
      },
    },
    rules: {
      // Protocol payloads (Jupyter messages, widget state) are untyped JSON; `any` there is deliberate.
      "@typescript-eslint/no-explicit-any": "off",
      // Lazy `require()` keeps start-up cheap (tfjs, zeromq, TypeScript load only when used).
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // Widget classes declare their synced attributes by merging an interface (widgets/src/widget.ts defineSynced).
      "@typescript-eslint/no-unsafe-declaration-merging": "off",
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
      // A `let` that a closure reads before its one assignment (set-up order) is not a mistake.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
);
