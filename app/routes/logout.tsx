import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { readForm } from "~/auth/csrf.server.ts";
import { endSession } from "~/auth/session.server.ts";
import { ErrorPage } from "~/components/ErrorPage.tsx";

export const loader = () => redirect("/");

export async function action({ request }: ActionFunctionArgs) {
  await readForm(request);
  return endSession(request);
}

export const ErrorBoundary = ErrorPage;
