package dev.privacy.dpf.ledger;

/**
 * An operation that would break a block's ledger: a grant that does not fit, a spend above its
 * grant, or a broken invariant. The ledger is immutable, so the state before the call is intact.
 */
public class LedgerException extends IllegalStateException {
  public LedgerException(String message) {
    super(message);
  }
}
