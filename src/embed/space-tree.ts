/**
 * A quadtree (2-D) or octree (3-D) over the embedding, rebuilt every iteration, that lets t-SNE sum the
 * repulsion of a far group of points as one body at its centre of mass (Barnes–Hut). Nodes live in flat
 * typed arrays; a node's children are `children` consecutive nodes starting at `firstChild`.
 */
const MAX_DEPTH = 48;

export class SpaceTree {
  readonly dims: number;
  readonly children: number;
  size = 0;
  private capacity = 0;
  center: Float64Array = new Float64Array(0);
  half: Float64Array = new Float64Array(0);
  comSum: Float64Array = new Float64Array(0);
  count: Int32Array = new Int32Array(0);
  firstChild: Int32Array = new Int32Array(0);
  point: Int32Array = new Int32Array(0);
  depth: Int32Array = new Int32Array(0);
  /**
   * 2-D trees: per node, its centre of mass (x, y), squared width and count side by side, the four
   * numbers a walk reads at every node (one cache line instead of four).
   */
  cells: Float64Array = new Float64Array(0);
  /** The leaf holding each point (coincident points share one). */
  leafOf: Int32Array = new Int32Array(0);
  /**
   * The points in Morton (Z-curve) order of the last build: walking them in this order, neighbours in
   * turn touch the same nodes, which keeps them in cache (about 30 % faster at 20,000 points).
   */
  order: Int32Array = new Int32Array(0);
  private mortonKeys: Float64Array;
  private stack = new Int32Array(1024);

  /** `shared`: keep the arrays in SharedArrayBuffers, so that worker threads can walk the tree too. */
  constructor(
    dims: number,
    n: number,
    private readonly shared = false,
  ) {
    this.dims = dims;
    this.children = 1 << dims;
    this.grow(Math.max(16, 2 * n));
    this.leafOf = new Int32Array(shared ? new SharedArrayBuffer(4 * n) : new ArrayBuffer(4 * n));
    this.order = new Int32Array(shared ? new SharedArrayBuffer(4 * n) : new ArrayBuffer(4 * n));
    this.mortonKeys = new Float64Array(n);
  }

