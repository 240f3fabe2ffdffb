/**
 * Greedy placement of text labels without overlap (private to lib/viz): each label offers a few
 * candidate positions as rotated rectangles in pixels; the first candidate that overlaps no label
 * already placed wins, and a label with none left is skipped (its text stays in the tooltip).
 * @module
 */

/** A rotated rectangle: centre, half extents along its own axes, rotation (degrees, SVG sense). */
export interface LabelBox {
  /** Centre x (px). */
  readonly cx: number;
  /** Centre y (px). */
  readonly cy: number;
  /** Half width along the text direction (px). */
  readonly hw: number;
  /** Half height across the text direction (px). */
  readonly hh: number;
  /** Rotation in degrees (clockwise, as vega's text `angle`). */
  readonly angle: number;
}

function axes(b: LabelBox): [number, number][] {
  const r = (b.angle * Math.PI) / 180;
  const c = Math.cos(r), s = Math.sin(r);
  return [[c, s], [-s, c]];
}

function project(b: LabelBox, ax: [number, number]): [number, number] {
  const [u, v] = axes(b);
  const centre = b.cx * ax[0] + b.cy * ax[1];
  const extent = b.hw * Math.abs(u[0] * ax[0] + u[1] * ax[1]) +
    b.hh * Math.abs(v[0] * ax[0] + v[1] * ax[1]);
  return [centre - extent, centre + extent];
}

/** Whether two rotated rectangles overlap (separating axis test). */
export function boxesOverlap(a: LabelBox, b: LabelBox): boolean {
  for (const ax of [...axes(a), ...axes(b)]) {
    const [a0, a1] = project(a, ax);
    const [b0, b1] = project(b, ax);
    if (a1 <= b0 || b1 <= a0) return false;
  }
  return true;
}

/**
 * For each label (in priority order) the index of the first candidate box that overlaps no box
 * placed before it (and passes `allowed`, e.g. lies inside the plot), or -1 when every
 * candidate collides or `max` labels are already placed.
 */
export function placeLabels(
  candidates: readonly (readonly LabelBox[])[],
  max = Infinity,
  allowed: (box: LabelBox) => boolean = () => true,
): number[] {
  const placed: LabelBox[] = [];
  const out: number[] = [];
  for (const options of candidates) {
    let chosen = -1;
    if (placed.length < max) {
      for (let i = 0; i < options.length && chosen < 0; i++) {
        if (allowed(options[i]) && !placed.some((p) => boxesOverlap(p, options[i]))) chosen = i;
      }
    }
    if (chosen >= 0) placed.push(options[chosen]);
    out.push(chosen);
  }
  return out;
}

/** Approximate width (px) of `text` in a sans-serif font of `fontSize` px. */
export function textWidth(text: string, fontSize: number): number {
  let w = 0;
  for (const ch of text) {
    w += /[ilj.,:;!|'1 ]/.test(ch) ? 0.32 : /[A-Z@#%&mwMW]/.test(ch) ? 0.75 : 0.56;
  }
  return w * fontSize;
}
