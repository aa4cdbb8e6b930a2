/** Cancel a subscription, inside its cancellation window, after saying what it means. */
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Text,
} from "@fluentui/react-components";
import { useState } from "react";
import { ErrorState } from "../../../components/States";
import { useCancelSubscription, type PendingChange, type Subscription } from "../api/subscriptions";
import { momentText } from "../format";

export function CancelDialog({
  sub,
  windowText,
  disabled,
  onAsked,
}: {
  sub: Subscription;
  windowText: string;
  disabled: boolean;
  onAsked: (change: PendingChange | null) => void;
}) {
  const [open, setOpen] = useState(false);
  const cancel = useCancelSubscription(sub.id);
  return (
    <Dialog
      open={open}
      onOpenChange={(_, data) => {
        setOpen(data.open);
        if (!data.open) cancel.reset();
      }}
    >
      <DialogTrigger disableButtonEnhancement>
        <Button disabled={disabled}>Cancel the subscription…</Button>
      </DialogTrigger>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Cancel {sub.name}?</DialogTitle>
          <DialogContent>
            <Text as="p">
              All {sub.quantity} {sub.quantity === 1 ? "seat ends" : "seats end"} and the customer loses the licenses.
              Cancelling is possible until {momentText(sub.cancellationWindowEndsAt)} ({windowText}); it cannot be
              undone.
            </Text>
            {cancel.isError ? <ErrorState error={cancel.error} /> : null}
          </DialogContent>
          <DialogActions>
            <DialogTrigger disableButtonEnhancement>
              <Button>Keep the subscription</Button>
            </DialogTrigger>
            <Button
              appearance="primary"
              disabled={cancel.isPending}
              onClick={() =>
                cancel.mutate(undefined, {
                  onSuccess: (updated) => {
                    setOpen(false);
                    onAsked(updated.pendingChange);
                  },
                })
              }
            >
              {cancel.isPending ? "Cancelling…" : "Cancel the subscription"}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
