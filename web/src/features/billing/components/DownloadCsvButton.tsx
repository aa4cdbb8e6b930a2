import { Button } from "@fluentui/react-components";
import { ErrorState } from "../../../components/States";
import { useDownloadLinesCsv } from "../api/billing";

/** Every line the caller may read, saved as <runId>.csv. */
export function DownloadCsvButton({ runId }: { runId: string }) {
  const download = useDownloadLinesCsv(runId);
  return (
    <>
      <Button disabled={download.isPending} onClick={() => download.mutate()}>
        {download.isPending ? "Preparing the CSV…" : "Download lines (CSV)"}
      </Button>
      {download.isError ? <ErrorState error={download.error} onRetry={() => download.mutate()} /> : null}
    </>
  );
}