  private grow(capacity: number): void {
    const d = this.dims;
    const copy = <T extends Float64Array | Int32Array>(old: T, make: (len: number) => T, per: number): T => {
      const a = make(capacity * per);
      a.set(old.subarray(0, this.size * per));
      return a;
    };
    const bytes = (n: number) => (this.shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
    const f = (len: number) => new Float64Array(bytes(8 * len));
    const i = (len: number) => new Int32Array(bytes(4 * len));
    this.center = copy(this.center, f, d);
    this.half = copy(this.half, f, 1);
    this.comSum = copy(this.comSum, f, d);
    this.count = copy(this.count, i, 1);
    this.firstChild = copy(this.firstChild, i, 1);
    this.point = copy(this.point, i, 1);
    this.depth = copy(this.depth, i, 1);
    if (d === 2) this.cells = f(4 * capacity); // filled afresh by every build
    this.capacity = capacity;
  }

  private addNode(centerOf: Float64Array, at: number, half: number, depth: number): number {
    if (this.size === this.capacity) this.grow(this.capacity * 2);
    const id = this.size++;
    const d = this.dims;
    for (let t = 0; t < d; t++) {
      this.center[id * d + t] = centerOf[at + t];
      this.comSum[id * d + t] = 0;
    }
    this.half[id] = half;
    this.count[id] = 0;
    this.firstChild[id] = -1;
    this.point[id] = -1;
    this.depth[id] = depth;
    return id;
  }

  /** Builds the tree over y (n*dims, row-major). */
  build(y: Float64Array, n: number): void {
    const d = this.dims;
    this.size = 0;
    const lo = new Float64Array(d).fill(Infinity);
    const hi = new Float64Array(d).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < d; t++) {
        const v = y[i * d + t];
        if (v < lo[t]) lo[t] = v;
        if (v > hi[t]) hi[t] = v;
      }
    }
    const mid = new Float64Array(d);
    let half = 0;
    for (let t = 0; t < d; t++) {
      mid[t] = (lo[t] + hi[t]) / 2;
      half = Math.max(half, (hi[t] - lo[t]) / 2);
    }
    half = half * (1 + 1e-6) + 1e-12;
    this.addNode(mid, 0, half, 0);
    // Inserted in Morton order, consecutive points share most of their path (it stays in cache) and
    // nodes are numbered along the curve, which the walks in that order then read close together.
    this.sortMorton(y, n, lo, hi);
    for (let k = 0; k < n; k++) this.insert(y, this.order[k]);
    // Counts and sums of positions up the tree (children come after their parent), then centres of mass.
    for (let node = this.size - 1; node >= 0; node--) {
      const first = this.firstChild[node];
      if (first !== -1) {
        let c = 0;
        for (let t = 0; t < d; t++) this.comSum[node * d + t] = 0;
        for (let k = first; k < first + this.children; k++) {
          c += this.count[k];
          for (let t = 0; t < d; t++) this.comSum[node * d + t] += this.comSum[k * d + t];
        }
        this.count[node] = c;
      }
    }
    for (let node = 0; node < this.size; node++) {
      const c = this.count[node];
      if (c > 0) for (let t = 0; t < d; t++) this.comSum[node * d + t] /= c;
    }
    if (d === 2) {
      const cells = this.cells;
      for (let node = 0; node < this.size; node++) {
        const width = 2 * this.half[node];
        cells[4 * node] = this.comSum[2 * node];
        cells[4 * node + 1] = this.comSum[2 * node + 1];
        cells[4 * node + 2] = width * width;
        cells[4 * node + 3] = this.count[node];
      }
    }
    // A group of coincident points that moved down as its leaf split still names the old leaf.
    for (let i = 0; i < n; i++) {
      let node = this.leafOf[i];
      while (this.firstChild[node] !== -1) node = this.childFor(node, y, i);
      this.leafOf[i] = node;
    }
  }

  /** Fills `order`: points sorted by their interleaved quantized coordinates (ties by index). */
  private sortMorton(y: Float64Array, n: number, lo: Float64Array, hi: Float64Array): void {
    const d = this.dims;
    // key · n + i must stay an exact double (below 2^53)
    const bits = Math.min(16, Math.floor((53 - Math.ceil(Math.log2(n + 1))) / d));
    const keys = this.mortonKeys;
    const q = new Int32Array(d);
    if (d === 2) {
      // the loop below's key, its bits interleaved in parallel (x's bit above y's at each level)
      const sx = ((1 << bits) - 1) / (hi[0] - lo[0] || 1);
      const sy = ((1 << bits) - 1) / (hi[1] - lo[1] || 1);
      for (let i = 0; i < n; i++) {
        const key = 2 * spreadBits(Math.floor((y[2 * i] - lo[0]) * sx)) + spreadBits(Math.floor((y[2 * i + 1] - lo[1]) * sy));
        keys[i] = key * n + i;
      }
    } else {
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < d; t++) q[t] = Math.floor(((y[i * d + t] - lo[t]) / (hi[t] - lo[t] || 1)) * ((1 << bits) - 1));
        let key = 0;
        for (let b = bits - 1; b >= 0; b--) for (let t = 0; t < d; t++) key = key * 2 + ((q[t] >> b) & 1);
        keys[i] = key * n + i;
      }
    }
    keys.subarray(0, n).sort();
    for (let k = 0; k < n; k++) this.order[k] = keys[k] % n;
  }

  private childFor(node: number, y: Float64Array, i: number): number {
    const d = this.dims;
    let which = 0;
    for (let t = 0; t < d; t++) if (y[i * d + t] >= this.center[node * d + t]) which |= 1 << t;
    return this.firstChild[node] + which;
  }

  private subdivide(node: number): void {
    const d = this.dims;
    const h = this.half[node] / 2;
    const c = new Float64Array(d);
    const first = this.size;
    for (let which = 0; which < this.children; which++) {
      for (let t = 0; t < d; t++) c[t] = this.center[node * d + t] + ((which >> t) & 1 ? h : -h);
      this.addNode(c, 0, h, this.depth[node] + 1);
    }
    this.firstChild[node] = first;
  }

  /** Puts point i in its leaf, adding it to the leaf's count and sum only (build() sums the parents). */
  private insert(y: Float64Array, i: number): void {
    const d = this.dims;
    let node = 0;
    while (this.firstChild[node] !== -1) node = this.childFor(node, y, i);
    for (;;) {
      if (this.count[node] === 0) {
        this.count[node] = 1;
        for (let t = 0; t < d; t++) this.comSum[node * d + t] = y[i * d + t];
        this.point[node] = i;
        this.leafOf[i] = node;
        return;
      }
      // An occupied leaf: keep coincident points (or ones too deep to split) together, else split.
      const old = this.point[node];
      let same = true;
      for (let t = 0; t < d; t++) if (y[old * d + t] !== y[i * d + t]) same = false;
      if (same || this.depth[node] >= MAX_DEPTH) {
        this.count[node]++;
        for (let t = 0; t < d; t++) this.comSum[node * d + t] += y[i * d + t];
        this.leafOf[i] = node;
        return;
      }
      const oldCount = this.count[node];
      this.subdivide(node);
      this.point[node] = -1;
      const child = this.childFor(node, y, old);
      this.count[child] = oldCount;
      this.point[child] = old;
      this.leafOf[old] = child;
      for (let t = 0; t < d; t++) this.comSum[child * d + t] = this.comSum[node * d + t];
      node = this.childFor(node, y, i);
    }
  }

  /** The same walk as repulsion(), unrolled for 2-D layouts (the common case, and the hot loop of t-SNE). */
  repulsion2(y: Float64Array, i: number, theta2: number, force: Float64Array): number {
    return repulsion2D(this.cells, this.firstChild, this.leafOf, this.stack, y, i, theta2, force);
  }

  /**
   * Repulsion on point i: adds Σ_j w_ij² (y_i − y_j) into force[0..dims) and returns Σ_j w_ij, with
   * w = 1/(1+|y_i−y_j|²), treating a cell as one body when its width / distance < theta.
   * The stack never outgrows its buffer: depth ≤ MAX_DEPTH and each level leaves at most children−1 behind.
   */
  repulsion(y: Float64Array, i: number, theta2: number, force: Float64Array): number {
    const d = this.dims;
    const stack = this.stack;
    const com = this.comSum; // holds centres of mass once build() has finished
    let top = 0;
    stack[top++] = 0;
    let z = 0;
    const yi = i * d;
    const own = this.leafOf[i];
    while (top > 0) {
      const node = stack[--top];
      const c = this.count[node];
      if (c === 0) continue;
      const leaf = this.firstChild[node] === -1;
      if (node === own) {
        z += c - 1; // i's own leaf: its coincident twins sit at distance 0, weight 1, no force
        continue;
      }
      let d2 = 0;
      const o = node * d;
      for (let t = 0; t < d; t++) {
        const diff = y[yi + t] - com[o + t];
        d2 += diff * diff;
      }
      const width = 2 * this.half[node];
      if (leaf || width * width < theta2 * d2) {
        const q = 1 / (1 + d2);
        const cq = c * q;
        z += cq;
        const cqq = cq * q;
        for (let t = 0; t < d; t++) force[t] += cqq * (y[yi + t] - com[o + t]);
      } else {
        const first = this.firstChild[node];
        for (let k = 0; k < this.children; k++) stack[top++] = first + k;
      }
    }
    return z;
  }
}

