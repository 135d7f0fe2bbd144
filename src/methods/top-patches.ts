import * as tf from "@tensorflow/tfjs";
import { bundleFor, JUPYTER_DISPLAY, MimeBundle } from "../core/display-registry";
import { RunOptions } from "../core/work";
import { fail } from "../errors";
import { forward } from "../model/interpreter";
import { LayerRef, resolveLayer } from "../model/layers";
import { FieldBox, receptiveField, ReceptiveField } from "../model/receptive-field";
import { isReluMode, ReluMode } from "../model/relu";
import { assertModel, assertPositiveInt } from "../model/validate";
import { Model } from "../model/kind";
import { inFrame } from "./explain";

export interface TopPatchesOptions extends RunOptions {
  /** A convolution or pooling layer (name, index or "lastConv"). */
  layer: LayerRef;
  /** Channels to report: a list, or how many of the most active (default 8; ranked by their mean top-k activation). */
  channels?: number[] | number;
  /** Images per channel (default 9, as Zeiler & Fergus; at most the number of images). */
  k?: number;
  /** Backward rules to project each hit back to its image with (default deconvnet and guided; [] for none). */
  projections?: ReluMode[];
  /** Rows per pass: images while scanning the data set, hits while projecting (default 32). */
  batchSize?: number;
}

/** One of the strongest activations of a channel: which image, where in the layer's map, how strong, and the input window it sees. */
export interface PatchHit {
  image: number;
  /** [row, column] in the layer's map. */
  position: [number, number];
  value: number;
  /** The receptive field of that unit in input pixels (may reach past the image). */
  box: FieldBox;
}

export interface ChannelPatches {
  channel: number;
  /** Strongest first, one per image (each image's maximum over the map). */
  hits: PatchHit[];
  /** [k, fieldHeight, fieldWidth, C]: each hit's receptive field cut from its image (zeros outside the image). */
  patches: tf.Tensor4D;
  /** Per backward rule, [k, H, W, C]: the gradient of that one activation w.r.t. its image, every other unit of the layer at 0. */
  projections: Partial<Record<ReluMode, tf.Tensor4D>>;
}

/** What `topPatches` finds for one layer; owns its tensors (`dispose()`), shows itself as a grid. */
export class TopPatches {
  constructor(
    readonly layer: string,
    readonly field: ReceptiveField,
    readonly channels: ChannelPatches[],
    /** How many images were scanned. */
    readonly images: number,
  ) {}

  dispose(): void {
    for (const c of this.channels) tf.dispose([c.patches, ...Object.values(c.projections)]);
  }

  toString(): string {
    const k = this.channels[0]?.hits.length ?? 0;
    return `TopPatches(${this.layer}: channels [${this.channels.map((c) => c.channel).join(", ")}], top ${k} of ${this.images} images, field ${this.field.size.join("×")} px)`;
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return bundleFor("topPatches", this, this.toString());
  }
}

/**
 * Zeiler & Fergus's data-set view of a layer: for each chosen channel, the k images that excite it most
 * (each image's strongest position), the receptive-field crop each of those units sees, and the
 * projection of that single activation back to pixels with the deconvnet and guided-backprop rules.
 */
