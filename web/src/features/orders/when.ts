export { formatMoment } from "../../lib/moment";
