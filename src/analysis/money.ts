/**
 * Rounds amounts to cents so that the rounded parts add up to the rounded whole
 * (largest-remainder method). Reports show parts and the total side by side; they must agree.
 */
export function allocateCents(amounts: number[], totalCents?: number): number[] {
  // Scaled to cents and cleaned of binary noise (0.29 * 100 = 28.999999999999996).
  const scaled = amounts.map((a) => Math.round(a * 100 * 1e6) / 1e6);
  const target = totalCents ?? Math.round(scaled.reduce((s, x) => s + x, 0));
  const cents = scaled.map((x) => Math.floor(x));
  let missing = target - cents.reduce((s, x) => s + x, 0);
  const order = scaled
    .map((x, i) => ({ i, remainder: x - Math.floor(x) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (let k = 0; missing > 0 && order.length > 0; k = (k + 1) % order.length, missing--) {
    cents[order[k]!.i]! += 1;
  }
  for (
    let k = order.length - 1;
    missing < 0 && order.length > 0;
    k = (k - 1 + order.length) % order.length, missing++
  ) {
    cents[order[k]!.i]! -= 1;
  }
  return cents.map((c) => c / 100);
}

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
