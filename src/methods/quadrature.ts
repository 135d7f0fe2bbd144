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

/** Gauss–Legendre nodes by Newton's method on P_n, mapped from [-1, 1] to [0, 1]. */
function gaussLegendre(n: number): { alphas: number[]; weights: number[] } {
  const alphas: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      // P_n(x) and its derivative by the three-term recurrence
      let p0 = 1,
        p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      const pn = n === 1 ? x : p1;
      const pPrev = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pPrev)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    alphas.push((1 - x) / 2);
    weights.push(1 / ((1 - x * x) * dp * dp));
  }
  return { alphas, weights };
}
