// Entry of the DeepViz JupyterLab page. Runs before any JupyterLab module: it points webpack at the
// server's static URL, loads the federated extensions the server lists (deepviz-widgets among them) so
// that module federation can settle one copy of each shared package, then starts the app (index.js).
/* global __webpack_init_sharing__, __webpack_share_scopes__ */

function pageOption(name) {
  const el = document.getElementById("jupyter-config-data");
  const config = el ? JSON.parse(el.textContent || "{}") : {};
  return config[name] || "";
}

// eslint-disable-next-line no-undef
__webpack_public_path__ = pageOption("fullStaticUrl") + "/";

function addScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${url}`));
    script.async = true;
    script.src = url;
    document.head.appendChild(script);
  });
}

async function loadFederated(ext) {
  await addScript(`${pageOption("fullLabextensionsUrl")}/${ext.name}/${ext.load}`);
  await __webpack_init_sharing__("default");
  await window._JUPYTERLAB[ext.name].init(__webpack_share_scopes__.default);
}

void (async () => {
  const listed = pageOption("federated_extensions") || [];
  const results = await Promise.allSettled(listed.map(loadFederated));
  for (const r of results) if (r.status === "rejected") console.error(r.reason);
  const { main } = await import("./index.js");
  if (document.readyState === "complete") void main();
  else window.addEventListener("load", () => void main());
})();
