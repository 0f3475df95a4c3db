import { describe, expect, it } from 'vitest';
import { ALL_SWATCHES, BACKGROUNDS, FAULT, INK, OKABE_ITO, carrier, contrastRatio } from '../../web/src/palette.js';
import { RESEND_COLORS } from '../../web/src/components/timeline/layers/resends.js';

// WCAG 2.1 SC 1.4.11: the parts of a graphic needed to read it stand at 3:1 against what is next to them.
const MIN = 3;

describe('the palette against the timeline’s backgrounds', () => {
  it('computes WCAG contrast as the standard defines it', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    // Okabe–Ito yellow on white: the reason it needs an outline.
    expect(contrastRatio(OKABE_ITO.yellow, '#ffffff')).toBeLessThan(1.5);
  });

  for (const s of ALL_SWATCHES) {
    it(`${s.key}: its fill, or the outline drawn around it, is at least 3:1 on every background`, () => {
      for (const bg of BACKGROUNDS) {
        const fill = contrastRatio(s.fill, bg);
        const shape = contrastRatio(carrier(s), bg);
        expect(Math.max(fill, shape), `${s.key} (${s.fill}, edge ${s.edge ?? 'none'}) on ${bg}`).toBeGreaterThanOrEqual(MIN);
      }
    });
  }

  it('gives an outline only where the fill needs one, so every pale fill has one', () => {
    const pale = ALL_SWATCHES.filter((s) => BACKGROUNDS.some((bg) => contrastRatio(s.fill, bg) < MIN));
    // The states the issue found under 3:1 are among them.
    for (const k of ['waiting', 'mailbox', 'inflight', 'backoff', 'up', 'connecting']) expect(pale.map((s) => s.key)).toContain(k);
    for (const s of pale) expect(s.edge, s.key).toBeDefined();
  });

  it('keeps lines and marks drawn without a fill at 3:1 too', () => {
    for (const c of [...Object.values(RESEND_COLORS), FAULT.edge, INK.text, INK.muted, INK.focus]) for (const bg of BACKGROUNDS) expect(contrastRatio(c, bg), `${c} on ${bg}`).toBeGreaterThanOrEqual(MIN);
  });
});

describe('the outlines of the Okabe–Ito colours', () => {
  it('stand at 3:1 wherever a pale colour is drawn without its swatch (the topology’s mailbox bar and queued dots)', async () => {
    const { EDGE_OF } = await import('../../web/src/palette.js');
    for (const [name, c] of Object.entries(EDGE_OF)) {
      // Each is outlined because the colour alone falls under 3:1 on one of the backgrounds.
      expect(Math.min(...BACKGROUNDS.map((bg) => contrastRatio(OKABE_ITO[name as keyof typeof EDGE_OF], bg))), name).toBeLessThan(MIN);
      for (const bg of BACKGROUNDS) expect(contrastRatio(c, bg), `${name} outline on ${bg}`).toBeGreaterThanOrEqual(MIN);
    }
  });
});

describe('the lines a world’s colour is drawn with outside the timeline', () => {
  it('stand at 3:1 for every world colour: the topology’s box and slots, its key’s swatch (edgeOf)', async () => {
    const { edgeOf } = await import('../../web/src/palette.js');
    const { PALETTE } = await import('../../web/src/components/charts/style.js');
    for (const c of PALETTE) for (const bg of BACKGROUNDS) expect(contrastRatio(edgeOf(c), bg), `${c}'s line ${edgeOf(c)} on ${bg}`).toBeGreaterThanOrEqual(MIN);
    // The multiplexer's orange is the case the issue found at about 2:1: it gets its dark shade.
    expect(contrastRatio(PALETTE[1], '#ffffff')).toBeLessThan(MIN);
    expect(edgeOf(PALETTE[1]).toLowerCase()).not.toBe(PALETTE[1].toLowerCase());
    // A colour that stands at 3:1 alone keeps itself (the pool's blue stays blue).
    expect(edgeOf(PALETTE[0])).toBe(PALETTE[0]);
  });
});
