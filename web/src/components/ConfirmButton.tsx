import { useEffect, useRef, useState, type ReactNode } from 'react';

interface ConfirmButtonProps {
  label: string;
  /** the question asked before acting, e.g. "Delete Shop?" */
  question: ReactNode;
  confirmLabel?: string;
  onConfirm: () => Promise<void> | void;
  danger?: boolean;
  disabled?: boolean;
}

/**
 * ConfirmButton asks inline before a destructive action, instead of a
 * window.confirm dialog: the question stays in the page, readable by screen
 * readers and scriptable in browser tests, and focus moves to the answer.
 */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, danger = true, disabled }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
  }, [asking]);

  if (!asking) {
    return (
      <button type="button" className={danger ? 'danger' : 'secondary'} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <span className="confirm" role="group" aria-label={label}>
      <span className="question">{question}</span>
      <button type="button" className={danger ? 'danger solid' : ''} onClick={confirm} disabled={busy}>
        {busy ? 'Working…' : (confirmLabel ?? label)}
      </button>
      <button type="button" className="secondary" ref={cancelRef} onClick={() => setAsking(false)} disabled={busy}>
        Cancel
      </button>
    </span>
  );
}
