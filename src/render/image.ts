import { ImageLike, toImage } from "./arrays";
import { Picture } from "./picture";
import { original } from "./views";

/** An image tensor ([H, W], [H, W, 1|3|4] or a batch of one; values in [0, 1] or 0–255) as a picture. */
export function image(x: ImageLike, title = ""): Picture {
  return new Picture(original(toImage(x)), title);
}
