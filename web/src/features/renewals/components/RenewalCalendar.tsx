/**
 * The renewal calendar: every renewal in a date range (the next 90 days unless told), by month, with the customer,
 * the reseller (for the provider), the item, the seats, what happens at the end of the term and the next term's
 * price at the caller's tier; or, filtered, the subscriptions heading into the paid Extended Service Term with the
 * premium each will cost.
 */
import {
  Button,
  Field,
  Input,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { Link } from "react-router";
import { Section } from "../../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import type { RenewalItem } from "../../../lib/api/extra";
import { problemOf, viewProblem } from "../../../lib/api/problem";
import { formatMoney } from "../../../lib/money";
import type { Subscription } from "../../subscriptions";
import { dayOf, termAndCycle } from "../../subscriptions/format";
import { END_OF_TERM_LABELS, percentOf } from "../../subscriptions/life";
import { CustomerLink } from "../../worklists/components/PartyLinks";
import { useHeadingIntoExtendedTerm, useRenewalCalendar } from "../api/renewals";
import { byMonth, defaultRange, monthLabel } from "../calendar";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  toolbar: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalL, alignItems: "flex-end" },
  scroll: { overflowX: "auto" },
});

const subscriptionLink = (id: string, name: string) => <Link to={`/subscriptions/${encodeURIComponent(id)}`}>{name}</Link>;

function priceText(item: RenewalItem): string {
  if (item.endOfTerm === "cancel" || !item.price) return "none: it ends";
  const per = item.endOfTerm === "extendedServiceTerm" ? "a month, with the premium" : "for the term's first period";
  return `${formatMoney(item.price.total, item.price.currency)} ${per} (${formatMoney(item.price.unitPrice, item.price.currency)} per seat)`;
}

