import { fail } from "../errors";

export type IntegrationMethod = "gausslegendre" | "riemann_left" | "riemann_right" | "riemann_middle" | "riemann_trapezoid";

/** Points α in [0, 1] and weights whose weighted sum approximates ∫₀¹ f(α) dα. */
export function quadrature(method: IntegrationMethod, steps: number): { alphas: number[]; weights: number[] } {
  const n = steps;
  const range = Array.from({ length: n }, (_, i) => i);
  switch (method) {
    case "gausslegendre":
      return gaussLegendre(n);
    case "riemann_left":
      return { alphas: range.map((i) => i / n), weights: range.map(() => 1 / n) };
    case "riemann_right":
      return { alphas: range.map((i) => (i + 1) / n), weights: range.map(() => 1 / n) };
    case "riemann_middle":
      return { alphas: range.map((i) => (i + 0.5) / n), weights: range.map(() => 1 / n) };
    case "riemann_trapezoid": {
      if (n < 2) fail("riemann_trapezoid needs steps ≥ 2.");
      const h = 1 / (n - 1);
      return { alphas: range.map((i) => i * h), weights: range.map((i) => (i === 0 || i === n - 1 ? h / 2 : h)) };
    }
    default:
      return fail(
        `unknown integration method "${method}"; use gausslegendre, riemann_left, riemann_right, riemann_middle or riemann_trapezoid.`,
      );
  }
}

/**
 * A finer rule built on a coarser one: its estimate is `keep` × the coarser estimate + Σ weights·f(alphas),
 * so only the new points are evaluated. The Riemann and trapezoid rules nest when their steps (or, for
 * the trapezoid, intervals) double, the midpoint rule when they triple; Gauss–Legendre does not nest
 * (keep 0: all points are new).
 */
export interface Refinement {
  steps: number;
  keep: number;
  alphas: number[];
  weights: number[];
}

/** The steps of the refinement after `steps`, and how many of its points are new (without computing them). */
export function refinedSize(method: IntegrationMethod, steps: number): { steps: number; added: number } {
  switch (method) {
    case "riemann_left":
    case "riemann_right":
      return { steps: 2 * steps, added: steps };
    case "riemann_trapezoid":
      return { steps: 2 * steps - 1, added: steps - 1 };
    case "riemann_middle":
      return { steps: 3 * steps, added: 2 * steps };
    default:
      return { steps: 2 * steps, added: 2 * steps };
  }
}

/** The refinement that follows the rule of `steps` points (see Refinement). */
export function refine(method: IntegrationMethod, steps: number): Refinement {
  const n = steps;
  const range = (count: number) => Array.from({ length: count }, (_, i) => i);
  switch (method) {
    case "riemann_left":
    case "riemann_right": // both gain the odd points of the doubled grid, (2i + 1) / 2n
      return {
        steps: 2 * n,
        keep: 0.5,
        alphas: range(n).map((i) => (2 * i + 1) / (2 * n)),
        weights: range(n).map(() => 1 / (2 * n)),
      };
    case "riemann_trapezoid": {
      const m = n - 1; // intervals; halving them adds their midpoints
      return {
        steps: 2 * m + 1,
        keep: 0.5,
        alphas: range(m).map((i) => (2 * i + 1) / (2 * m)),
        weights: range(m).map(() => 1 / (2 * m)),
      };
    }
    case "riemann_middle": {
      // each cell splits in three: its midpoint stays the middle one's, the outer two are new
      const alphas = range(n).flatMap((i) => [(3 * i + 0.5) / (3 * n), (3 * i + 2.5) / (3 * n)]);
      return { steps: 3 * n, keep: 1 / 3, alphas, weights: alphas.map(() => 1 / (3 * n)) };
    }
    default:
      return { steps: 2 * n, keep: 0, ...quadrature(method, 2 * n) };
  }
}

/** Rules already computed, by steps (the tolerance loop asks for the same few sizes for every example). */
const gaussCache = new Map<number, { alphas: number[]; weights: number[] }>();
const GAUSS_CACHE_SIZE = 16;

/** P_n(x) and P_{n-1}(x) by the three-term recurrence, O(n); a[k] = (2k − 1)/k and b[k] = (k − 1)/k. */
function legendre(n: number, x: number, a: Float64Array, b: Float64Array): [number, number] {
  let p0 = 1,
    p1 = x;
  for (let k = 2; k <= n; k++) {
    const p2 = a[k]! * x * p1 - b[k]! * p0;
    p0 = p1;
    p1 = p2;
  }
  return [p1, p0];
}

/**
 * Gauss–Legendre nodes and weights on [0, 1]. Each root of P_n is found by Newton's method on the
 * recurrence (O(n) per evaluation) from Tricomi's asymptotic estimate, which is close enough that two
 * or three steps reach double precision; the rule is symmetric, so only half the roots are computed.
 * Copies of a cached rule are returned (callers may slice, not change, them; copies keep that safe).
 */
function gaussLegendre(n: number): { alphas: number[]; weights: number[] } {
  let rule = gaussCache.get(n);
  if (!rule) {
    rule = computeGaussLegendre(n);
    if (gaussCache.size >= GAUSS_CACHE_SIZE) gaussCache.delete(gaussCache.keys().next().value!);
    gaussCache.set(n, rule);
  }
  return { alphas: rule.alphas.slice(), weights: rule.weights.slice() };
}

/** P_n′(x) from P_n and P_{n−1}. */
const derivative = (n: number, x: number, pn: number, pPrev: number) => (n * (x * pn - pPrev)) / (x * x - 1);

function computeGaussLegendre(n: number): { alphas: number[]; weights: number[] } {
  if (n === 1) return { alphas: [0.5], weights: [1] };
  const alphas = new Array<number>(n);
  const weights = new Array<number>(n);
  const a = new Float64Array(n + 1);
  const b = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) {
    a[k] = (2 * k - 1) / k;
    b[k] = (k - 1) / k;
  }
  const tricomi = 1 - (n - 1) / (8 * n * n * n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    // the (i+1)-th largest root of P_n; the middle one of an odd n is 0 exactly
    const middle = n % 2 === 1 && i === (n - 1) / 2;
    let x = middle ? 0 : tricomi * Math.cos((Math.PI * (4 * i + 3)) / (4 * n + 2));
    for (let iter = 0; iter < 50 && !middle; iter++) {
      const [pn, pPrev] = legendre(n, x, a, b);
      const dx = pn / derivative(n, x, pn, pPrev);
      x -= dx;
      if (Math.abs(dx) < 1e-13) break; // from within 1e-13, one Newton step lands at rounding level
    }
    const [pn, pPrev] = legendre(n, x, a, b);
    const dp = derivative(n, x, pn, pPrev);
    const w = 1 / ((1 - x * x) * dp * dp); // 2 / ((1 − x²) P_n′(x)²), halved by the map to [0, 1]
    alphas[i] = (1 - x) / 2;
    alphas[n - 1 - i] = (1 + x) / 2;
    weights[i] = weights[n - 1 - i] = w;
  }
  return { alphas, weights };
}
