import type { ReactNode } from "react";
import { AppForm, Field, SubmitButton } from "./ui.tsx";

// Absences (dates only), each with its remove button: a person's on their page, the encadrants' on /people.
export function AbsenceList({ items, removeIntent }: { items: { id: string; text: string; removeLabel: string }[]; removeIntent: string }) {
  if (items.length === 0) return null;
  return (
    <ul className="absence-list">
      {items.map((a) => (
        <li key={a.id} className="row">
          {a.text}
          <AppForm>
            <input type="hidden" name="intent" value={removeIntent} />
            <input type="hidden" name="absenceId" value={a.id} />
            <SubmitButton variant="danger">
              Supprimer<span className="visually-hidden"> {a.removeLabel}</span>
            </SubmitButton>
          </AppForm>
        </li>
      ))}
    </ul>
  );
}

/** The form that marks an absence: its dates (first and last day, today by default), after any field given as children. */
export function AbsenceForm({ intent, today, values, errors, children }: { intent: string; today: string; values: Record<string, string>; errors: Record<string, string>; children?: ReactNode }) {
  return (
    <AppForm className="form" noValidate>
      <input type="hidden" name="intent" value={intent} />
      <div className="field-row">
        {children}
        <Field label="Premier jour" name="firstDay" type="date" defaultValue={values.firstDay ?? today} error={errors.firstDay} />
        <Field label="Dernier jour" name="lastDay" type="date" defaultValue={values.lastDay ?? today} error={errors.lastDay} />
      </div>
      <SubmitButton>Marquer absent·e</SubmitButton>
    </AppForm>
  );
}
