/**
 * A small executed notebook built by hand the way a kernel records one: Markdown, a stream, a real PNG,
 * an error-free result, and a slider + image widget with its saved state (widget protocol 2.1, ipywidgets 8
 * model names), so the site can be tested without running a kernel.
 */
import { createCanvas } from "@napi-rs/canvas";
import { Notebook, WIDGET_STATE_MIME, WIDGET_VIEW_MIME } from "../../scripts/site/notebook";

/** A 32×16 PNG: left half pure red, right half pure blue. */
export function twoColourPng(): Buffer {
  const c = createCanvas(32, 16);
  const g = c.getContext("2d");
  g.fillStyle = "#ff0000";
  g.fillRect(0, 0, 16, 16);
  g.fillStyle = "#0000ff";
  g.fillRect(16, 0, 16, 16);
  return c.toBuffer("image/png");
}

function layout(): { model_name: string; model_module: string; model_module_version: string; state: Record<string, unknown> } {
  return {
    model_name: "LayoutModel",
    model_module: "@jupyter-widgets/base",
    model_module_version: "2.0.0",
    state: {
      _model_name: "LayoutModel",
      _view_name: "LayoutView",
      _model_module: "@jupyter-widgets/base",
      _model_module_version: "2.0.0",
      _view_module: "@jupyter-widgets/base",
      _view_module_version: "2.0.0",
    },
  };
}

function controlState(model: string, view: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    _model_name: model,
    _view_name: view,
    _model_module: "@jupyter-widgets/controls",
    _model_module_version: "2.0.0",
    _view_module: "@jupyter-widgets/controls",
    _view_module_version: "2.0.0",
    ...extra,
  };
}

export function fixtureNotebook(title = "Fixture lesson"): Notebook {
  const png = twoColourPng().toString("base64");
  const ids = { sliderLayout: "l1", sliderStyle: "s1", slider: "w1", imageLayout: "l2", image: "w2", box: "w3", boxLayout: "l3" };
  const state: Record<
    string,
    { model_name: string; model_module: string; model_module_version: string; state: Record<string, unknown> }
  > = {
    [ids.sliderLayout]: layout(),
    [ids.imageLayout]: layout(),
    [ids.boxLayout]: layout(),
    [ids.sliderStyle]: {
      model_name: "SliderStyleModel",
      model_module: "@jupyter-widgets/controls",
      model_module_version: "2.0.0",
      state: controlState("SliderStyleModel", "StyleView", {
        _view_module: "@jupyter-widgets/base",
        _view_module_version: "2.0.0",
        description_width: "",
        handle_color: null,
      }),
    },
    [ids.slider]: {
      model_name: "IntSliderModel",
      model_module: "@jupyter-widgets/controls",
      model_module_version: "2.0.0",
      state: controlState("IntSliderModel", "IntSliderView", {
        value: 3,
        min: 0,
        max: 7,
        step: 1,
        description: "channel",
        orientation: "horizontal",
        readout: true,
        readout_format: "d",
        continuous_update: true,
        layout: `IPY_MODEL_${ids.sliderLayout}`,
        style: `IPY_MODEL_${ids.sliderStyle}`,
      }),
    },
    // Image bytes travel as a base64 buffer in saved state, exactly as nbclient writes them.
    [ids.image]: {
      model_name: "ImageModel",
      model_module: "@jupyter-widgets/controls",
      model_module_version: "2.0.0",
      state: controlState("ImageModel", "ImageView", {
        format: "png",
        width: "64",
        height: "",
        layout: `IPY_MODEL_${ids.imageLayout}`,
      }),
    },
    [ids.box]: {
      model_name: "VBoxModel",
      model_module: "@jupyter-widgets/controls",
      model_module_version: "2.0.0",
      state: controlState("VBoxModel", "VBoxView", {
        children: [`IPY_MODEL_${ids.slider}`, `IPY_MODEL_${ids.image}`],
        layout: `IPY_MODEL_${ids.boxLayout}`,
      }),
    },
  };
  const widgetState = { version_major: 2, version_minor: 0, state } as NonNullable<
    Notebook["metadata"]["widgets"]
  >[typeof WIDGET_STATE_MIME] & { state: Record<string, unknown> };
  // buffers: saved state stores binary values as {path, data (base64), encoding}
  (state[ids.image] as unknown as { buffers: unknown[] }).buffers = [{ path: ["value"], data: png, encoding: "base64" }];
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deepviz", display_name: "TypeScript (DeepViz)", language: "typescript" },
      widgets: { [WIDGET_STATE_MIME]: widgetState },
    },
    cells: [
      {
        cell_type: "markdown",
        source: [`# ${title}\n`, "\n", "A lesson that shows **one picture** and <one widget>.\n"],
        metadata: {},
      },
      {
        cell_type: "code",
        execution_count: 1,
        source: "console.log('hello')",
        metadata: {},
        outputs: [{ output_type: "stream", name: "stdout", text: "hello\n" }],
      },
      {
        cell_type: "code",
        execution_count: 2,
        source: "picture",
        metadata: {},
        outputs: [{ output_type: "display_data", data: { "image/png": png, "text/plain": "<picture>" }, metadata: {} }],
      },
      {
        cell_type: "code",
        execution_count: 3,
        source: "1 + 1",
        metadata: {},
        outputs: [{ output_type: "execute_result", execution_count: 3, data: { "text/plain": "2" }, metadata: {} }],
      },
      {
        cell_type: "code",
        execution_count: 5,
        source: "plot",
        metadata: {},
        outputs: [
          {
            output_type: "display_data",
            data: {
              "application/vnd.plotly.v1+json": {
                data: [{ type: "bar", x: ["a", "b"], y: [3, 4] }],
                layout: { title: { text: "two bars" } },
              },
              "text/plain": "Plot",
            },
            metadata: {},
          },
        ],
      },
      {
        cell_type: "code",
        execution_count: 4,
        source: "box",
        metadata: {},
        outputs: [
          {
            output_type: "display_data",
            data: { [WIDGET_VIEW_MIME]: { version_major: 2, version_minor: 0, model_id: ids.box }, "text/plain": "VBox(...)" },
            metadata: {},
          },
        ],
      },
    ],
  };
}
