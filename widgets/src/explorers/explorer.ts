/**
 * What every explorer shares. It owns a copy of its image, so the notebook may dispose its own; an
 * Output area at its foot shows what its callbacks print and the errors they meet (never another cell);
 * its redraws are coalesced; close() frees what it owns. A redraw whose model was disposed says so in
 * that area instead of throwing.
 */
import * as tf from "@tensorflow/tfjs";
import { fail } from "../../../src/errors";
import { isGraphModel, Model } from "../../../src/model/kind";
import { assertTensor } from "../../../src/model/validate";
import { LatestWins, latestWins } from "../coalesce";
import { VBox } from "../controls";
import { Output } from "../output";
import { Widget } from "../widget";

export abstract class Explorer extends VBox {
  /** What the explorer's callbacks print, and the errors they meet. */
  readonly output = new Output();
  /** The explorer's own copy of the image it was given. */
  readonly image: tf.Tensor;
  private lastError = "";

  /** `check` validates the subclass's inputs before the image is copied (so a bad call leaves nothing behind). */
  constructor(
    readonly model: Model,
    image: tf.Tensor,
    check: () => void = () => undefined,
  ) {
    super();
    assertTensor(image, "the image");
    check();
    this.image = tf.clone(image);
  }

  /** Set the explorer's parts (the output goes last) and route their callbacks' output into it. */
  protected setParts(parts: Widget[]): void {
    this.children = [...parts, this.output];
    for (const w of descendants(this)) if (w !== this.output) w.callbackOutput = this.output;
  }

  /** A coalesced redraw; its errors go to the output (the same error once, not once per move). */
  protected redraw(work: () => Promise<void> | void): LatestWins<[]> {
    return latestWins(
      async () => {
        this.checkInputs();
        await work();
      },
      (err) => this.showError(err),
      { settle: true },
    );
  }

  /** Close the explorer and its parts, and free the tensors it owns. */
  override close(): void {
    for (const w of descendants(this)) if (w !== this) w.close();
    this.image.dispose();
    super.close();
  }

  private checkInputs(): void {
    if (this.image.isDisposed) fail("this explorer was closed; run its cell again to get a new one.");
    if (isDisposed(this.model)) {
      fail("the model this explorer shows was disposed, so it cannot redraw; run the explorer's cell again with a live model.");
    }
  }

  private showError(err: unknown): void {
    const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (text === this.lastError) return;
    this.lastError = text;
    this.output.appendError(err);
  }
}

/** A model whose weights were disposed (model.dispose()) cannot run. */
function isDisposed(model: Model): boolean {
  if (isGraphModel(model)) return Object.values(model.weights).some((ts) => ts.some((t) => t.isDisposed));
  try {
    model.getWeights();
    return false;
  } catch {
    return true;
  }
}

/** The widget and every widget its children lists hold, depth first. */
function descendants(root: Widget): Widget[] {
  const out: Widget[] = [root];
  for (let i = 0; i < out.length; i++) {
    const children = (out[i] as unknown as { children?: unknown }).children;
    if (Array.isArray(children)) for (const c of children) if (c instanceof Widget && !out.includes(c)) out.push(c);
  }
  return out;
}
