import { AppForm, Badge, SubmitButton } from "~/components/ui.tsx";
import { formatDateTime, ofName } from "~/utils/format.ts";

/** An invitation as the team page and the staff admin's partner page list it. */
type OpenInvitation = { id: string; name: string; expiresAt: Date | string; expired: boolean };

/** "En attente jusqu'au …" or "Expirée depuis le …". */
export function InvitationState({ invitation }: { invitation: OpenInvitation }) {
  return (
    <>
      {invitation.expired ? <Badge tone="amber">Expirée</Badge> : <Badge tone="blue">En attente</Badge>}{" "}
      <span className="muted">{`${invitation.expired ? "depuis le" : "jusqu'au"} ${formatDateTime(invitation.expiresAt)}`}</span>
    </>
  );
}

/** Re-send (unless `canResend` is false) and cancel, behind one more click as for a deactivation: the link stops working at once. */
export function InvitationActions({ invitation, canResend = true }: { invitation: OpenInvitation; canResend?: boolean }) {
  return (
    <div className="row">
      {canResend ? (
        <AppForm>
          <input type="hidden" name="intent" value="resend-invitation" />
          <input type="hidden" name="invitationId" value={invitation.id} />
          <SubmitButton variant="secondary">
            {/* Not "… l'invitation …": the invite button's name ("Envoyer l'invitation") must stay the only one to contain it. */}
            Renvoyer<span className="visually-hidden">{` à ${invitation.name}`}</span>
          </SubmitButton>
        </AppForm>
      ) : null}
      {/* Keyed by the expiry, which a re-send moves: the confirmation closes again after it. */}
      <details key={String(invitation.expiresAt)}>
        <summary>
          Annuler…<span className="visually-hidden">{` l'invitation ${ofName(invitation.name)}`}</span>
        </summary>
        <AppForm className="stack-tight">
          <input type="hidden" name="intent" value="cancel-invitation" />
          <input type="hidden" name="invitationId" value={invitation.id} />
          <span className="hint">Son lien ne fonctionnera plus ; vous pourrez inviter {invitation.name} de nouveau.</span>
          <SubmitButton variant="danger">{`Annuler l'invitation ${ofName(invitation.name)}`}</SubmitButton>
        </AppForm>
      </details>
    </div>
  );
}
