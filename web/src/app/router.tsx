/** One URL per page. Signed out: only /sign-in. Signed in: the pages the member's role opens, lazily loaded. */
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { lazy, Suspense, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation, useSearchParams } from "react-router";
import { NotAllowedPage, NotFoundPage } from "../components/ErrorPages";
import { PageLayout } from "../components/PageLayout";
import { Loading } from "../components/States";
import { isApiError, problemOf } from "../lib/api/problem";
import { useAuth } from "../lib/auth/context";
import { MeContext, useMe, useMeQuery } from "../lib/auth/me";
import { mayOpen, type PageName } from "../lib/roles";
import { safeReturnTo } from "../lib/return-to";
import { NotMemberPage } from "./routes/not-member";
import { FullPage } from "./routes/full-page";

const SignInRoute = lazy(() => import("./routes/sign-in"));
const HomeRoute = lazy(() => import("./routes/home"));
const ProvidersRoute = lazy(() => import("./routes/providers"));
const ProviderRoute = lazy(() => import("./routes/provider"));
const MembersRoute = lazy(() => import("./routes/members"));
const ResellersRoute = lazy(() => import("./routes/resellers"));
const ResellerRoute = lazy(() => import("./routes/reseller"));
const CustomersRoute = lazy(() => import("./routes/customers"));
const CustomerRoute = lazy(() => import("./routes/customer"));
const CatalogRoute = lazy(() => import("./routes/catalog"));
const OrdersRoute = lazy(() => import("./routes/orders"));
const OrderRoute = lazy(() => import("./routes/order"));
const SubscriptionsRoute = lazy(() => import("./routes/subscriptions"));
const SubscriptionRoute = lazy(() => import("./routes/subscription"));
const RenewalsRoute = lazy(() => import("./routes/renewals"));
const BillingRoute = lazy(() => import("./routes/billing"));
const BillingRunRoute = lazy(() => import("./routes/billing-run"));
const AuditRoute = lazy(() => import("./routes/audit"));
const EventSubscriptionsRoute = lazy(() => import("./routes/event-subscriptions"));
const EventSubscriptionRoute = lazy(() => import("./routes/event-subscription"));
const StoreRoute = lazy(() => import("./routes/store"));
const StoreCartRoute = lazy(() => import("./routes/store-cart"));
const StoreOrdersRoute = lazy(() => import("./routes/store-orders"));
const StoreOrderRoute = lazy(() => import("./routes/store-order"));
const StoreSubscriptionsRoute = lazy(() => import("./routes/store-subscriptions"));
const StoreChargesRoute = lazy(() => import("./routes/store-charges"));

function RedirectToSignIn() {
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;
  const target = here === "/" ? "/sign-in" : `/sign-in?returnTo=${encodeURIComponent(here)}`;
  return <Navigate to={target} replace />;
}

function BackFromSignIn() {
  const [params] = useSearchParams();
  return <Navigate to={safeReturnTo(params.get("returnTo"))} replace />;
}

function RequirePage({ page, children }: { page: PageName; children: ReactNode }) {
  const me = useMe();
  return mayOpen(me.role, page) ? children : <NotAllowedPage />;
}

