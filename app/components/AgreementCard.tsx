import { Alert, AppForm, Badge, Card, SubmitButton } from "./ui.tsx";
import { formatDateTime, ofName } from "~/utils/format.ts";

// Within the notice period, a confirmed schedule changes only with the
// person's agreement: the encadrant (or a coordinator) records it here, per
// person. Used by the coordinator's intervention page and the encadrant's day.

export type AgreementTeamView = {
  noticeDays: number;
  underNotice: boolean;
  members: { participantId: string; name: string; agreedAt: string | null; recordedBy: string | null }[];
};

export function AgreementCard({ team, canRecord, result }: { team: AgreementTeamView; canRecord: boolean; result?: { ok: boolean; message: string } | null }) {
  // No team to ask: no card, but the answer to a form sent from a stale page still shows.
  if (team.members.length === 0) return result ? <Alert kind={result.ok ? "success" : "error"}>{result.message}</Alert> : null;
  return (
    <Card title="Accord des personnes pour un changement">
      {result ? <Alert kind={result.ok ? "success" : "error"}>{result.message}</Alert> : null}
      {!team.underNotice ? (
        <p className="muted">Plus de {team.noticeDays} jours avant l'intervention (ou planning pas encore confirmé) : l'équipe peut encore changer sans accord.</p>
      ) : (
        <>
          <p className="muted">
            Moins de {team.noticeDays} jours avant l'intervention : le planning confirmé d'une personne ne change que si elle est d'accord. Demandez-lui, puis enregistrez sa réponse.
          </p>
          <ul className="team-list">
            {team.members.map((m) => (
              <li key={m.participantId} className="team-row">
                <span>
                  <strong>{m.name}</strong>{" "}
                  {m.agreedAt ? (
                    <>
                      <Badge tone="green">D'accord pour un changement</Badge>
                      <span className="muted small">
                        {" "}
                        enregistré le {formatDateTime(m.agreedAt)}
                        {m.recordedBy ? ` par ${m.recordedBy}` : ""}
                      </span>
                    </>
                  ) : (
                    <Badge tone="blue">Planning confirmé</Badge>
                  )}
                </span>
                {canRecord ? (
                  <AppForm>
                    <input type="hidden" name="participantId" value={m.participantId} />
                    {m.agreedAt ? (
                      <SubmitButton name="intent" value="withdraw-agreement" variant="secondary">
                        Retirer l'accord<span className="visually-hidden"> {ofName(m.name)}</span>
                      </SubmitButton>
                    ) : (
                      <SubmitButton name="intent" value="agree">
                        La personne est d'accord<span className="visually-hidden"> : {m.name}</span>
                      </SubmitButton>
                    )}
                  </AppForm>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}
