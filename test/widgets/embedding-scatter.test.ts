import { strict as assert } from "node:assert";
import * as dv from "../../src";
import * as widgets from "../../widgets/src";
import { FakeCommManager, installFake, tick, uninstallFake } from "./fake-comm-manager";

describe("widgets: an embedding in the scatter view", () => {
  let fe: FakeCommManager;
  beforeEach(() => {
    fe = installFake();
  });
  afterEach(() => uninstallFake());

  it("sends the points, labels as indices into label_names, and the thumbnails as buffers", async () => {
    // 6 points in 3-D, two clear groups; PCA to 2-D, thumbnails of 2×2 grey images
    const rows = [
      [0, 0, 0],
      [0.1, 0, 0],
      [0, 0.1, 0],
      [5, 5, 5],
      [5.1, 5, 5],
      [5, 5.1, 5],
    ];
    const images = rows.map((r, i) => Array.from({ length: 4 }, () => i / 5));
    const tfjs = await import("@tensorflow/tfjs");
    const imgs = tfjs.tensor(images.flat(), [6, 2, 2, 1]);
    const e = await dv.embed(tfjs.tensor2d(rows), { method: "pca", labels: ["a", "a", "a", "b", "b", "b"], images: imgs });
    imgs.dispose();
    const s = widgets.embeddingScatter(e);
    await tick();
    const open = fe.sent.find((m) => m.kind === "open" && m.commId === s.modelId)!;
    const st = open.data.state;
    assert.equal(st._view_name, "ScatterView");
    assert.deepEqual(st.label_names, ["a", "b"]);
    const paths = open.data.buffer_paths.map((p: string[]) => p.join("."));
    const buf = (name: string) => open.buffers[paths.indexOf(name)];
    assert.deepEqual(
      [
        ...new Float32Array(
          buf("points").buffer.slice(buf("points").byteOffset, buf("points").byteOffset + buf("points").byteLength),
        ),
      ].map((v) => +v.toFixed(5)),
      [...e.coords].map((v) => +v.toFixed(5)),
    );
    assert.deepEqual(
      [
        ...new Int32Array(
          buf("labels").buffer.slice(buf("labels").byteOffset, buf("labels").byteOffset + buf("labels").byteLength),
        ),
      ],
      [0, 0, 0, 1, 1, 1],
    );
    assert.equal(buf("thumbnails").byteLength, 6 * st.thumb_width * st.thumb_height * 4);
    assert.equal(st.thumb_channels, 4);
    // a lasso selection in the page comes back as selected
    fe.receive(s.modelId, { method: "update", state: { selected: [3, 4] }, buffer_paths: [] });
    assert.deepEqual(s.selected, [3, 4]);
  });

  it("refuses a 3-D embedding with a clear message", async () => {
    const tfjs = await import("@tensorflow/tfjs");
    const e = await dv.embed(tfjs.randomUniform([8, 4], 0, 1, "float32", 1) as import("@tensorflow/tfjs").Tensor2D, {
      method: "pca",
      dims: 3,
    });
    assert.throws(() => widgets.embeddingScatter(e), /draws 2-D embeddings; this one has 3 dims/);
  });
});
