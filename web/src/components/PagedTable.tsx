/**
 * A table over a paged list route (`{items, continuationToken}`): "Previous page" / "Next page" walk the
 * continuation tokens; filters sit in the toolbar and start again from the first page when they change.
 */
import {
  Button,
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
import { keepPreviousData, useQuery, type QueryKey, type UseQueryOptions } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { EmptyState, ErrorState, Loading } from "./States";

export interface PageOf<T> {
  items: T[];
  continuationToken?: string | null;
}

export interface Column<T> {
  key: string;
  header: string;
  cell: (item: T) => ReactNode;
}

type ItemOf<P extends PageOf<unknown>> = P["items"][number];

export interface PagedTableProps<P extends PageOf<unknown>, K extends QueryKey> {
  /** The table's accessible name. */
  label: string;
  columns: Column<ItemOf<P>>[];
  rowKey: (item: ItemOf<P>) => string;
  /** Query options for one page, from its continuation token (null: the first page). */
  page: (token: string | null) => UseQueryOptions<P, Error, P, K>;
  /** Changing it (e.g. the filters) goes back to the first page. */
  resetKey?: string;
  toolbar?: ReactNode;
  empty: ReactNode;
}

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  toolbar: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalL, alignItems: "flex-end" },
  scroll: { overflowX: "auto" },
  pager: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
});

export function PagedTable<P extends PageOf<unknown>, K extends QueryKey>({
  label,
  columns,
  rowKey,
  page,
  resetKey = "",
  toolbar,
  empty,
}: PagedTableProps<P, K>) {
  const styles = useStyles();
  const [position, setPosition] = useState<{ resetKey: string; tokens: (string | null)[] }>({
    resetKey,
    tokens: [null],
  });
  let tokensStack = position.tokens;
  if (position.resetKey !== resetKey) {
    tokensStack = [null];
    setPosition({ resetKey, tokens: tokensStack });
  }
  const token = tokensStack[tokensStack.length - 1] ?? null;
  const query = useQuery({ ...page(token), placeholderData: keepPreviousData });
  const pageNumber = tokensStack.length;
  const next = query.data?.continuationToken ?? null;
  const items: ItemOf<P>[] = query.data?.items ?? [];

  let body: ReactNode;
  if (query.isPending) body = <Loading label={`Loading ${label.toLowerCase()}…`} />;
  else if (query.isError) body = <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  else if (items.length === 0 && pageNumber === 1) body = <EmptyState>{empty}</EmptyState>;
  else
    body = (
      <div className={styles.scroll}>
        <Table aria-label={label} size="medium">
          <TableHeader>
            <TableRow>
              {columns.map((column) => (
                <TableHeaderCell key={column.key}>{column.header}</TableHeaderCell>
              ))}
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((item) => (
              <TableRow key={rowKey(item)}>
                {columns.map((column) => (
                  <TableCell key={column.key}>{column.cell(item)}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    );

  return (
    <div className={styles.root}>
      {toolbar ? <div className={styles.toolbar}>{toolbar}</div> : null}
      {body}
      <div className={styles.pager}>
        <Button
          disabled={pageNumber <= 1 || query.isFetching}
          onClick={() => setPosition({ resetKey, tokens: tokensStack.slice(0, -1) })}
        >
          Previous page
        </Button>
        <Button
          disabled={!next || query.isFetching || query.isPlaceholderData}
          onClick={() => next && setPosition({ resetKey, tokens: [...tokensStack, next] })}
        >
          Next page
        </Button>
        <Text aria-live="polite">
          Page {pageNumber}
          {query.isFetching && !query.isPending ? " (updating…)" : ""}
        </Text>
      </div>
    </div>
  );
}
