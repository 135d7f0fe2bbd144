/**
 * Keep two attributes equal. `link`/`dlink` do it in the kernel (every change is a round trip);
 * `jslink`/`jsdlink` create a link model that the browser runs by itself.
 */
import { DeepVizError } from "../../src/errors";
import { CONTROLS_MODULE, Widget, widgetClass } from "./widget";

export type Endpoint = readonly [Widget, string];

function check([widget, name]: Endpoint, role: string): void {
  if (!(widget instanceof Widget)) throw new DeepVizError(`link ${role} must be [widget, "attribute"]`);
  if (!widget.keys.includes(name) && !(name in widget)) {
    throw new DeepVizError(`${widget.constructor.name} has no attribute "${name}" to link; it has: ${widget.keys.join(", ")}`);
  }
}

export interface KernelLink {
  unlink(): void;
}

/** One-way: target follows source (through `transform`, if given). */
export function dlink(source: Endpoint, target: Endpoint, transform: (v: any) => unknown = (v) => v): KernelLink {
  check(source, "source");
  check(target, "target");
  const [sw, sn] = source;
  const [tw, tn] = target;
  (tw as any)[tn] = transform((sw as any)[sn]);
  const stop = sw.observe((c) => {
    (tw as any)[tn] = transform(c.new);
  }, sn);
  return { unlink: stop };
}

/** Two-way: a change on either side sets the other; the target starts at the source's value. */
export function link(source: Endpoint, target: Endpoint): KernelLink {
  check(source, "source");
  check(target, "target");
  const [sw, sn] = source;
  const [tw, tn] = target;
  let busy = false;
  const guard = (fn: () => void) => {
    if (busy) return;
    busy = true;
    try {
      fn();
    } finally {
      busy = false;
    }
  };
  guard(() => ((tw as any)[tn] = (sw as any)[sn]));
  const stopA = sw.observe((c) => guard(() => ((tw as any)[tn] = c.new)), sn);
  const stopB = tw.observe((c) => guard(() => ((sw as any)[sn] = c.new)), tn);
  return {
    unlink() {
      stopA();
      stopB();
    },
  };
}

const linkDefaults = { source: [] as unknown[], target: [] as unknown[] };

/** A browser-side two-way link (ipywidgets' LinkModel). `close()` or `unlink()` removes it. */
export class Link extends widgetClass({ model: "LinkModel", module: CONTROLS_MODULE, view: null }, linkDefaults) {
  unlink(): void {
    this.close();
  }
}

/** A browser-side one-way link (ipywidgets' DirectionalLinkModel). */
export class DirectionalLink extends widgetClass(
  { model: "DirectionalLinkModel", module: CONTROLS_MODULE, view: null },
  linkDefaults,
) {
  unlink(): void {
    this.close();
  }
}

export function jslink(source: Endpoint, target: Endpoint): Link {
  check(source, "source");
  check(target, "target");
  return new Link({ source: [...source], target: [...target] });
}

export function jsdlink(source: Endpoint, target: Endpoint): DirectionalLink {
  check(source, "source");
  check(target, "target");
  return new DirectionalLink({ source: [...source], target: [...target] });
}
