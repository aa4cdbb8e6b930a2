/** /renewals: the renewal calendar of every subscription in the caller's scope, by month, with the next term's
 * price; and those heading into the paid Extended Service Term with their premium. */
import { Text } from "@fluentui/react-components";
import { useState } from "react";
import { Page } from "../../components/Page";
import { RenewalCalendar } from "../../features/renewals";
import { useMe } from "../../lib/auth/me";
import { isProviderStaff } from "../../lib/roles";

export default function RenewalsRoute() {
  const me = useMe();
  const providerStaff = isProviderStaff(me.role);
  const [now] = useState(() => new Date());
  return (
    <Page title="Renewals">
      <Text>
        What renews or ends on which day{providerStaff ? ", for every reseller's customers" : ", for your customers"}, and
        at what price; a subscription whose end of term is the Extended Service Term goes on month by month at a premium.
      </Text>
      <RenewalCalendar now={now} providerStaff={providerStaff} />
    </Page>
  );
}
