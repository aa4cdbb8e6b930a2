/** The storefront's catalog: the customer's own market at its own prices, within its reseller's policy; a search,
 * one card per product, more products page by page. */
import { Button, Field, SearchBox, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { Page } from "../../../components/Page";
import { EmptyState, Loading } from "../../../components/States";
import { storeCatalogQuery } from "../api/storefront";
import { groupProducts } from "../products";
import { useCart } from "../useCart";
import { ProductCard } from "./ProductCard";
import { StoreError } from "./StoreError";

const useStyles = makeStyles({
  grid: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(22rem, 1fr))", gap: tokens.spacingHorizontalL },
  search: { maxWidth: "28rem" },
});

export function StoreCatalog({ customerId }: { customerId: string }) {
  const styles = useStyles();
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const timer = window.setTimeout(() => setQ(typed.trim()), 300);
    return () => window.clearTimeout(timer);
  }, [typed]);
  const catalog = useInfiniteQuery(storeCatalogQuery(q));
  const cart = useCart(customerId);
  const count = cart.lines.length;
  if (catalog.isError && !catalog.data) {
    return <StoreError title="Store" error={catalog.error} onRetry={() => void catalog.refetch()} />;
  }
  const products = groupProducts(catalog.data?.pages.flatMap((page) => page.items) ?? []);
  return (
    <Page
      title="Store"
      actions={<Link to="/store/cart">{count ? `Cart (${count} ${count === 1 ? "line" : "lines"})` : "Cart (empty)"}</Link>}
    >
      <Field label="Search the catalog" className={styles.search}>
        <SearchBox value={typed} onChange={(_, data) => setTyped(data.value)} placeholder="Product name" />
      </Field>
      <Text aria-live="polite" size={200}>
        {catalog.isFetching && !catalog.isFetchingNextPage ? "Searching…" : q ? `Showing products matching “${q}”.` : ""}
      </Text>
      {catalog.isPending ? (
        <Loading label="Loading the catalog…" />
      ) : products.length === 0 ? (
        <EmptyState>{q ? `No product matches “${q}”.` : "No product is offered in your storefront yet."}</EmptyState>
      ) : (
        <>
          <Text>Prices are yours, in your market's currency, before tax.</Text>
          <div className={styles.grid}>
            {products.map((product) => (
              <ProductCard key={product.key} product={product} onAdd={cart.add} />
            ))}
          </div>
          {catalog.hasNextPage ? (
            <Button disabled={catalog.isFetchingNextPage} onClick={() => void catalog.fetchNextPage()}>
              {catalog.isFetchingNextPage ? "Loading more…" : "Show more products"}
            </Button>
          ) : null}
        </>
      )}
    </Page>
  );
}
