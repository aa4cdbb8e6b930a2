/** RFC 9457 problem details as the API sends them, and how a form shows them. */

export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[] | null;
  instance?: string | null;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "title" in value && "status" in value;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }

  static from(response: Response, body: unknown): ApiError {
    if (isProblem(body)) {
      return new ApiError({ ...body, detail: body.detail ?? "", status: body.status ?? response.status });
    }
    const detail = typeof body === "string" && body.trim() ? body.trim().slice(0, 500) : response.statusText;
    return new ApiError({
      type: "about:blank",
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      detail: detail || `The API answered ${response.status}.`,
    });
  }

  static unreachable(cause: unknown): ApiError {
    const error = new ApiError({
      type: "about:blank",
      title: "The API cannot be reached",
      status: 0,
      detail: cause instanceof Error ? cause.message : "The request did not complete.",
    });
    return error;
  }
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}

export interface ProblemView {
  /** Messages for the form's own fields, by field path as the API writes it: names joined by dots, list indexes in
   * brackets (`billingProfile.defaultAddress.city`, `lines[0].quantity`). */
  fields: Record<string, string>;
  /** What goes in a MessageBar: the detail when no error matches a field, else the unmatched messages. */
  general: string | null;
  title: string;
}

/** Splits a problem between the form's fields (by `errors[].field`) and one general message. */
export function viewProblem(problem: Problem | null | undefined, knownFields: readonly string[]): ProblemView | null {
  if (!problem) return null;
  const known = new Set(knownFields);
  const fields: Record<string, string> = {};
  const unmatched: string[] = [];
  for (const error of problem.errors ?? []) {
    if (known.has(error.field)) {
      fields[error.field] = fields[error.field] ? `${fields[error.field]}; ${error.message}` : error.message;
    } else {
      unmatched.push(error.field ? `${error.field}: ${error.message}` : error.message);
    }
  }
  const matchedAny = Object.keys(fields).length > 0;
  const general = !matchedAny ? problem.detail || problem.title : unmatched.length > 0 ? unmatched.join("; ") : null;
  return { fields, general, title: problem.title };
}

export function problemOf(error: unknown): Problem | null {
  if (error instanceof ApiError) return error.problem;
  if (error instanceof Error) return { type: "about:blank", title: "Something went wrong", status: 0, detail: error.message };
  return null;
}
