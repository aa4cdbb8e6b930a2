import { Button, Card, Text, makeStyles, tokens } from "@fluentui/react-components";
import { FullPage } from "./full-page";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, alignItems: "flex-start" },
  id: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: "anywhere" },
});

/** Signed in, but the API answered 403 to /api/me: the person is no member of any organisation here. */
export function NotMemberPage({ userId, onSignOut }: { userId: string; onSignOut: () => void }) {
  const styles = useStyles();
  return (
    <FullPage title="You are not a member of this platform">
      <Card className={styles.card}>
        <Text>
          You are signed in, but no organisation on this platform has you as a member. Ask an administrator to add
          you, giving them your user id:
        </Text>
        <Text className={styles.id} weight="semibold">
          {userId}
        </Text>
        <Button appearance="primary" onClick={onSignOut}>
          Sign out
        </Button>
      </Card>
    </FullPage>
  );
}
