/**
 * Dropdown and ToggleButtons. The front end only knows the option labels and the selected index; the
 * kernel keeps the values (any type) and offers `options`, `value` and `label` as plain properties whose
 * observers fire with `index`.
 */
import { inspect } from "node:util";
import { DeepVizError } from "../../src/errors";
import { describedDefaults } from "./dom";
import { DescriptionStyle, ToggleButtonsStyle } from "./style";
import { CONTROLS_MODULE, defineSynced, ModelSpec, Widget, WidgetOptions } from "./widget";

/** An option is a value shown as its string, or a `[label, value]` pair. */
export type OptionSpec<V> = V | readonly [string, V];

export type SelectionOptions<V, S> = WidgetOptions<Omit<S, "_options_labels">> & {
  options?: ReadonlyArray<OptionSpec<V>>;
  value?: V;
  label?: string;
};

abstract class Selection<V, S extends { _options_labels: string[]; index: number | null }> extends Widget<S> {
  private pairs: Array<[string, V]> = [];

  constructor(spec: ModelSpec, defaults: S, options: SelectionOptions<V, S>) {
    const { options: opts, value, label, index, ...rest } = options as any;
    super(spec, defaults, rest);
    this.holdSync(() => {
      this.options = opts ?? [];
      if (index !== undefined) this.setKey("index", index);
      else if (label !== undefined) this.label = label;
      else if (value !== undefined) this.value = value;
    });
  }

  get options(): Array<[string, V]> {
    return this.pairs.slice();
  }

  /** New options keep the selected value when it is still offered, else select the first. */
  set options(options: ReadonlyArray<OptionSpec<V>>) {
    if (!Array.isArray(options))
      throw new DeepVizError(`${this.constructor.name}.options must be an array, got ${inspect(options)}`);
    const previous = this.get("index") === null ? undefined : this.value;
    this.pairs = options.map((o) =>
      Array.isArray(o) && o.length === 2 && typeof o[0] === "string" ? [o[0], o[1] as V] : [String(o), o as V],
    );
    const keep = this.pairs.findIndex(([, v]) => v === previous);
    this.holdSync(() => {
      this.setKey(
        "_options_labels",
        this.pairs.map(([l]) => l),
      );
      this.setKey("index", this.pairs.length === 0 ? null : keep >= 0 ? keep : 0);
    });
  }

  get value(): V | null {
    const i = this.get("index");
    return i === null || i === undefined ? null : (this.pairs[i]?.[1] ?? null);
  }

  set value(value: V | null) {
    if (value === null) {
      this.setKey("index", null);
      return;
    }
    const i = this.pairs.findIndex(([, v]) => v === value);
    if (i < 0)
      throw new DeepVizError(
        `${inspect(value)} is not one of the options of ${this.constructor.name}: ${this.pairs.map(([l]) => l).join(", ")}`,
      );
    this.setKey("index", i);
  }

  get label(): string | null {
    const i = this.get("index");
    return i === null || i === undefined ? null : (this.pairs[i]?.[0] ?? null);
  }

  set label(label: string | null) {
    if (label === null) {
      this.setKey("index", null);
      return;
    }
    const i = this.pairs.findIndex(([l]) => l === label);
    if (i < 0)
      throw new DeepVizError(`"${label}" is not a label of ${this.constructor.name}: ${this.pairs.map(([l]) => l).join(", ")}`);
    this.setKey("index", i);
  }

  protected override coerce(key: string, value: unknown): unknown {
    if (key === "index") {
      if (value === null) return null;
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value >= (this.pairs?.length ?? 0)) {
        throw new DeepVizError(
          `${this.constructor.name}.index must be null or an integer below ${this.pairs?.length ?? 0}, got ${inspect(value)}`,
        );
      }
      return value;
    }
    return super.coerce(key, value);
  }

  protected override notify(name: string, old: unknown, value: unknown, fromKernel: boolean): void {
    super.notify(name, old, value, fromKernel);
    if (name !== "index") return;
    const at = (i: unknown) => (typeof i === "number" ? this.pairs[i] : undefined);
    super.notify("value", at(old)?.[1] ?? null, at(value)?.[1] ?? null, fromKernel);
    super.notify("label", at(old)?.[0] ?? null, at(value)?.[0] ?? null, fromKernel);
  }
}

const dropdownDefaults = {
  ...describedDefaults(DescriptionStyle),
  _options_labels: [] as string[],
  index: null as number | null,
  disabled: false,
};
type DropdownState = typeof dropdownDefaults;

// The class's synced attributes (defineSynced below); the merged interface must repeat its type parameter.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export interface Dropdown<V> extends Omit<DropdownState, never> {}
/** Pick one value from a list: `new Dropdown({ options: ["a", "b"], value: "b" })`. */
export class Dropdown<V = any> extends Selection<V, DropdownState> {
  constructor(options: SelectionOptions<V, DropdownState> = {}) {
    super({ model: "DropdownModel", module: CONTROLS_MODULE, view: "DropdownView" }, dropdownDefaults, options);
  }
}
defineSynced(Dropdown, Object.keys(dropdownDefaults));

const toggleDefaults = {
  ...describedDefaults(ToggleButtonsStyle),
  _options_labels: [] as string[],
  index: null as number | null,
  disabled: false,
  button_style: "" as "primary" | "success" | "info" | "warning" | "danger" | "",
  icons: [] as string[],
  tooltips: [] as string[],
};
type ToggleState = typeof toggleDefaults;

// The class's synced attributes (defineSynced below); the merged interface must repeat its type parameter.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export interface ToggleButtons<V> extends Omit<ToggleState, never> {}
/** One button per option, one pressed. */
export class ToggleButtons<V = any> extends Selection<V, ToggleState> {
  constructor(options: SelectionOptions<V, ToggleState> = {}) {
    super({ model: "ToggleButtonsModel", module: CONTROLS_MODULE, view: "ToggleButtonsView" }, toggleDefaults, options);
  }
}
defineSynced(ToggleButtons, Object.keys(toggleDefaults));
