import { Field, SubmitButton, AppForm } from "./ui.tsx";

// Forms the back office shows in more than one place (create and edit).

type FormState = { errors: Record<string, string>; values: Record<string, string> };

export function Checkbox({ label, name, defaultChecked, hint }: { label: string; name: string; defaultChecked?: boolean; hint?: string }) {
  const id = `field-${name}`;
  return (
    <div className="checkbox">
      <input type="checkbox" id={id} name={name} defaultChecked={defaultChecked} aria-describedby={hint ? `${id}-hint` : undefined} />
      {/* The hint under its label, not squeezed into a third column. */}
      <div className="stack-tight">
        <label htmlFor={id}>{label}</label>
        {hint ? (
          <span className="hint" id={`${id}-hint`}>
            {hint}
          </span>
        ) : null}
      </div>
    </div>
  );
}

export function PartnerForm({ errors, values, submitLabel, intent }: FormState & { submitLabel: string; intent?: string }) {
  return (
    <AppForm className="form" noValidate>
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <Field label="Nom" name="name" defaultValue={values.name} error={errors.name} autoComplete="off" />
      <Field label="Type" name="kind" error={errors.kind}>
        <select defaultValue={values.kind ?? "PARTNER"}>
          <option value="PARTNER">Partenaire (facturé)</option>
          <option value="INTERNAL">Site d'Aurore (relevé interne)</option>
        </select>
      </Field>
      <Field label="SIRET" name="siret" hint="14 chiffres, espaces permis." defaultValue={values.siret} error={errors.siret} autoComplete="off" />
      <Field label="Numéro de TVA intracommunautaire" name="vatNumber" hint="Par exemple FR32123456789." defaultValue={values.vatNumber} error={errors.vatNumber} autoComplete="off" />
      <Field label="E-mail de facturation" name="billingEmail" type="email" defaultValue={values.billingEmail} error={errors.billingEmail} autoComplete="off" />
      <Field label="Adresse de facturation" name="billingAddress" error={errors.billingAddress}>
        <textarea rows={3} defaultValue={values.billingAddress} />
      </Field>
      <Field
        label="Délai de paiement (jours)"
        name="paymentTermsDays"
        type="number"
        hint="60 jours au plus (Code de commerce)."
        defaultValue={values.paymentTermsDays ?? "30"}
        error={errors.paymentTermsDays}
      />
      <Checkbox label="Ses demandes sont validées par la coordination" name="requiresValidation" defaultChecked={values.requiresValidation === "on"} />
      <Checkbox label="Un numéro de bon de commande est exigé" name="requiresPurchaseOrder" defaultChecked={values.requiresPurchaseOrder === "on"} />
      <SubmitButton>{submitLabel}</SubmitButton>
    </AppForm>
  );
}

/** A site's fields; `prefix` keeps ids unique when the page has one form per site. */
export function SiteFields({ errors, values, prefix }: FormState & { prefix: string }) {
  const id = (name: string) => `${prefix}-${name}`;
  return (
    <>
      <Field label="Nom du site" name="name" id={id("name")} defaultValue={values.name} error={errors.name} autoComplete="off" />
      <Field label="Adresse" name="address" id={id("address")} defaultValue={values.address} error={errors.address} autoComplete="off" />
      <Field label="Code postal" name="postalCode" id={id("postalCode")} defaultValue={values.postalCode} error={errors.postalCode} autoComplete="off" />
      <Field label="Ville" name="city" id={id("city")} defaultValue={values.city} error={errors.city} autoComplete="off" />
      <Field label="Consignes d'accès" name="accessNotes" id={id("accessNotes")} hint="Badge, interlocuteur, horaires d'accès." error={errors.accessNotes}>
        <textarea rows={2} defaultValue={values.accessNotes} />
      </Field>
    </>
  );
}

type Skill = { id: string; label: string };

/** A prestation's fields; the price is only asked at creation (later changes are price versions). */
export function PrestationFields({ errors, values, skills, withPrice }: FormState & { skills: Skill[]; withPrice: boolean }) {
  return (
    <>
      <Field label="Catégorie" name="category" hint="Par exemple Espaces verts, Nettoyage." defaultValue={values.category} error={errors.category} autoComplete="off" />
      <Field label="Nom" name="name" defaultValue={values.name} error={errors.name} autoComplete="off" />
      <Field label="Ce que fait l'équipe" name="description" hint="En langage simple, pour le partenaire." error={errors.description}>
        <textarea rows={3} defaultValue={values.description} />
      </Field>
      <Field label="Compétence requise" name="skillId" error={errors.skillId}>
        <select defaultValue={values.skillId ?? ""}>
          <option value="">Choisir…</option>
          {skills.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Unité de prix" name="pricingUnit" error={errors.pricingUnit}>
        <select defaultValue={values.pricingUnit ?? "PER_PARTICIPANT_HOUR"}>
          <option value="PER_PARTICIPANT_HOUR">Par heure et par personne</option>
          <option value="FLAT">Forfait par intervention</option>
        </select>
      </Field>
      {withPrice ? <Field label="Prix HT (€)" name="price" hint="Par exemple 24,50." defaultValue={values.price} error={errors.price} autoComplete="off" /> : null}
      <fieldset className="fieldset">
        <legend>TVA</legend>
        <div className="checkbox">
          <input type="radio" id="vatMode-rate" name="vatMode" value="rate" defaultChecked={(values.vatMode ?? "rate") === "rate"} />
          <label htmlFor="vatMode-rate">Taux de TVA</label>
        </div>
        <Field label="Taux (%)" name="vatRate" hint="Entre 0 et 100, par exemple 20 ou 5,5." defaultValue={values.vatRate ?? "20"} error={errors.vatRate} autoComplete="off" />
        <div className="checkbox">
          <input type="radio" id="vatMode-exempt" name="vatMode" value="exempt" defaultChecked={values.vatMode === "exempt"} />
          <label htmlFor="vatMode-exempt">Exonérée de TVA</label>
        </div>
        <Field
          label="Mention légale de l'exonération"
          name="vatExemptionMention"
          hint="Imprimée sur les devis et factures."
          defaultValue={values.vatExemptionMention}
          error={errors.vatExemptionMention}
          autoComplete="off"
        />
        {errors.vatMode ? <span className="error">{errors.vatMode}</span> : null}
      </fieldset>
      <Field label="Délai de prévenance (jours)" name="minNoticeDays" type="number" defaultValue={values.minNoticeDays ?? "2"} error={errors.minNoticeDays} />
      <Field label="Durée par défaut (minutes)" name="defaultDurationMinutes" type="number" defaultValue={values.defaultDurationMinutes ?? "180"} error={errors.defaultDurationMinutes} />
      <Field label="Taille d'équipe par défaut" name="defaultTeamSize" type="number" defaultValue={values.defaultTeamSize ?? "3"} error={errors.defaultTeamSize} />
      <Checkbox label="Proposée aux partenaires" name="active" defaultChecked={Object.keys(values).length === 0 || values.active === "on"} />
    </>
  );
}
