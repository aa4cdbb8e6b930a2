/**
 * A button that opens a modal dialog holding a form. The form is its own component (testable without the
 * dialog) and gets `close`; closing unmounts it, so a reopened form starts empty with a new Idempotency-Key.
 */
import {
  Button,
  Dialog,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  makeStyles,
  tokens,
  type ButtonProps,
} from "@fluentui/react-components";
import { useEffect, useState, type ReactNode } from "react";

const FOCUS_MANAGER_SETTLE_MS = 300; // tabster updates what a modal hid 250 ms after a change
const MOTION_FALLBACK_MS = 2000; // should the closing motion never report its end

const useStyles = makeStyles({
  surface: { maxWidth: "min(44rem, calc(100vw - 2rem))" },
});

export function FormDialog({
  label,
  title = label,
  appearance = "primary",
  children,
}: {
  /** The opening button's name. */
  label: string;
  title?: string;
  appearance?: ButtonProps["appearance"];
  /** `closeThen(next)` runs `next` (say, a navigation) once the dialog has closed: unmounted while it is still
   * closing, the dialog would leave the rest of the page hidden from assistive technology. */
  children: (close: () => void, closeThen: (next: () => void) => void) => ReactNode;
}) {
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState<{ next: () => void; closed: boolean } | null>(null);
  const close = () => setOpen(false);
  const closeThen = (next: () => void) => {
    setPending({ next, closed: false });
    setOpen(false);
  };
  const closed = () => setPending((current) => (current ? { ...current, closed: true } : current));
  useEffect(() => {
    if (!pending) return;
    // Once the closing motion is over, and after the focus manager's own update of what the modal hid (250 ms
    // later): a page unmounted before that would keep the rest of the console aria-hidden.
    const timer = pending.closed
      ? window.setTimeout(pending.next, FOCUS_MANAGER_SETTLE_MS)
      : window.setTimeout(closed, MOTION_FALLBACK_MS);
    return () => window.clearTimeout(timer);
  }, [pending]);
  return (
    <Dialog
      open={open}
      onOpenChange={(_, data) => setOpen(data.open)}
      surfaceMotion={{ onMotionFinish: (_, data) => (data.direction === "exit" ? closed() : undefined) }}
    >
      <DialogTrigger disableButtonEnhancement>
        <Button appearance={appearance}>{label}</Button>
      </DialogTrigger>
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>{children(close, closeThen)}</DialogContent>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

const useFormStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  actions: {
    display: "flex",
    justifyContent: "flex-end",
    gap: tokens.spacingHorizontalS,
    paddingTop: tokens.spacingVerticalM,
  },
});

/** The layout every create form shares: fields, then Cancel and the submit button. */
export function CreateForm({
  onSubmit,
  onCancel,
  submitLabel,
  busyLabel,
  busy,
  children,
}: {
  onSubmit: () => void;
  onCancel?: () => void;
  submitLabel: string;
  busyLabel: string;
  busy: boolean;
  children: ReactNode;
}) {
  const styles = useFormStyles();
  return (
    <form
      className={styles.form}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
      <div className={styles.actions}>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
        <Button appearance="primary" type="submit" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </Button>
      </div>
    </form>
  );
}