function SignedIn({ userId }: { userId: string }) {
  const auth = useAuth();
  const me = useMeQuery(userId);
  const signOut = () => void auth.signOut();
  if (me.isPending) {
    return (
      <FullPage>
        <Loading label="Loading your membership…" />
      </FullPage>
    );
  }
  if (me.isError) {
    if (isApiError(me.error, 403)) return <NotMemberPage userId={userId} onSignOut={signOut} />;
    return (
      <FullPage title="The console cannot start">
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{isApiError(me.error, 401) ? "Your sign-in has expired" : "Your membership could not be read"}</MessageBarTitle>
            {problemOf(me.error)?.detail}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => void me.refetch()}>Try again</Button>
            <Button onClick={signOut}>Sign out</Button>
          </MessageBarActions>
        </MessageBar>
      </FullPage>
    );
  }
  return (
    <MeContext.Provider value={me.data}>
      <PageLayout member={me.data} userId={userId} onSignOut={signOut}>
        <Suspense fallback={<Loading label="Loading the page…" />}>
          <Routes>
            <Route path="/sign-in" element={<BackFromSignIn />} />
            <Route path="/" element={<HomeRoute />} />
            <Route path="/providers" element={<RequirePage page="providers"><ProvidersRoute /></RequirePage>} />
            <Route path="/providers/:id" element={<RequirePage page="provider"><ProviderRoute /></RequirePage>} />
            <Route path="/members" element={<RequirePage page="members"><MembersRoute /></RequirePage>} />
            <Route path="/resellers" element={<RequirePage page="resellers"><ResellersRoute /></RequirePage>} />
            <Route path="/resellers/:id" element={<RequirePage page="reseller"><ResellerRoute /></RequirePage>} />
            <Route path="/customers" element={<RequirePage page="customers"><CustomersRoute /></RequirePage>} />
            <Route path="/customers/:id" element={<RequirePage page="customer"><CustomerRoute /></RequirePage>} />
            <Route path="/catalog" element={<RequirePage page="catalog"><CatalogRoute /></RequirePage>} />
            <Route path="/orders" element={<RequirePage page="orders"><OrdersRoute /></RequirePage>} />
            <Route path="/orders/:id" element={<RequirePage page="order"><OrderRoute /></RequirePage>} />
            <Route path="/subscriptions" element={<RequirePage page="subscriptions"><SubscriptionsRoute /></RequirePage>} />
            <Route path="/subscriptions/:id" element={<RequirePage page="subscription"><SubscriptionRoute /></RequirePage>} />
            <Route path="/renewals" element={<RequirePage page="renewals"><RenewalsRoute /></RequirePage>} />
            <Route path="/billing" element={<RequirePage page="billing"><BillingRoute /></RequirePage>} />
            <Route path="/billing/:id" element={<RequirePage page="billingRun"><BillingRunRoute /></RequirePage>} />
            <Route path="/audit" element={<RequirePage page="audit"><AuditRoute /></RequirePage>} />
            <Route path="/event-subscriptions" element={<RequirePage page="eventSubscriptions"><EventSubscriptionsRoute /></RequirePage>} />
            <Route path="/event-subscriptions/:id" element={<RequirePage page="eventSubscription"><EventSubscriptionRoute /></RequirePage>} />
            <Route path="/store" element={<Navigate to="/store/catalog" replace />} />
            <Route path="/store/catalog" element={<RequirePage page="store"><StoreRoute /></RequirePage>} />
            <Route path="/store/cart" element={<RequirePage page="store"><StoreCartRoute /></RequirePage>} />
            <Route path="/store/orders" element={<RequirePage page="store"><StoreOrdersRoute /></RequirePage>} />
            <Route path="/store/orders/:id" element={<RequirePage page="store"><StoreOrderRoute /></RequirePage>} />
            <Route path="/store/subscriptions" element={<RequirePage page="store"><StoreSubscriptionsRoute /></RequirePage>} />
            <Route path="/store/charges" element={<RequirePage page="store"><StoreChargesRoute /></RequirePage>} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </PageLayout>
    </MeContext.Provider>
  );
}

export function AppRoutes() {
  const auth = useAuth();
  const { state } = auth;
  if (state.status === "starting") {
    return (
      <FullPage>
        <Loading label="Starting the console…" />
      </FullPage>
    );
  }
  if (state.status === "unavailable") {
    return (
      <FullPage title="The console cannot start">
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>The sign-in settings could not be read</MessageBarTitle>
            {state.error}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={auth.retry}>Try again</Button>
          </MessageBarActions>
        </MessageBar>
      </FullPage>
    );
  }
  if (state.status === "signedOut") {
    return (
      <Suspense
        fallback={
          <FullPage>
            <Loading />
          </FullPage>
        }
      >
        <Routes>
          <Route path="/sign-in" element={<SignInRoute />} />
          <Route path="*" element={<RedirectToSignIn />} />
        </Routes>
      </Suspense>
    );
  }
  return <SignedIn key={state.userId} userId={state.userId} />;
}
