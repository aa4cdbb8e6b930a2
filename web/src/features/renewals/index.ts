export { RenewalCalendar } from "./components/RenewalCalendar";
