/** The standard ipywidgets 8 controls that need no more than their synced state. */
import { DeepVizError } from "../../src/errors";
import { describedDefaults, domDefaults } from "./dom";
import {
  ButtonStyle,
  CheckboxStyle,
  DescriptionStyle,
  HTMLStyle,
  LabelStyle,
  ProgressStyle,
  SliderStyle,
  TextStyle,
} from "./style";
import { CONTROLS_MODULE, newInstance, Widget, widgetClass, WidgetOptions } from "./widget";

const controls = (model: string, view: string | null) => ({ model, module: CONTROLS_MODULE, view });

type Orientation = "horizontal" | "vertical";
type Behavior = "drag-tap" | "drag-snap" | "tap" | "drag" | "snap";
type BarStyle = "success" | "info" | "warning" | "danger" | "";
type ButtonStyleName = "primary" | "success" | "info" | "warning" | "danger" | "";

/** min ≤ value ≤ max, integers where the model says so; a new min or max pulls value inside. */
function boundedCoerce(self: any, key: string, value: unknown, integer: boolean, checked: unknown): unknown {
  if (key !== "value" && key !== "min" && key !== "max" && key !== "step") return checked;
  let v = checked as number;
  if (integer) v = Math.round(v);
  if (key === "value") {
    const min = self.get("min") as number | undefined;
    const max = self.get("max") as number | undefined;
    if (min !== undefined && v < min) v = min;
    if (max !== undefined && v > max) v = max;
  }
  if (key === "min" && self.get("max") !== undefined && v > self.get("max")) {
    throw new DeepVizError(`${self.constructor.name}.min (${v}) must not exceed max (${self.get("max")})`);
  }
  if (key === "max" && self.get("min") !== undefined && v < self.get("min")) {
    throw new DeepVizError(`${self.constructor.name}.max (${v}) must not be below min (${self.get("min")})`);
  }
  return v;
}

function boundedSet(self: any, key: string): void {
  if (key !== "min" && key !== "max") return;
  const v = self.get("value") as number;
  if (v < self.get("min")) self.value = self.get("min");
  else if (v > self.get("max")) self.value = self.get("max");
}

const sliderDefaults = (integer: boolean) => ({
  ...describedDefaults(SliderStyle),
  min: 0,
  max: 100,
  step: integer ? 1 : 0.1,
  value: 0,
  orientation: "horizontal" as Orientation,
  readout: true,
  readout_format: integer ? "d" : ".2f",
  continuous_update: true,
  disabled: false,
  behavior: "drag-tap" as Behavior,
});

export class IntSlider extends widgetClass(controls("IntSliderModel", "IntSliderView"), sliderDefaults(true)) {
  protected override coerce(key: string, value: unknown): unknown {
    return boundedCoerce(this, key, value, true, super.coerce(key, value));
  }
  protected override setKey(key: string, value: unknown): void {
    super.setKey(key, value);
    boundedSet(this, key);
  }
}

export class FloatSlider extends widgetClass(controls("FloatSliderModel", "FloatSliderView"), sliderDefaults(false)) {
  protected override coerce(key: string, value: unknown): unknown {
    return boundedCoerce(this, key, value, false, super.coerce(key, value));
  }
  protected override setKey(key: string, value: unknown): void {
    super.setKey(key, value);
    boundedSet(this, key);
  }
}

export class IntProgress extends widgetClass(controls("IntProgressModel", "ProgressView"), {
  ...describedDefaults(ProgressStyle),
  min: 0,
  max: 100,
  value: 0,
  bar_style: "" as BarStyle,
  orientation: "horizontal" as Orientation,
}) {
  protected override coerce(key: string, value: unknown): unknown {
    return boundedCoerce(this, key, value, true, super.coerce(key, value));
  }
  protected override setKey(key: string, value: unknown): void {
    super.setKey(key, value);
    boundedSet(this, key);
  }
}

