/** Layout: CSS properties of a widget's box (ipywidgets' LayoutModel); every value a CSS string or null. */
import { BASE_MODULE, widgetClass } from "./widget";

export interface LayoutState {
  align_content: string | null;
  align_items: string | null;
  align_self: string | null;
  border_bottom: string | null;
  border_left: string | null;
  border_right: string | null;
  border_top: string | null;
  bottom: string | null;
  display: string | null;
  flex: string | null;
  flex_flow: string | null;
  grid_area: string | null;
  grid_auto_columns: string | null;
  grid_auto_flow: string | null;
  grid_auto_rows: string | null;
  grid_column: string | null;
  grid_gap: string | null;
  grid_row: string | null;
  grid_template_areas: string | null;
  grid_template_columns: string | null;
  grid_template_rows: string | null;
  height: string | null;
  justify_content: string | null;
  justify_items: string | null;
  left: string | null;
  margin: string | null;
  max_height: string | null;
  max_width: string | null;
  min_height: string | null;
  min_width: string | null;
  object_fit: string | null;
  object_position: string | null;
  order: string | null;
  overflow: string | null;
  padding: string | null;
  right: string | null;
  top: string | null;
  visibility: string | null;
  width: string | null;
}

const layoutDefaults: LayoutState = {
  align_content: null,
  align_items: null,
  align_self: null,
  border_bottom: null,
  border_left: null,
  border_right: null,
  border_top: null,
  bottom: null,
  display: null,
  flex: null,
  flex_flow: null,
  grid_area: null,
  grid_auto_columns: null,
  grid_auto_flow: null,
  grid_auto_rows: null,
  grid_column: null,
  grid_gap: null,
  grid_row: null,
  grid_template_areas: null,
  grid_template_columns: null,
  grid_template_rows: null,
  height: null,
  justify_content: null,
  justify_items: null,
  left: null,
  margin: null,
  max_height: null,
  max_width: null,
  min_height: null,
  min_width: null,
  object_fit: null,
  object_position: null,
  order: null,
  overflow: null,
  padding: null,
  right: null,
  top: null,
  visibility: null,
  width: null,
};

export class Layout extends widgetClass<LayoutState>(
  { model: "LayoutModel", module: BASE_MODULE, view: "LayoutView" },
  layoutDefaults,
) {
  protected override coerce(key: string, value: unknown): unknown {
    if (value !== null && typeof value !== "string") return super.coerce(key, String(value));
    return value;
  }
}
