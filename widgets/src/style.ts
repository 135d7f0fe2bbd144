/** Style models: the per-control look (colors, widths) that ipywidgets keeps apart from Layout. */
import { BASE_MODULE, CONTROLS_MODULE, widgetClass } from "./widget";

const styleSpec = (model: string) => ({
  model,
  module: CONTROLS_MODULE,
  view: "StyleView",
  viewModule: BASE_MODULE,
});

type Css = string | null;

export class DescriptionStyle extends widgetClass(styleSpec("DescriptionStyleModel"), { description_width: "" }) {}

export class SliderStyle extends widgetClass(styleSpec("SliderStyleModel"), {
  description_width: "",
  handle_color: null as Css,
}) {}

export class ProgressStyle extends widgetClass(styleSpec("ProgressStyleModel"), {
  description_width: "",
  bar_color: null as Css,
}) {}

export class ButtonStyle extends widgetClass(styleSpec("ButtonStyleModel"), {
  button_color: null as Css,
  font_family: null as Css,
  font_size: null as Css,
  font_style: null as Css,
  font_variant: null as Css,
  font_weight: null as Css,
  text_color: null as Css,
  text_decoration: null as Css,
}) {}

export class CheckboxStyle extends widgetClass(styleSpec("CheckboxStyleModel"), {
  description_width: "",
  background: null as Css,
}) {}

export class ToggleButtonsStyle extends widgetClass(styleSpec("ToggleButtonsStyleModel"), {
  description_width: "",
  button_width: "",
  font_weight: "",
}) {}

export class TextStyle extends widgetClass(styleSpec("TextStyleModel"), {
  description_width: "",
  background: null as Css,
  font_size: null as Css,
  text_color: null as Css,
}) {}

export class LabelStyle extends widgetClass(styleSpec("LabelStyleModel"), {
  description_width: "",
  background: null as Css,
  font_family: null as Css,
  font_size: null as Css,
  font_style: null as Css,
  font_variant: null as Css,
  font_weight: null as Css,
  text_color: null as Css,
  text_decoration: null as Css,
}) {}

export class HTMLStyle extends widgetClass(styleSpec("HTMLStyleModel"), {
  description_width: "",
  background: null as Css,
  font_size: null as Css,
  text_color: null as Css,
}) {}
