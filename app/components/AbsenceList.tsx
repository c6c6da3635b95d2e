import { AppForm, SubmitButton } from "./ui.tsx";

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
