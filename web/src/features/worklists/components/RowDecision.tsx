/** Approve or reject an order from the approval queue; what came of it is told above the list (the row leaves the
 * queue once decided). */
import { Button, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from "@fluentui/react-components";
import { useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { Link } from "react-router";
import { FormDialog } from "../../../components/FormDialog";
import { isApiError, problemOf } from "../../../lib/api/problem";
import { formatMoment } from "../../../lib/moment";
import { RejectOrderForm, inFlight, useApproveOrder, useRefreshOrder, useShowOrder, type Order } from "../../orders";
import { useCustomerName } from "../api/worklists";

export type Decision =
  | { kind: "approved"; order: Order }
  | { kind: "rejected"; order: Order }
  | { kind: "refused"; order: Order; error: unknown };

const useStyles = makeStyles({
  buttons: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

export function RowDecision({ order, onDecision }: { order: Order; onDecision: (decision: Decision) => void }) {
  const styles = useStyles();
  const approve = useApproveOrder(order.id);
  const sending = useRef(false);
  const show = useShowOrder();
  const refresh = useRefreshOrder(order.id);
  const queryClient = useQueryClient();
  if (order.status !== "pendingApproval") return "—";
  const approveOnce = () => {
    if (sending.current) return;
    sending.current = true;
    approve.mutate(undefined, {
      onSuccess: (approved) => onDecision({ kind: "approved", order: approved }),
      onError: (error) => {
        onDecision({ kind: "refused", order, error });
        // Decided meanwhile: the queue is read again, and the row leaves it.
        void queryClient.invalidateQueries({ queryKey: ["orders", "list"] });
      },
      onSettled: () => {
        sending.current = false;
      },
    });
  };
  return (
    <div className={styles.buttons}>
      <Button
        size="small"
        appearance="primary"
        disabled={approve.isPending}
        aria-label={`Approve the order of ${formatMoment(order.createdAt)}`}
        onClick={approveOnce}
      >
        {approve.isPending ? "Approving…" : "Approve"}
      </Button>
      <FormDialog label="Reject" title="Reject the order" appearance="secondary">
        {(_, closeThen) => (
          <RejectOrderForm
            order={order}
            onCancel={() => closeThen(refresh)}
            onRejected={(rejected) =>
              closeThen(() => {
                show(rejected);
                onDecision({ kind: "rejected", order: rejected });
              })
            }
          />
        )}
      </FormDialog>
    </div>
  );
}

/** What the last decision made from the queue came to, with the order's page. */
export function DecisionBar({ decision }: { decision: Decision }) {
  const customerName = useCustomerName(decision.order.customerId) ?? "the customer";
  const link = <Link to={`/orders/${encodeURIComponent(decision.order.id)}`}>Open the order</Link>;
  if (decision.kind === "refused") {
    const problem = problemOf(decision.error);
    return (
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>
            {isApiError(decision.error, 409) ? "Already decided" : (problem?.title ?? "The order could not be approved")}
          </MessageBarTitle>
          {problem?.detail} {link}
        </MessageBarBody>
      </MessageBar>
    );
  }
  const text =
    decision.kind === "rejected"
      ? `The order of ${customerName} is rejected.`
      : inFlight(decision.order.status)
        ? `The order of ${customerName} is approved and being provisioned.`
        : `The order of ${customerName} is approved.`;
  return (
    <MessageBar intent="success" layout="multiline">
      <MessageBarBody>
        {text} {link}
      </MessageBarBody>
    </MessageBar>
  );
}
