// Webpack configuration of the DeepViz JupyterLab app. Output goes to $DEEPVIZ_LAB_OUT (set by
// scripts/lab-build.ts): static/ (the bundle), schemas/ and themes/ (what the server serves besides).
// Every package in package.json's dependencies that declares a JupyterLab extension is compiled in;
// every installed @jupyterlab/@lumino/@jupyter-widgets package is shared (a singleton) with federated
// extensions, so deepviz-widgets uses the app's @jupyter-widgets/base.
const fs = require("fs");
const path = require("path");
const Handlebars = require("handlebars");
const { merge } = require("webpack-merge");
const { ModuleFederationPlugin } = require("webpack").container;
const { Build } = require("@jupyterlab/builder");
const baseConfig = require("@jupyterlab/builder/lib/webpack.config.base");

const here = __dirname;
const out = path.resolve(process.env.DEEPVIZ_LAB_OUT || path.join(here, "build", "dev"));
const work = path.join(out, "src");
const pkg = require("./package.json");
const meta = (name) => require(`${name}/package.json`);

const extensionPackages = Object.keys(pkg.dependencies).filter((name) => {
  const lab = meta(name).jupyterlab;
  return lab && (lab.extension !== undefined || lab.mimeExtension !== undefined);
});
const extensions = {};
const mimeExtensions = {};
for (const name of extensionPackages) {
  const { extension, mimeExtension } = meta(name).jupyterlab;
  if (extension !== undefined) extensions[name] = extension === true ? "" : extension;
  if (mimeExtension !== undefined) mimeExtensions[name] = mimeExtension === true ? "" : mimeExtension;
}

for (const dir of [work, path.join(out, "static"), path.join(out, "schemas"), path.join(out, "themes")]) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}
const assets = Build.ensureAssets({ packageNames: extensionPackages, output: work, schemaOutput: out, themeOutput: out });
const template = Handlebars.compile(fs.readFileSync(path.join(here, "index.template.js"), "utf8"));
fs.writeFileSync(path.join(work, "index.js"), template({ extensions, mimeExtensions }));
fs.copyFileSync(path.join(here, "bootstrap.js"), path.join(work, "bootstrap.js"));

/** Every installed package of the JupyterLab family, at its installed version, as a shared singleton. */
function sharedPackages() {
  const shared = {};
  const top = path.join(here, "node_modules");
  for (const scope of ["@jupyterlab", "@lumino", "@jupyter-widgets", "@jupyter"]) {
    const dir = path.join(top, scope);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const full = `${scope}/${name}`;
      if (full === "@jupyterlab/builder") continue;
      const file = path.join(dir, name, "package.json");
      if (!fs.existsSync(file)) continue;
      shared[full] = { requiredVersion: `^${JSON.parse(fs.readFileSync(file, "utf8")).version}`, singleton: true };
    }
  }
  for (const name of ["react", "react-dom", "yjs"]) {
    if (fs.existsSync(path.join(top, name))) shared[name] = { requiredVersion: `^${meta(name).version}`, singleton: true };
  }
  return shared;
}

module.exports = [
  merge(baseConfig, {
    mode: "development",
    devtool: false,
    entry: [path.join(work, "bootstrap.js")],
    output: {
      path: path.join(out, "static"),
      library: { type: "var", name: ["_JUPYTERLAB", "CORE_OUTPUT"] },
      filename: "bundle.js",
    },
    resolve: { modules: [path.join(here, "node_modules"), "node_modules"] },
    resolveLoader: { modules: [path.join(here, "node_modules"), "node_modules"] },
    plugins: [
      new ModuleFederationPlugin({
        library: { type: "var", name: ["_JUPYTERLAB", "CORE_LIBRARY_FEDERATION"] },
        name: "CORE_FEDERATION",
        shared: sharedPackages(),
      }),
    ],
  }),
].concat(assets);
