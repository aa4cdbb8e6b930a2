/** Billing periods are calendar months in UTC ("2026-12"). */
export const periodOf = (moment: Date) => moment.toISOString().slice(0, 7);

export const currentPeriod = () => periodOf(new Date());
