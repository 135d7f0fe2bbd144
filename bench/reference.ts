/**
 * The figures of issue 20 against their references, measured in this one run as wall-time ratios:
 * VGG16 saliency vs PyTorch CPU (Debian's python3-torch, all cores) and vs one wasm thread, and the
 * kernel's start vs IPython's. t-SNE vs scikit-learn is in bench/embed.ts. Run: npm run bench:reference
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { KernelClient } from "../kernel-ext/src/client";
import { fmtMs, fmtX, load, table } from "./measure";
import { timeVggSaliency, VGG16_CONV_FLOP } from "./vgg-saliency";

const PYTHON = "/usr/bin/python3";
const REPS = 5;
const sourceDir = path.join(__dirname, "..", "..", "bench");

type Reference = {
  seconds: number;
  seconds_input_only?: number;
  seconds_forward?: number;
  seconds_forward_one_thread?: number;
  [k: string]: unknown;
};

function python(script: string, ...args: string[]): Reference | string {
  try {
    return JSON.parse(
      execFileSync(PYTHON, [path.join(sourceDir, script), ...args], {
        encoding: "utf8",
        timeout: 600_000,
        stdio: ["ignore", "pipe", "pipe"], // Python's own warnings stay out of the table
      }),
    );
  } catch (e) {
    return `unavailable (${String((e as Error).message)
      .split("\n")[0]!
      .slice(0, 80)})`;
  }
}

function child(threads: number): { ms: number; forwardMs: number; threads: number } {
  const out = execFileSync(process.execPath, [path.join(__dirname, "vgg-saliency.js"), String(REPS)], {
    encoding: "utf8",
    env: { ...process.env, DEEPVIZ_WASM_THREADS: String(threads) },
    timeout: 600_000,
  });
  return JSON.parse(out);
}

/** Best of REPS: until kernel_info is answered, and until a first cell's result is back. */
async function kernelStart(): Promise<{ ready: number; firstCell: number }> {
  let ready = Infinity;
  let firstCell = Infinity;
  for (let i = 0; i < REPS; i++) {
    const start = performance.now();
    const client = await KernelClient.launch();
    ready = Math.min(ready, performance.now() - start);
    await client.execute("1");
    firstCell = Math.min(firstCell, performance.now() - start);
    await client.close();
  }
  return { ready, firstCell };
}

const ratio = (ours: number, ref: { seconds: number } | string) =>
  typeof ref === "string" ? ref : fmtX(ours / (ref.seconds * 1000));
const refMs = (ref: { seconds: number } | string) => (typeof ref === "string" ? "—" : fmtMs(ref.seconds * 1000));

export async function main(): Promise<void> {
  const ours = await timeVggSaliency(REPS);
  const one = child(1);
  const torch = python("saliency_torch.py", String(REPS));
  const kernel = await kernelStart();
  const ipython = python("kernel_start_ipython.py", String(REPS));
  const frozen = typeof torch === "string" ? torch : { seconds: torch.seconds_input_only ?? NaN };
  const torchForward = typeof torch === "string" ? torch : { seconds: torch.seconds_forward ?? NaN };
  // the convolutions' arithmetic rate in a forward pass, per thread: the kernels' speed, apart from the graph around them
  const rate = (ms: number, threads: number) => `${(VGG16_CONV_FLOP / ms / 1e6 / threads).toFixed(1)} GFLOP/s/thread`;
  const torchForwardOne = typeof torch === "string" ? torch : { seconds: torch.seconds_forward_one_thread ?? NaN };
  const torchThreads = typeof torch === "string" ? 1 : Number(torch.threads);
  console.log(
    `\n## against the references (VGG16: median wall time of ${REPS}; kernel: best of ${REPS}; one run, ${load()}; ` +
      "ratio = ours ÷ reference, < 1× is faster)",
  );
  console.log(
    table(
      ["figure", "deepviz", "reference", "ratio", "target"],
      [
        [
          `VGG16 saliency, wasm ${ours.threads} threads`,
          fmtMs(ours.ms),
          `PyTorch CPU ${refMs(torch)}`,
          ratio(ours.ms, torch),
          "≤ 1.2× (goal 1.0×)",
        ],
        [`  same work: PyTorch with weights frozen`, fmtMs(ours.ms), `PyTorch CPU ${refMs(frozen)}`, ratio(ours.ms, frozen), "—"],
        ["VGG16 saliency, wasm 1 thread", fmtMs(one.ms), `PyTorch CPU ${refMs(torch)}`, ratio(one.ms, torch), "—"],
        [
          `VGG16 forward, wasm ${ours.threads} threads`,
          `${fmtMs(ours.forwardMs)} (${rate(ours.forwardMs, ours.threads)})`,
          typeof torchForward === "string"
            ? torchForward
            : `${refMs(torchForward)} (${rate(torchForward.seconds * 1000, torchThreads)})`,
          ratio(ours.forwardMs, torchForward),
          "—",
        ],
        [
          "VGG16 forward, wasm 1 thread",
          `${fmtMs(one.forwardMs)} (${rate(one.forwardMs, 1)})`,
          typeof torchForwardOne === "string"
            ? torchForwardOne
            : `1 thread ${refMs(torchForwardOne)} (${rate(torchForwardOne.seconds * 1000, 1)})`,
          ratio(one.forwardMs, torchForwardOne),
          "—",
        ],
        [`threads: ${ours.threads} vs 1`, fmtMs(ours.ms), `1 thread ${fmtMs(one.ms)}`, fmtX(ours.ms / one.ms), "< 1×"],
        [
          "kernel ready (kernel_info answered)",
          fmtMs(kernel.ready),
          `IPython ${refMs(ipython)}`,
          ratio(kernel.ready, ipython),
          "≤ 1.5 s",
        ],
        [
          "kernel start to a first cell's result",
          fmtMs(kernel.firstCell),
          `IPython ready ${refMs(ipython)}`,
          ratio(kernel.firstCell, ipython),
          "—",
        ],
      ],
    ),
  );
  console.log(
    "PyTorch CPU as saliency is usually written: its weights require gradients, so backward() also computes the\n" +
      "weight gradients (~1.5× the convolution work deepviz does); with the weights frozen it does the same work as deepviz.",
  );
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
