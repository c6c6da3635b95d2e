import { Link, NavLink, useLocation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import type { NavItem } from "~/domain/access/roles.ts";
import { AppForm } from "./ui.tsx";

export type HeaderUser = { name: string; roleLabel: string; nav: NavItem[] };

// The app's header. On a phone (640 px and less) it takes two lines: the brand
// and a folded account menu, then the navigation on one row that scrolls
// sideways. On a wider screen the account shows as it is, without the menu.
export function AppHeader({ user }: { user: HeaderUser | null | undefined }) {
  const { pathname } = useLocation();
  const navRef = useRef<HTMLElement>(null);
  // On a phone the current page's link may be past the screen's edge: bring it into the row's view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again after each navigation (pathname), which moves aria-current.
  useEffect(() => {
    const nav = navRef.current;
    const current = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!nav || !current || nav.scrollWidth <= nav.clientWidth) return;
    nav.scrollLeft = current.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2;
  }, [pathname]);
  const account = user ? (
    <>
      <Link to="/account" className="header-account">
        {user.name} · {user.roleLabel}
      </Link>
      <AppForm action="/logout">
        <button type="submit" className="button small">
          Se déconnecter
        </button>
      </AppForm>
    </>
  ) : null;
  return (
    <header className="header">
      <div className="header-inner">
        <Link to="/" className="brand">
          La Conciergerie Solidaire
          <small>association Aurore</small>
        </Link>
        {user ? (
          <>
            <nav aria-label="Navigation principale" className="nav" ref={navRef}>
              {user.nav.map((item) => (
                // An item whose path prefixes another's ("/admin", "/admin/audit") lights up on its own page only.
                <NavLink key={item.to} to={item.to} end={user.nav.some((other) => other.to !== item.to && other.to.startsWith(`${item.to === "/" ? "" : item.to}/`))}>
                  {item.label}
                </NavLink>
              ))}
            </nav>
            {/* One of the two is displayed, by screen width (app.css): the other is out of the page and of the accessibility tree. */}
            <div className="header-user">{account}</div>
            {/* Keyed by page: the menu is folded again after a navigation. */}
            <details className="account-menu" key={pathname}>
              <summary>Compte</summary>
              <div className="account-menu-panel">{account}</div>
            </details>
          </>
        ) : null}
      </div>
    </header>
  );
}
