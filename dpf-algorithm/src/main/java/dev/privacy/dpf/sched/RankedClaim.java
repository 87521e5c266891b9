package dev.privacy.dpf.sched;

/** What a {@link Policy} may look at to order waiting claims. */
public interface RankedClaim {

  /** The claim's id. */
  String id();

  /** Its arrival sequence number. */
  long arrival();

  /**
   * Its share of each demanded block ({@code d_ij / G_j}, over usable orders under Rényi), largest
   * first. The first is the dominant share. Callers must not modify the array.
   */
  double[] shares();

  /** The dominant share: the largest of {@link #shares()}, or 0 for a claim on no block. */
  default double dominantShare() {
    double[] s = shares();
    return s.length == 0 ? 0 : s[0];
  }
}
