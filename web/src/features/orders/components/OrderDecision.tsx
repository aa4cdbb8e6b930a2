/** Approve or reject an order waiting for approval; one decided meanwhile (409) says so, and the order is read
 * again. */
import {
  Button,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CreateForm, FormDialog } from "../../../components/FormDialog";
import { ProblemBar } from "../../../components/ProblemBar";
import { useFormValues, useSubmitOnce } from "../../../components/form-state";
import { isApiError, problemOf, viewProblem } from "../../../lib/api/problem";
import { inFlight, useApproveOrder, useRefreshOrder, useRejectOrder, useShowOrder, type Order } from "../api/orders";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, alignItems: "flex-start" },
  buttons: { display: "flex", gap: tokens.spacingHorizontalS },
});

function Refusal({ error }: { error: unknown }) {
  const problem = problemOf(error);
  if (!problem) return null;
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{isApiError(error, 409) ? "Already decided" : problem.title}</MessageBarTitle>
        {problem.detail}
      </MessageBarBody>
    </MessageBar>
  );
}

export function RejectOrderForm({
  order,
  onRejected,
  onCancel,
}: {
  order: Order;
  onRejected: (order: Order) => void;
  onCancel?: () => void;
}) {
  const form = useFormValues({ reason: "" });
  const reject = useRejectOrder(order.id);
  const submitOnce = useSubmitOnce(reject);
  const view = viewProblem(problemOf(reject.error), ["reason"]);
  const missing = form.values.reason.trim() === "";
  return (
    <CreateForm
      onSubmit={() => (missing ? undefined : submitOnce({ reason: form.values.reason.trim() }, onRejected))}
      onCancel={onCancel}
      submitLabel="Reject order"
      busyLabel="Rejecting…"
      busy={reject.isPending}
    >
      {isApiError(reject.error, 409) ? <Refusal error={reject.error} /> : <ProblemBar view={view} />}
      <Field
        label="Reason"
        required
        hint="The customer and the staff see it on the order."
        validationState={view?.fields["reason"] ? "error" : "none"}
        validationMessage={view?.fields["reason"]}
      >
        <Textarea name="reason" value={form.values.reason} maxLength={1000} resize="vertical" onChange={(_, data) => form.set("reason")(data.value)} />
      </Field>
    </CreateForm>
  );
}

/** For staff who may decide: the decision while the order waits, and what came of an approval afterwards (the
 * approval answered, or a 409 when someone decided first). */
export function OrderDecision({ order }: { order: Order }) {
  const styles = useStyles();
  const approve = useApproveOrder(order.id);
  const submitApproval = useSubmitOnce(approve);
  const show = useShowOrder();
  const refresh = useRefreshOrder(order.id);
  const waiting = order.status === "pendingApproval";
  if (!waiting && !approve.isError && !approve.isSuccess) return null;
  return (
    <div className={styles.root}>
      {waiting ? (
        <>
          <MessageBar intent="warning">
            <MessageBarBody>
              <MessageBarTitle>Waiting for approval</MessageBarTitle>
              Nothing is bought until the order is approved; approved, it is provisioned at once.
            </MessageBarBody>
          </MessageBar>
          <div className={styles.buttons}>
            <Button appearance="primary" disabled={approve.isPending} onClick={() => submitApproval(undefined, () => undefined)}>
              {approve.isPending ? "Approving…" : "Approve order"}
            </Button>
            <FormDialog label="Reject order" title="Reject the order" appearance="secondary">
              {(_, closeThen) => (
                <RejectOrderForm
                  order={order}
                  onCancel={() => closeThen(refresh)}
                  onRejected={(rejected) => closeThen(() => show(rejected))}
                />
              )}
            </FormDialog>
          </div>
        </>
      ) : null}
      {approve.isSuccess && !waiting ? (
        <MessageBar intent="success">
          <MessageBarBody>{inFlight(order.status) ? "Approved: the order is being provisioned." : "Approved."}</MessageBarBody>
        </MessageBar>
      ) : null}
      {approve.isError ? <Refusal error={approve.error} /> : null}
    </div>
  );
}