/** The 16 low bits of v spread to the even bits of the result (a Morton key's half, as a number < 2^31). */
function spreadBits(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/**
 * Repulsion on point i of a 2-D layout: adds Σ_j w_ij² (y_i − y_j) into force[0..2) and returns Σ_j w_ij.
 * A free function of the tree's arrays, with no closures or imports, because worker threads run its
 * source too (src/embed/gradient-pool.ts).
 */
export function repulsion2D(
  cells: Float64Array,
  firstChild: Int32Array,
  leafOf: Int32Array,
  stack: Int32Array,
  y: Float64Array,
  i: number,
  theta2: number,
  force: Float64Array,
): number {
  const own = leafOf[i];
  const yx = y[2 * i];
  const yy = y[2 * i + 1];
  let fx = 0;
  let fy = 0;
  let z = 0;
  let top = 0;
  stack[top++] = 0;
  while (top > 0) {
    const node = stack[--top];
    const at = 4 * node;
    const c = cells[at + 3];
    if (node === own) {
      z += c - 1;
      continue;
    }
    const dx = yx - cells[at];
    const dy = yy - cells[at + 1];
    const d2 = dx * dx + dy * dy;
    const first = firstChild[node];
    if (first === -1 || cells[at + 2] < theta2 * d2) {
      const q = 1 / (1 + d2);
      const cq = c * q;
      z += cq;
      const cqq = cq * q;
      fx += cqq * dx;
      fy += cqq * dy;
    } else {
      const f = 4 * first;
      if (cells[f + 3] > 0) stack[top++] = first;
      if (cells[f + 7] > 0) stack[top++] = first + 1;
      if (cells[f + 11] > 0) stack[top++] = first + 2;
      if (cells[f + 15] > 0) stack[top++] = first + 3;
    }
  }
  force[0] += fx;
  force[1] += fy;
  return z;
}
