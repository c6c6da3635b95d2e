import { Form, useNavigation, useRouteLoaderData, type FormProps } from "@remix-run/react";
import { cloneElement, type ReactElement, type ReactNode } from "react";

// The app's small set of components. Pages compose these; no page styles itself.

type RootData = { csrf: string };

/** A Remix Form that carries the CSRF token every action checks. */
export function AppForm({ children, method = "post", ...props }: FormProps) {
  const root = useRouteLoaderData<RootData>("root");
  return (
    <Form method={method} {...props}>
      {method.toLowerCase() !== "get" ? <input type="hidden" name="csrf" value={root?.csrf ?? ""} /> : null}
      {children}
    </Form>
  );
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p>{description}</p> : null}
      </div>
      {actions ? <div className="row">{actions}</div> : null}
    </div>
  );
}

export function Card({ title, id, children }: { title?: string; id?: string; children: ReactNode }) {
  return (
    <section className="card" aria-label={title} id={id}>
      {title ? <h2>{title}</h2> : null}
      {children}
    </section>
  );
}

/** Disabled while its form is being sent: a double click never submits twice from here. */
export function SubmitButton({ children, variant, name, value }: { children: ReactNode; variant?: "secondary" | "danger"; name?: string; value?: string }) {
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  return (
    <button type="submit" className={`button ${variant ?? ""}`} disabled={busy} name={name} value={value}>
      {children}
    </button>
  );
}

export function Field({
  label,
  name,
  id: idProp,
  error,
  hint,
  type = "text",
  defaultValue,
  autoComplete,
  required,
  children,
}: {
  label: string;
  name: string;
  id?: string; // when one page has two forms with the same field name
  error?: string;
  hint?: string;
  type?: string;
  defaultValue?: string;
  autoComplete?: string;
  required?: boolean;
  children?: ReactNode; // a <select> or <textarea> instead of the default <input>
}) {
  const id = idProp ?? `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {children ? (
        <FieldControl id={id} name={name} describedBy={describedBy} invalid={!!error}>
          {children}
        </FieldControl>
      ) : (
        <input id={id} name={name} type={type} defaultValue={defaultValue} autoComplete={autoComplete} required={required} aria-invalid={error ? true : undefined} aria-describedby={describedBy} />
      )}
      {error ? (
        <span className="error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

function FieldControl({ id, name, describedBy, invalid, children }: { id: string; name: string; describedBy?: string; invalid: boolean; children: ReactNode }) {
  // The child element (select or textarea) receives the accessible wiring.
  return cloneElement(children as ReactElement<Record<string, unknown>>, {
    id,
    name,
    "aria-describedby": describedBy,
    "aria-invalid": invalid || undefined,
  });
}

export function Alert({ kind, children }: { kind: "error" | "success" | "info"; children: ReactNode }) {
  return (
    <div className={`alert ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function Badge({ tone, children }: { tone?: "green" | "amber" | "red" | "blue"; children: ReactNode }) {
  return <span className={`badge ${tone ?? ""}`}>{children}</span>;
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="muted">{children}</p>;
}
