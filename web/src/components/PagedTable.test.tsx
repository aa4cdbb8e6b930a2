import { queryOptions } from "@tanstack/react-query";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderWith } from "../testing/render";
import { PagedTable } from "./PagedTable";

type Row = { id: string; name: string };
const pages: Record<string, { items: Row[]; continuationToken: string | null }> = {
  first: { items: [{ id: "1", name: "Alpha" }, { id: "2", name: "Bravo" }], continuationToken: "t2" },
  t2: { items: [{ id: "3", name: "Charlie" }], continuationToken: "t3" },
  t3: { items: [{ id: "4", name: "Delta" }], continuationToken: null },
};
const requested: (string | null)[] = [];
const page = (token: string | null) =>
  queryOptions({
    queryKey: ["rows", token],
    queryFn: async () => {
      requested.push(token);
      return pages[token ?? "first"]!;
    },
  });

describe("the paged table", () => {
  it("walks forward and back with the continuation tokens", async () => {
    const user = userEvent.setup();
    renderWith(
      <PagedTable
        label="Rows"
        columns={[{ key: "name", header: "Name", cell: (r: Row) => r.name }]}
        rowKey={(r) => r.id}
        page={page}
        empty="none"
      />,
    );
    expect(await screen.findByRole("cell", { name: "Alpha" })).toBeInTheDocument();
    expect(screen.getByRole("columnheader", { name: "Name" })).toBeInTheDocument();
    const previous = screen.getByRole("button", { name: "Previous page" });
    const next = screen.getByRole("button", { name: "Next page" });
    expect(previous).toBeDisabled();

    await user.click(next);
    expect(await screen.findByRole("cell", { name: "Charlie" })).toBeInTheDocument();
    expect(screen.queryByRole("cell", { name: "Alpha" })).toBeNull();
    expect(screen.getByText(/Page 2/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByRole("cell", { name: "Delta" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Next page" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Previous page" }));
    expect(await screen.findByRole("cell", { name: "Charlie" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Previous page" }));
    expect(await screen.findByRole("cell", { name: "Alpha" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Previous page" })).toBeDisabled();
    expect(requested).toEqual([null, "t2", "t3"]);
  });

  it("shows the empty state when the first page has nothing", async () => {
    renderWith(
      <PagedTable
        label="Rows"
        columns={[{ key: "name", header: "Name", cell: (r: Row) => r.name }]}
        rowKey={(r) => r.id}
        page={() => queryOptions({ queryKey: ["none"], queryFn: async () => ({ items: [] as Row[], continuationToken: null }) })}
        empty="Nothing here yet."
      />,
    );
    expect(await screen.findByText("Nothing here yet.")).toBeInTheDocument();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("shows the error state with the problem's detail", async () => {
    renderWith(
      <PagedTable
        label="Rows"
        columns={[{ key: "name", header: "Name", cell: (r: Row) => r.name }]}
        rowKey={(r) => r.id}
        page={() =>
          queryOptions({
            queryKey: ["boom"],
            queryFn: async (): Promise<{ items: Row[]; continuationToken: string | null }> => {
              throw new Error("storage is down");
            },
          })
        }
        empty="none"
      />,
    );
    expect(await screen.findByText("storage is down")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
