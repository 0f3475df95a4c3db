/**
 * The name of a scenario that is a preset with its faults edited: "L4 + 1 fault", so an
 * experiment keeps the lesson it came from instead of becoming "your own scenario".
 */
import { presets, type Preset } from '../../sim/scenario/presets.js';
import type { ScenarioInput } from '../../sim/scenario/schema.js';

const withoutFaults = (s: ScenarioInput): string => JSON.stringify({ ...s, faults: undefined });
const faultKey = (f: unknown): string => JSON.stringify(f);

/** null: not a preset's (or the preset itself, which the picker names). */
export function scenarioLabel(input: ScenarioInput): string | null {
  const rest = withoutFaults(input);
  const p = presets.find((x) => withoutFaults(x.scenario) === rest);
  if (p === undefined) return null;
  const mine = (input.faults ?? []).map(faultKey);
  const theirs = (p.scenario.faults ?? []).map(faultKey);
  if (mine.length === theirs.length && mine.every((f) => theirs.includes(f))) return null;
  const name = p.lesson.startsWith('L') ? p.lesson : p.title;
  const kept = theirs.every((f) => mine.includes(f));
  const added = mine.filter((f) => !theirs.includes(f)).length;
  if (kept) return `${name} + ${added} fault${added === 1 ? '' : 's'}`;
  return `${name}, faults edited (${mine.length} now)`;
}

/** The preset this scenario is, faults and all (a link to it opens as the preset does), if any. */
export function presetOf(input: ScenarioInput): Preset | undefined {
  const key = JSON.stringify(input);
  return presets.find((p) => JSON.stringify(p.scenario) === key);
}
