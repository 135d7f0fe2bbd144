// The DeepViz JupyterLab app: the core plugins compiled in (listed by webpack.config.js from
// package.json), plus the federated extensions the server announces. Generated into build/ by Handlebars.
import { JupyterLab } from "@jupyterlab/application";
import { PageConfig } from "@jupyterlab/coreutils";

import("./style.js");

// Plugins that need packages this build leaves out (language servers, table of contents, metadata
// forms, the file editor).
const LEFT_OUT = [
  "@jupyterlab/notebook-extension:language-server",
  "@jupyterlab/notebook-extension:toc",
  "@jupyterlab/notebook-extension:update-raw-mimetype",
  "@jupyterlab/tooltip-extension:files",
];

async function federatedModule(scope, module) {
  const factory = await window._JUPYTERLAB[scope].get(module);
  return factory();
}

export async function main() {
  const disabled = [];
  const deferred = [];
  const ignorePlugins = [];

  function* enabledPlugins(mod) {
    const exported = Object.prototype.hasOwnProperty.call(mod, "__esModule") ? mod.default : mod;
    for (const plugin of Array.isArray(exported) ? exported : [exported]) {
      if (PageConfig.Extension.isDisabled(plugin.id) || LEFT_OUT.includes(plugin.id)) {
        disabled.push(plugin.id);
        continue;
      }
      if (PageConfig.Extension.isDeferred(plugin.id)) {
        deferred.push(plugin.id);
        ignorePlugins.push(plugin.id);
      }
      yield plugin;
    }
  }

  const federated = JSON.parse(PageConfig.getOption("federated_extensions"));
  const federatedNames = new Set(federated.map((e) => e.name));
  const plugins = [];
  const mimeExtensions = [];

  {{#each mimeExtensions}}
  if (!federatedNames.has("{{@key}}")) mimeExtensions.push(...enabledPlugins(require("{{@key}}{{#if this}}/{{this}}{{/if}}")));
  {{/each}}
  {{#each extensions}}
  if (!federatedNames.has("{{@key}}")) plugins.push(...enabledPlugins(require("{{@key}}{{#if this}}/{{this}}{{/if}}")));
  {{/each}}

  const loads = [];
  for (const ext of federated) {
    if (ext.extension) loads.push(federatedModule(ext.name, ext.extension).then((m) => plugins.push(...enabledPlugins(m))));
    if (ext.mimeExtension) loads.push(federatedModule(ext.name, ext.mimeExtension).then((m) => mimeExtensions.push(...enabledPlugins(m))));
    if (ext.style) loads.push(federatedModule(ext.name, ext.style));
  }
  for (const r of await Promise.allSettled(loads)) if (r.status === "rejected") console.error(r.reason);

  const lab = new JupyterLab({
    mimeExtensions,
    disabled: { matches: disabled, patterns: PageConfig.Extension.disabled.map((v) => v.raw) },
    deferred: { matches: deferred, patterns: PageConfig.Extension.deferred.map((v) => v.raw) },
  });
  lab.registerPluginModules(plugins);
  await lab.start({ ignorePlugins });
  await lab.restored;
  document.body.dataset.deepvizLab = "ready";
}
