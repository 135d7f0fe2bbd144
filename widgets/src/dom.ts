/** Attributes every visible widget shares (ipywidgets' DOMWidget and DescriptionWidget). */
import { Layout } from "./layout";
import { newInstance, Widget } from "./widget";

export function domDefaults() {
  return {
    _dom_classes: [] as string[],
    tabbable: null as boolean | null,
    tooltip: null as string | null,
    layout: newInstance(Layout),
  };
}

export function describedDefaults<St extends Widget>(style: new (options?: any) => St) {
  return {
    ...domDefaults(),
    description: "",
    description_allow_html: false,
    style: newInstance(style),
  };
}
