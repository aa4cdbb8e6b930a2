/** The signed-in frame: a top bar (who is signed in, Sign out), the main menu for the role, the page. */
import { Button, Text, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { NavLink } from "react-router";
import { menuFor, type Member } from "../lib/roles";

const useStyles = makeStyles({
  shell: { minHeight: "100vh", display: "flex", flexDirection: "column", backgroundColor: tokens.colorNeutralBackground2 },
  skip: {
    position: "absolute",
    left: "-10000px",
    ":focus": { left: tokens.spacingHorizontalM, top: tokens.spacingVerticalM, zIndex: 10 },
  },
  header: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalXL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase500, color: tokens.colorNeutralForeground1 },
  who: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  whoText: { display: "flex", flexDirection: "column", alignItems: "flex-end" },
  body: { display: "flex", flexGrow: 1, minHeight: 0 },
  nav: {
    width: "13rem",
    flexShrink: 0,
    padding: tokens.spacingVerticalM,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  menu: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  link: {
    display: "block",
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
    textDecorationLine: "none",
    ":hover": { backgroundColor: tokens.colorNeutralBackground1Hover, textDecorationLine: "underline" },
  },
  active: {
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground2,
    fontWeight: tokens.fontWeightSemibold,
  },
  main: { flexGrow: 1, minWidth: 0, padding: tokens.spacingHorizontalXXL, outlineStyle: "none" },
});

export interface PageLayoutProps {
  member: Member;
  userId: string;
  onSignOut: () => void;
  children: ReactNode;
}

export function PageLayout({ member, userId, onSignOut, children }: PageLayoutProps) {
  const styles = useStyles();
  const menu = menuFor(member);
  return (
    <div className={styles.shell}>
      <a href="#main" className={styles.skip}>
        Skip to content
      </a>
      <header className={styles.header}>
        <span className={styles.brand}>CSP console</span>
        <div className={styles.who}>
          <div className={styles.whoText}>
            <Text weight="semibold">
              Signed in: {member.orgType} · {member.role}
            </Text>
            <Text size={200}>{userId}</Text>
          </div>
          <Button onClick={onSignOut}>Sign out</Button>
        </div>
      </header>
      <div className={styles.body}>
        <nav aria-label="Main" className={styles.nav}>
          <ul className={styles.menu}>
            {menu.map((entry) => (
              <li key={entry.to}>
                <NavLink
                  to={entry.to}
                  end={entry.to === "/"}
                  className={({ isActive }) => mergeClasses(styles.link, isActive && styles.active)}
                >
                  {entry.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1} className={styles.main}>
          {children}
        </main>
      </div>
    </div>
  );
}
