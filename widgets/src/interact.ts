/**
 * interact: controls for the arguments of a function, which runs again whenever one changes and shows
 * its result below them. Abbreviations as in ipywidgets: `[min, max]` or `[min, max, step]` → slider
 * (IntSlider when all are integers), a number → slider around it, a boolean → Checkbox, a string → Text,
 * any other array → Dropdown, a widget → itself, `fixed(v)` → passed through without a control.
 */
import { inspect } from "node:util";
import { getCommManager } from "../../kernel-ext/src/comm-api";
import { DeepVizError } from "../../src/errors";
import { latestWins } from "./coalesce";
import { Checkbox, FloatSlider, IntSlider, Text, VBox } from "./controls";
import { Output } from "./output";
import { Dropdown } from "./selection";
import { JUPYTER_DISPLAY, Widget } from "./widget";

class Fixed<T> {
  constructor(readonly value: T) {}
}
/** An argument that gets no control. */
export function fixed<T>(value: T): Fixed<T> {
  return new Fixed(value);
}

type ValueOf<C> =
  C extends Fixed<infer T>
    ? T
    : C extends { value: infer T }
      ? T
      : C extends readonly [number, number, ...number[]]
        ? number
        : C extends number
          ? number
          : C extends boolean
            ? boolean
            : C extends string
              ? string
              : C extends ReadonlyArray<infer T>
                ? T extends readonly [string, infer V]
                  ? V
                  : T
                : unknown;

export type InteractValues<C> = { [K in keyof C]: ValueOf<C[K]> };

/** The control an abbreviation stands for, labelled `name`. */
export function widgetFor(name: string, spec: unknown): Widget | Fixed<unknown> {
  if (spec instanceof Fixed || spec instanceof Widget) return spec;
  const description = name;
  if (typeof spec === "boolean") return new Checkbox({ value: spec, description });
  if (typeof spec === "string") return new Text({ value: spec, description });
  if (typeof spec === "number") {
    const [min, max] = spec > 0 ? [-spec, 3 * spec] : spec < 0 ? [3 * spec, -spec] : [0, 1];
    return Number.isInteger(spec)
      ? new IntSlider({ value: spec, min, max, description })
      : new FloatSlider({ value: spec, min, max, step: (max - min) / 100, description });
  }
  if (Array.isArray(spec)) {
    const numeric = (spec.length === 2 || spec.length === 3) && spec.every((x) => typeof x === "number");
    if (numeric) {
      const [min, max, step] = spec as number[];
      if (!(min < max))
        throw new DeepVizError(`interact: range for "${name}" must be [min, max(, step)] with min < max, got ${inspect(spec)}`);
      const mid = min + (max - min) / 2;
      if (spec.every((x) => Number.isInteger(x))) {
        return new IntSlider({ min, max, step: step ?? 1, value: Math.round(mid), description });
      }
      return new FloatSlider({ min, max, step: step ?? (max - min) / 100, value: mid, description });
    }
    if (spec.length === 0) throw new DeepVizError(`interact: "${name}" got an empty list; give at least one option`);
    return new Dropdown({ options: spec, description });
  }
  throw new DeepVizError(
    `interact: cannot make a control for "${name}" from ${inspect(spec)}; use [min, max], a number, boolean, string, list, widget or fixed(value)`,
  );
}

/** The box interact returns: its controls, its output area and the latest result. */
export class Interactive<C extends Record<string, unknown>> extends VBox {
  readonly controls: Record<string, Widget>;
  readonly output = new Output();
  result: unknown = undefined;
  /** Run the function now with the current values (coalesced with other pending runs). */
  readonly update: () => Promise<void>;
  /** Set by interact(), which shows the box itself: as a cell's last value it then shows no second copy. */
  shownAlready = false;

  constructor(fn: (values: InteractValues<C>) => unknown, specs: C) {
    super();
    const parts = Object.entries(specs).map(([name, spec]) => [name, widgetFor(name, spec)] as const);
    this.controls = Object.fromEntries(parts.filter(([, w]) => w instanceof Widget)) as Record<string, Widget>;
    const values = () =>
      Object.fromEntries(parts.map(([name, w]) => [name, w instanceof Fixed ? w.value : (w as any).value])) as InteractValues<C>;
    const run = latestWins(
      async () => {
        const result = await fn(values());
        this.result = result;
        this.output.holdSync(() => {
          this.output.clear();
          if (result !== undefined) this.output.append(result);
        });
      },
      (err) => {
        this.output.clear();
        this.output.appendError(err);
      },
    );
    this.update = () => run();
    for (const w of Object.values(this.controls)) w.observe(() => void run(), "value");
    this.children = [...Object.values(this.controls), this.output];
    void run();
  }

  override [JUPYTER_DISPLAY](): Record<string, unknown> {
    return this.shownAlready
      ? { "text/plain": `interact(${Object.keys(this.controls).join(", ")}) shown above` }
      : super[JUPYTER_DISPLAY]();
  }
}

/** Build the controls, run `fn` once and on every change, and show it all (when a kernel is there). */
export function interact<C extends Record<string, unknown>>(
  fn: (values: InteractValues<C>) => unknown,
  controls: C,
): Interactive<C> {
  const box = new Interactive(fn, controls);
  if (getCommManager()) {
    box.show();
    box.shownAlready = true;
  }
  return box;
}

/** Like interact, without showing it. */
export function interactive<C extends Record<string, unknown>>(
  fn: (values: InteractValues<C>) => unknown,
  controls: C,
): Interactive<C> {
  return new Interactive(fn, controls);
}
