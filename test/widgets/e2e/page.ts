/**
 * The browser side of the end-to-end test: a page that talks to a real Jupyter server through
 * @jupyterlab/services, renders widgets with @jupyter-widgets/html-manager, and loads the kit's AMD
 * bundle from this page's own server (no CDN). The test drives it through `window.deepviz`.
 */
import { Kernel, KernelManager, KernelMessage, ServerConnection } from "@jupyterlab/services";
import * as base from "@jupyter-widgets/base";
import { HTMLManager } from "@jupyter-widgets/html-manager";

const WIDGET_MIME = "application/vnd.jupyter.widget-view+json";

/** Load the AMD bundle with a one-module `define` that hands it this page's @jupyter-widgets/base. */
function loadAmd(url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    (window as any).define = (deps: string[], factory: (...mods: unknown[]) => unknown) => {
      const mods = deps.map((d) => {
        if (d === "@jupyter-widgets/base") return base;
        throw new Error(`unexpected AMD dependency ${d}`);
      });
      resolve(factory(...mods));
    };
    const s = document.createElement("script");
    s.src = url;
    s.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.append(s);
  });
}

const loaded = new Map<string, Promise<any>>();
function loader(name: string, version: string): Promise<any> {
  if (name !== "deepviz-widgets") return Promise.reject(new Error(`no module ${name}@${version} here`));
  if (!loaded.has(name)) loaded.set(name, loadAmd(`/amd/${name}@${version}/dist/index.js`));
  return loaded.get(name)!;
}

/** An HTMLManager wired to a live kernel (what ipywidgets' web3 example does). */
class KernelWidgetManager extends HTMLManager {
  constructor(readonly kernel: Kernel.IKernelConnection) {
    super({ loader });
    kernel.registerCommTarget("jupyter.widget", async (comm, msg) => {
      await this.handle_comm_open(new base.shims.services.Comm(comm), msg as any);
    });
  }
  override async _create_comm(target: string, modelId: string, data?: any, metadata?: any, buffers?: any): Promise<any> {
    const comm = this.kernel.createComm(target, modelId);
    if (data || metadata) comm.open(data, metadata, buffers);
    return new base.shims.services.Comm(comm);
  }
  override async _get_comm_info(): Promise<any> {
    const reply = await this.kernel.requestCommInfo({ target_name: "jupyter.widget" });
    return reply.content.status === "ok" ? (reply.content as any).comms : {};
  }
}

let kernels: KernelManager;
let kernel: Kernel.IKernelConnection;
let manager: KernelWidgetManager;
const errors: string[] = [];
window.addEventListener("error", (e) => errors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => errors.push(String(e.reason)));

async function start(serverUrl: string, token: string, kernelName: string): Promise<string> {
  const serverSettings = ServerConnection.makeSettings({
    baseUrl: serverUrl,
    wsUrl: serverUrl.replace(/^http/, "ws"),
    token,
    appendToken: true,
  });
  kernels = new KernelManager({ serverSettings });
  kernel = await kernels.startNew({ name: kernelName });
  manager = new KernelWidgetManager(kernel);
  const info = await kernel.info;
  return info.implementation;
}

/** Run one cell; its outputs (widgets rendered) go into a new .cell element. */
async function run(code: string): Promise<{ status: string; text: string[]; widgets: number }> {
  const cell = document.createElement("div");
  cell.className = "cell";
  cell.dataset.index = String(document.querySelectorAll(".cell").length);
  document.getElementById("cells")!.append(cell);
  const text: string[] = [];
  const pending: Promise<void>[] = [];
  let widgets = 0;
  const future = kernel.requestExecute({ code, stop_on_error: true });
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    const type = msg.header.msg_type;
    const content: any = msg.content;
    if (type === "display_data" || type === "execute_result") {
      const data = content.data;
      if (data[WIDGET_MIME]) {
        widgets++;
        const el = document.createElement("div");
        el.className = "output-area";
        cell.append(el);
        pending.push(
          manager
            .get_model(data[WIDGET_MIME].model_id)
            .then((model) => manager.create_view(model))
            .then((view) => manager.display_view(view, el)),
        );
      } else if (data["text/plain"] !== undefined) {
        text.push(String(data["text/plain"]));
        const pre = document.createElement("pre");
        pre.textContent = data["text/plain"];
        cell.append(pre);
      }
    } else if (type === "stream") {
      text.push(content.text);
    } else if (type === "error") {
      text.push(`${content.ename}: ${content.evalue}`);
      const pre = document.createElement("pre");
      pre.style.color = "#b00";
      pre.textContent = `${content.ename}: ${content.evalue}`;
      cell.append(pre);
    }
  };
  const reply = await future.done;
  await Promise.all(pending);
  return { status: reply.content.status, text, widgets };
}

/**
 * A second front end (its own kernel connection and manager) fetching every widget through the
 * control comm, as a reloaded page does.
 */
async function reloadStates(): Promise<{ models: number; ms: number; names: string[]; phase: string }> {
  const t0 = performance.now();
  let phase = "connect";
  const connection = kernels.connectTo({ model: kernel.model, handleComms: true });
  try {
    const work = (async () => {
      await connection.info; // the new connection is up
      phase = "control comm";
      const fresh = new KernelWidgetManager(connection);
      await (fresh as any)._loadFromKernel();
      phase = "get_state";
      const models = await fresh.get_state();
      return Object.values(models.state).map((m: any) => m.model_name as string);
    })();
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`reload stuck in phase ${phase}`)), 30_000),
    );
    const names = await Promise.race([work, timeout]);
    return { models: names.length, ms: performance.now() - t0, names: [...new Set(names)].sort(), phase };
  } finally {
    connection.dispose();
  }
}

(window as any).deepviz = { start, run, reloadStates, errors };
