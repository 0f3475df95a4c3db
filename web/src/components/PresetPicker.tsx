/**
 * The lesson picker: every preset, grouped by lesson, by title; the chosen one's one-line
 * description beneath. `value` null: the scenario is the user's own (edited, or from a link).
 */
import { useId } from 'react';
import { presets, type Preset } from '../../../sim/scenario/presets.js';
import './panels.css';

const CUSTOM = '';

function lessonTitle(lesson: string): string {
  const m = /^L(\d+)$/.exec(lesson);
  if (m !== null) return `Lesson ${m[1]}`;
  if (lesson === 'beyond') return 'Beyond the slides';
  return lesson;
}

/** Presets grouped by lesson, in the order they first appear. */
export function presetGroups(list: readonly Preset[] = presets): Array<{ lesson: string; title: string; presets: Preset[] }> {
  const groups = new Map<string, Preset[]>();
  for (const p of list) {
    const g = groups.get(p.lesson);
    if (g === undefined) groups.set(p.lesson, [p]);
    else g.push(p);
  }
  return [...groups].map(([lesson, ps]) => ({ lesson, title: lessonTitle(lesson), presets: ps }));
}

/** `customLabel`: the name of an edited preset ("L4 + 1 fault"), shown instead of "Your own scenario". */
export function PresetPicker(props: { value: string | null; onPick(name: string): void; customLabel?: string | null }) {
  const id = useId().replace(/[^A-Za-z0-9_-]/g, '');
  const selected = props.value === null ? undefined : presets.find((p) => p.name === props.value);
  const value = selected?.name ?? CUSTOM;
  return (
    <div className="dx-preset">
      <label htmlFor={`${id}-select`} className="dx-preset-label">
        Scenario
      </label>
      <select
        id={`${id}-select`}
        data-testid="preset-select"
        value={value}
        aria-describedby={`${id}-desc`}
        onChange={(e) => {
          if (e.target.value !== CUSTOM) props.onPick(e.target.value);
        }}
      >
        <option value={CUSTOM} disabled={value !== CUSTOM}>
          {props.customLabel ?? 'Your own scenario'}
        </option>
        {presetGroups().map((g) => (
          <optgroup key={g.lesson} label={g.title}>
            {g.presets.map((p) => (
              <option key={p.name} value={p.name}>
                {`${g.lesson.startsWith('L') ? `${g.lesson} · ` : ''}${p.title}`}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <p id={`${id}-desc`} className="dx-preset-desc" data-testid="preset-description">
        {selected !== undefined ? selected.description : props.customLabel != null ? `${props.customLabel}: the lesson’s scenario with your faults. Pick it again to start over.` : 'Your own scenario: edited here, or opened from a link. Pick a lesson to start from one of the presets.'}
      </p>
    </div>
  );
}