export class Play extends widgetClass(controls("PlayModel", "PlayView"), {
  ...describedDefaults(DescriptionStyle),
  min: 0,
  max: 100,
  step: 1,
  value: 0,
  interval: 100,
  playing: false,
  repeat: false,
  show_repeat: true,
  disabled: false,
}) {
  protected override coerce(key: string, value: unknown): unknown {
    return boundedCoerce(this, key, value, true, super.coerce(key, value));
  }
  protected override setKey(key: string, value: unknown): void {
    super.setKey(key, value);
    boundedSet(this, key);
  }
}

export class Checkbox extends widgetClass(controls("CheckboxModel", "CheckboxView"), {
  ...describedDefaults(CheckboxStyle),
  value: false,
  indent: true,
  disabled: false,
}) {}

export class Button extends widgetClass(controls("ButtonModel", "ButtonView"), {
  ...domDefaults(),
  description: "",
  button_style: "" as ButtonStyleName,
  icon: "",
  disabled: false,
  style: newInstance(ButtonStyle),
}) {
  /** Call `fn` on every click in the page (the front end sends a custom `{event: "click"}`). */
  onClick(fn: (button: Button) => void | Promise<void>): () => void {
    return this.onMsg((content) => {
      if (content?.event === "click") return fn(this);
    });
  }
}

export class Text extends widgetClass(controls("TextModel", "TextView"), {
  ...describedDefaults(TextStyle),
  value: "",
  placeholder: "\u200b",
  continuous_update: true,
  disabled: false,
}) {
  /** Call `fn` when the user presses Enter in the box. */
  onSubmit(fn: (text: Text) => void | Promise<void>): () => void {
    return this.onMsg((content) => {
      if (content?.event === "submit") return fn(this);
    });
  }
}

export class Label extends widgetClass(controls("LabelModel", "LabelView"), {
  ...describedDefaults(LabelStyle),
  value: "",
  placeholder: "\u200b",
}) {}

export class HTML extends widgetClass(controls("HTMLModel", "HTMLView"), {
  ...describedDefaults(HTMLStyle),
  value: "",
  placeholder: "\u200b",
}) {}

export class Image extends widgetClass(controls("ImageModel", "ImageView"), {
  ...domDefaults(),
  value: new Uint8Array(0) as Uint8Array,
  format: "png",
  width: "",
  height: "",
}) {
  protected override coerce(key: string, value: unknown): unknown {
    if (key === "value") {
      if (value instanceof Uint8Array) return value;
      if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      if (value instanceof ArrayBuffer) return new Uint8Array(value);
      throw new DeepVizError(`Image.value must be bytes (Uint8Array of a PNG/JPEG/GIF file), got ${typeof value}`);
    }
    if ((key === "width" || key === "height") && typeof value === "number") return String(value);
    return super.coerce(key, value);
  }
}

type BoxStyle = "success" | "info" | "warning" | "danger" | "";
const boxDefaults = () => ({
  ...domDefaults(),
  children: [] as Widget[],
  box_style: "" as BoxStyle,
});

type BoxOptions = WidgetOptions<ReturnType<typeof boxDefaults>>;
const boxOptions = (arg: Widget[] | BoxOptions | undefined): BoxOptions => (Array.isArray(arg) ? { children: arg } : (arg ?? {}));

/** Children side by side; `new HBox([a, b])` or `new HBox({ children: [a, b], layout })`. */
export class HBox extends widgetClass(controls("HBoxModel", "HBoxView"), boxDefaults()) {
  constructor(children?: Widget[] | BoxOptions) {
    super(boxOptions(children));
  }
}

/** Children stacked; `new VBox([a, b])` or `new VBox({ children: [a, b], layout })`. */
export class VBox extends widgetClass(controls("VBoxModel", "VBoxView"), boxDefaults()) {
  constructor(children?: Widget[] | BoxOptions) {
    super(boxOptions(children));
  }
}
