/** Form state shared by the forms: values, the Idempotency-Key of the submission, one submission at a time. */
import type { UseMutationResult } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { newIdempotencyKey } from "../lib/api/client";

export interface Option {
  value: string;
  label: string;
}

/**
 * A form's values plus the Idempotency-Key of the submission being prepared: the key stays the same while the
 * values do (so a double click or a retry does nothing twice) and changes with them.
 */
export function useFormValues<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState<T>(initial);
  const key = useRef(newIdempotencyKey());
  const set = useCallback((name: keyof T) => {
    return (value: string) => {
      key.current = newIdempotencyKey();
      setValues((current) => ({ ...current, [name]: value }));
    };
  }, []);
  const first = useRef(initial);
  const reset = useCallback((next?: T) => {
    key.current = newIdempotencyKey();
    setValues(next ?? first.current);
  }, []);
  return { values, set, reset, idempotencyKey: () => key.current };
}

/** Runs a mutation once per submission: a second submit while the first is in flight does nothing. */
export function useSubmitOnce<TData, TVariables>(mutation: UseMutationResult<TData, Error, TVariables, unknown>) {
  const inFlight = useRef(false);
  return (variables: TVariables, onSuccess: (data: TData) => void) => {
    if (inFlight.current) return;
    inFlight.current = true;
    mutation.mutate(variables, {
      onSuccess: (data) => onSuccess(data),
      onSettled: () => {
        inFlight.current = false;
      },
    });
  };
}

/** Trims a value and turns an empty one into null, for optional fields. */
export function optional(value: string): string | null {
  const trimmed = value.trim();
  return trimmed ? trimmed : null;
}