function MonthTable({ month, items, providerStaff }: { month: string; items: RenewalItem[]; providerStaff: boolean }) {
  const styles = useStyles();
  return (
    <Section title={monthLabel(month)}>
      <div className={styles.scroll}>
        <Table aria-label={`Renewals in ${monthLabel(month)}`} size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Term ends</TableHeaderCell>
              <TableHeaderCell>Customer</TableHeaderCell>
              {providerStaff ? <TableHeaderCell>Reseller</TableHeaderCell> : null}
              <TableHeaderCell>Item</TableHeaderCell>
              <TableHeaderCell>Seats</TableHeaderCell>
              <TableHeaderCell>At the end of the term</TableHeaderCell>
              <TableHeaderCell>Price</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((item) => (
              <TableRow key={item.subscriptionId}>
                <TableCell>{dayOf(item.renewalDate)}</TableCell>
                <TableCell>
                  <Link to={`/customers/${encodeURIComponent(item.customerId)}`}>{item.customerName ?? item.customerId}</Link>
                </TableCell>
                {providerStaff ? (
                  <TableCell>
                    {item.resellerId ? <Link to={`/resellers/${encodeURIComponent(item.resellerId)}`}>{item.resellerName ?? item.resellerId}</Link> : "—"}
                  </TableCell>
                ) : null}
                <TableCell>
                  {subscriptionLink(item.subscriptionId, item.name)}
                  <br />
                  <Text size={200}>{termAndCycle(item)}</Text>
                </TableCell>
                <TableCell>{item.quantity}</TableCell>
                <TableCell>{END_OF_TERM_LABELS[item.endOfTerm] ?? item.endOfTerm}</TableCell>
                <TableCell>{priceText(item)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </Section>
  );
}

function Renewals({ from, to, providerStaff }: { from: string; to: string; providerStaff: boolean }) {
  const calendar = useRenewalCalendar(from, to);
  if (calendar.isPending) return <Loading label="Loading the renewals…" />;
  if (calendar.isError) {
    const view = viewProblem(problemOf(calendar.error), []);
    return <ErrorState error={calendar.error} onRetry={view ? undefined : () => void calendar.refetch()} />;
  }
  const items = calendar.data.pages.flatMap((page) => page.items);
  if (items.length === 0) return <EmptyState>No subscription renews or ends from {from} to {to}.</EmptyState>;
  return (
    <>
      {byMonth(items).map((group) => (
        <MonthTable key={group.month} month={group.month} items={group.items} providerStaff={providerStaff} />
      ))}
      {calendar.hasNextPage ? (
        <div>
          <Button disabled={calendar.isFetchingNextPage} onClick={() => void calendar.fetchNextPage()}>
            {calendar.isFetchingNextPage ? "Loading…" : "Show more renewals"}
          </Button>
        </div>
      ) : null}
    </>
  );
}

function premiumText(sub: Subscription): string {
  const price = sub.extendedServiceTermPrice;
  if (!price) return "—";
  return `${formatMoney(price.total, price.currency)} a month (${formatMoney(price.unitPrice, price.currency)} per seat, premium ${percentOf(price.premiumRate)})`;
}

function HeadingIntoExtendedTerm({ providerStaff }: { providerStaff: boolean }) {
  const styles = useStyles();
  const list = useHeadingIntoExtendedTerm(true);
  if (list.isPending) return <Loading label="Loading the subscriptions heading into the Extended Service Term…" />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  const items = list.data.pages.flatMap((page) => page.items);
  if (items.length === 0) return <EmptyState>No subscription is heading into the Extended Service Term.</EmptyState>;
  return (
    <div className={styles.scroll}>
      <Table aria-label="Heading into the Extended Service Term" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Term ends</TableHeaderCell>
            <TableHeaderCell>Customer</TableHeaderCell>
            {providerStaff ? <TableHeaderCell>Reseller</TableHeaderCell> : null}
            <TableHeaderCell>Item</TableHeaderCell>
            <TableHeaderCell>Seats</TableHeaderCell>
            <TableHeaderCell>Extended Service Term price</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.map((sub) => (
            <TableRow key={sub.id}>
              <TableCell>{dayOf(sub.extendedServiceTerm?.endDate ?? sub.endOfTermDate ?? sub.termEndDate)}</TableCell>
              <TableCell>
                <CustomerLink id={sub.customerId} />
              </TableCell>
              {providerStaff ? (
                <TableCell>{sub.resellerId ? <Link to={`/resellers/${encodeURIComponent(sub.resellerId)}`}>{sub.resellerId}</Link> : "—"}</TableCell>
              ) : null}
              <TableCell>
                {subscriptionLink(sub.id, sub.name)}
                {sub.extendedServiceTerm ? <Text size={200}> (in it since {dayOf(sub.extendedServiceTerm.startDate)})</Text> : null}
              </TableCell>
              <TableCell>{sub.quantity}</TableCell>
              <TableCell>{premiumText(sub)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {list.hasNextPage ? (
        <Button disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          Show more
        </Button>
      ) : null}
    </div>
  );
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function RenewalCalendar({ now, providerStaff }: { now: Date; providerStaff: boolean }) {
  const styles = useStyles();
  const [range, setRange] = useState(() => defaultRange(now));
  const [draft, setDraft] = useState(range);
  const [extendedOnly, setExtendedOnly] = useState(false);
  const problem =
    !DAY.test(draft.from) || !DAY.test(draft.to)
      ? "Enter both days."
      : draft.to < draft.from
        ? "The last day comes before the first."
        : null;
  const apply = () => {
    if (!problem) setRange(draft);
  };
  return (
    <div className={styles.root}>
      <form
        className={styles.toolbar}
        aria-label="Renewals shown"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          apply();
        }}
      >
        <Field label="From" validationState={problem ? "error" : "none"} validationMessage={problem ?? undefined}>
          <Input type="date" value={draft.from} disabled={extendedOnly} onChange={(_, data) => setDraft({ ...draft, from: data.value })} />
        </Field>
        <Field label="To">
          <Input type="date" value={draft.to} disabled={extendedOnly} onChange={(_, data) => setDraft({ ...draft, to: data.value })} />
        </Field>
        <Button type="submit" disabled={extendedOnly || !!problem}>
          Show these days
        </Button>
        <Switch
          label="Only those heading into the Extended Service Term"
          checked={extendedOnly}
          onChange={(_, data) => setExtendedOnly(data.checked)}
        />
      </form>
      {extendedOnly ? (
        <HeadingIntoExtendedTerm providerStaff={providerStaff} />
      ) : (
        <Renewals from={range.from} to={range.to} providerStaff={providerStaff} />
      )}
    </div>
  );
}