export async function topPatches(model: Model, images: tf.Tensor, options: TopPatchesOptions): Promise<TopPatches> {
  assertModel(model);
  if (!options || options.layer === undefined)
    fail('topPatches needs a layer: { layer: "block2_conv2" }, an index, or "lastConv".');
  const layer = resolveLayer(model, options.layer);
  const field = receptiveField(model, layer); // LayersModels with spatial layers only; fails clearly otherwise
  const k = options.k ?? 9;
  assertPositiveInt(k, "k");
  const batchSize = options.batchSize ?? 32;
  assertPositiveInt(batchSize, "batchSize");
  const rules = options.projections ?? (["deconvnet", "guided"] as ReluMode[]);
  if (!Array.isArray(rules) || !rules.every(isReluMode))
    fail(`projections must be a list of backward rules ("deconvnet", "guided", "normal"); got ${JSON.stringify(rules)}.`);
  const [h, w, channelCount] = (layer.outputShape as number[]).slice(1);

  type Found = {
    channels: number[];
    hits: PatchHit[][];
    patches: tf.Tensor4D[];
    projections: Array<Partial<Record<ReluMode, tf.Tensor4D>>>;
  };
  return inFrame<Found, TopPatches>(
    "topPatches",
    model,
    images,
    options,
    { targeted: false },
    async ({ model, x, work }) => {
      const n = x.shape[0];
      const chosen = chooseChannels(options.channels, channelCount, layer.name);
      const hitCount = (typeof chosen === "number" ? chosen : chosen.length) * Math.min(k, n);
      work.plan(n + hitCount * rules.length, "rows"); // the images scanned, then one row per hit and rule
      // each image's maximum and its position, per channel
      const best = new Float32Array(n * channelCount);
      const where = new Int32Array(n * channelCount);
      for await (const [start, end] of work.chunks(n, batchSize)) {
        tf.tidy(() => {
          const out = forward(model, x.slice(start, end - start), { stopAt: layer.name, logits: false }).output;
          const flat = tf.reshape(out, [end - start, h * w, channelCount]);
          best.set(tf.max(flat, 1).dataSync(), start * channelCount);
          where.set(tf.argMax(flat, 1).dataSync(), start * channelCount);
        });
      }
      const pixels = x.dataSync() as Float32Array;
      const keep = Math.min(k, n);
      const ranked = Array.from({ length: channelCount }, (_, c) =>
        Array.from({ length: n }, (_, i) => i)
          .sort((a, b) => best[b * channelCount + c] - best[a * channelCount + c] || a - b)
          .slice(0, keep),
      );
      const strength = (c: number) => ranked[c].reduce((s, i) => s + best[i * channelCount + c], 0) / keep;
      const channels =
        typeof chosen === "number"
          ? Array.from({ length: channelCount }, (_, c) => c)
              .sort((a, b) => strength(b) - strength(a) || a - b)
              .slice(0, chosen)
          : chosen;
      const found: Found = { channels, hits: [], patches: [], projections: [] };
      for (const c of channels) {
        const hits = ranked[c].map((image): PatchHit => {
          const flatIndex = where[image * channelCount + c];
          const position: [number, number] = [Math.floor(flatIndex / w), flatIndex % w];
          return { image, position, value: best[image * channelCount + c], box: field.box(position) };
        });
        found.hits.push(hits);
        found.patches.push(work.tidy(() => crops(pixels, x.shape, hits)));
      }
      // the hits of every channel as rows (in channel order), batchSize rows per backward pass, split afterwards
      const units = found.hits.flatMap((hits, i) => hits.map((hit) => ({ ...hit, channel: channels[i] })));
      const counts = found.hits.map((hits) => hits.length);
      const perRule: tf.Tensor4D[][] = [];
      for (const rule of rules) {
        const pieces: tf.Tensor4D[] = [];
        for await (const [start, end] of work.chunks(units.length, batchSize))
          pieces.push(work.tidy(() => project(model, x, layer.name, [h, w, channelCount], units.slice(start, end), rule)));
        perRule.push(work.tidy(() => tf.split(tf.concat(pieces), counts) as tf.Tensor4D[]));
        work.free(...pieces);
      }
      found.projections = channels.map((_, i) => Object.fromEntries(rules.map((rule, r) => [rule, perRule[r][i]])));
      return found;
    },
    // the frame frees what compute kept: the result gets copies
    (f) =>
      new TopPatches(
        layer.name,
        field,
        f.channels.map((channel, i) => ({
          channel,
          hits: f.hits[i],
          patches: tf.clone(f.patches[i]),
          projections: Object.fromEntries(Object.entries(f.projections[i]).map(([rule, t]) => [rule, tf.clone(t!)])),
        })),
        (images.rank === 4 ? images.shape[0] : 1) as number,
      ),
  );
}

function chooseChannels(channels: number[] | number | undefined, count: number, layer: string): number[] | number {
  if (channels === undefined) return Math.min(8, count);
  if (typeof channels === "number") {
    assertPositiveInt(channels, "channels");
    return Math.min(channels, count);
  }
  if (!Array.isArray(channels) || channels.length === 0) fail("channels must be a count or a non-empty list of channel indices.");
  for (const c of channels)
    if (!Number.isInteger(c) || c < 0 || c >= count)
      fail(`channel ${c} is out of range: layer ${layer} has ${count} channels (0..${count - 1}).`);
  return channels.slice();
}

/** The hits' receptive fields cut from their images, zero where a window leaves the image: [k, fh, fw, C]. */
function crops(pixels: Float32Array, shape: number[], hits: PatchHit[]): tf.Tensor4D {
  const [, height, width, C] = shape;
  const [fh, fw] = [hits[0].box[2] - hits[0].box[0], hits[0].box[3] - hits[0].box[1]];
  const out = new Float32Array(hits.length * fh * fw * C);
  hits.forEach((hit, i) => {
    const [top, left] = hit.box;
    for (let y = 0; y < fh; y++)
      for (let x = 0; x < fw; x++) {
        const [yy, xx] = [top + y, left + x];
        if (yy < 0 || xx < 0 || yy >= height || xx >= width) continue;
        const from = ((hit.image * height + yy) * width + xx) * C;
        out.set(pixels.subarray(from, from + C), ((i * fh + y) * fw + x) * C);
      }
  });
  return tf.tensor4d(out, [hits.length, fh, fw, C]);
}

/** For each unit (image, position, channel), the gradient of that one unit (all others masked out) w.r.t. its image, under `rule`. */
function project(
  model: Model,
  x: tf.Tensor,
  layer: string,
  [h, w, channels]: number[],
  units: Array<PatchHit & { channel: number }>,
  rule: ReluMode,
): tf.Tensor4D {
  const mask = new Float32Array(units.length * h * w * channels);
  units.forEach((u, row) => (mask[((row * h + u.position[0]) * w + u.position[1]) * channels + u.channel] = 1));
  const m = tf.tensor4d(mask, [units.length, h, w, channels]);
  const batch = tf.gather(
    x,
    units.map((u) => u.image),
  );
  const unit = (xx: tf.Tensor) => tf.sum(tf.mul(forward(model, xx, { stopAt: layer, relu: rule, logits: false }).output, m));
  return tf.grad(unit)(batch) as tf.Tensor4D;
}
