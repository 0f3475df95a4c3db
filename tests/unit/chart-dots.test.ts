/**
 * The latency chart's dot layer (web/src/components/charts/dots.ts) hands its buffers to the next
 * layer of the same size: a 100k chart's are ~5 MB, slow to touch fresh in the browser. A layer
 * drawn on reused buffers must give the pixels a fresh one gives.
 */
import { describe, expect, it } from 'vitest';
import { DotLayer, type SymbolMask } from '../../web/src/components/charts/dots.js';

/** A plus sign of partial coverage, the same at every sub-pixel phase. */
const plus: SymbolMask = { w: 3, h: 3, left: -1, top: -1, cover: Float32Array.from([0, 0.5, 0, 0.5, 1, 0.5, 0, 0.5, 0]) };
const masks = Array.from({ length: 16 }, () => plus);

function fakeContext() {
  const made: ImageData[] = [];
  const put: Uint8ClampedArray[] = [];
  const ctx = {
    createImageData(w: number, h: number) {
      const image = { width: w, height: h, data: new Uint8ClampedArray(w * h * 4), colorSpace: 'srgb' } as ImageData;
      made.push(image);
      return image;
    },
    putImageData(image: ImageData) {
      put.push(Uint8ClampedArray.from(image.data));
    },
  } as unknown as CanvasRenderingContext2D;
  return { ctx, made, put };
}

function draw(ctx: CanvasRenderingContext2D, w: number, h: number, xy: number[]): void {
  const layer = new DotLayer(w, h, [1, 1, w - 1, h - 1]);
  const id = (v: number) => v;
  layer.dots(Float64Array.from(xy), id, id, masks, '#0072b2', 0.7);
  layer.dots(Float64Array.from(xy.map((v) => v + 1)), id, id, masks, '#d55e00', 1);
  layer.put(ctx);
}

describe('the latency chart dot layer', () => {
  it('a_layer_of_the_same_size_reuses_the_last_ones_buffers_and_draws_the_same_pixels', () => {
    const { ctx, made, put } = fakeContext();
    const q = [2, 2, 2, 2, 5.5, 3.25, 8, 8];
    draw(ctx, 12, 10, q);
    const fresh = put[0]!;
    // Another chart in between leaves its pixels and coverage in the buffers.
    draw(ctx, 12, 10, [1, 1, 3, 7, 6, 6, 9, 2, 10, 8]);
    draw(ctx, 12, 10, q);
    expect(made.length).toBe(1);
    expect(put[2]).toEqual(fresh);
    expect(put[1]).not.toEqual(fresh);
    // Another size: buffers of its own.
    draw(ctx, 14, 10, q);
    expect(made.length).toBe(2);
  });
});
