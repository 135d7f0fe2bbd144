/**
 * A progress bar for slow recomputation: it appears only when work takes longer than `delayMs`
 * (fast updates do not flicker) and hides when the work is done.
 */
import { IntProgress } from "../controls";

export class Busy {
  readonly bar = new IntProgress({
    description: "computing",
    bar_style: "info",
    value: 0,
    layout: { visibility: "hidden", width: "260px" },
  });
  private depth = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly delayMs = 150) {}

  /** Run `work`; `step(fraction)` moves the bar when the work knows how far it is. */
  async run<T>(work: (step: (fraction: number) => void) => Promise<T>): Promise<T> {
    if (this.depth++ === 0) {
      this.bar.value = 0;
      this.timer = setTimeout(() => {
        this.bar.value = Math.max(this.bar.value, 10);
        this.bar.layout.visibility = "visible";
      }, this.delayMs);
    }
    try {
      return await work((f) => (this.bar.value = Math.round(Math.min(1, Math.max(0, f)) * 100)));
    } finally {
      if (--this.depth === 0) {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.bar.value = 100;
        this.bar.layout.visibility = "hidden";
      }
    }
  }

  get visible(): boolean {
    return this.bar.layout.visibility === "visible";
  }
}
