package dev.privacy.dpf.sim;

import java.util.Arrays;

/**
 * What one run produced: claim counts by class and the scheduling delays (arrival to grant) of the
 * granted claims.
 *
 * @param arrived claims that arrived
 * @param arrivedMice of which mice
 * @param arrivedMultiBlock of which demanding more than one block
 * @param granted claims granted
 * @param grantedMice of which mice
 * @param grantedMultiBlock of which demanding more than one block
 * @param denied claims denied (rejected, infeasible or timed out) before the end of the run
 * @param delaysNanos the delays of the granted claims, sorted ascending
 */
public record RunResult(
    int arrived,
    int arrivedMice,
    int arrivedMultiBlock,
    int granted,
    int grantedMice,
    int grantedMultiBlock,
    int denied,
    long[] delaysNanos) {

  public RunResult {
    delaysNanos = delaysNanos.clone();
    Arrays.sort(delaysNanos);
  }

  /** Elephants that arrived. */
  public int arrivedElephants() {
    return arrived - arrivedMice;
  }

  /** Elephants granted. */
  public int grantedElephants() {
    return granted - grantedMice;
  }

  /** Granted claims on a single block. */
  public int grantedOneBlock() {
    return granted - grantedMultiBlock;
  }

  /**
   * The delay (seconds) at percentile {@code p} in [0, 100] of the granted claims (nearest rank; 0
   * is the minimum), or NaN if none was granted.
   */
  public double delayPercentileSeconds(double p) {
    int n = delaysNanos.length;
    if (n == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100 * n);
    return delaysNanos[Math.max(0, Math.min(n - 1, rank - 1))] / 1e9;
  }

  /** The mean delay in seconds of the granted claims, or NaN if none was granted. */
  public double meanDelaySeconds() {
    if (delaysNanos.length == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (long d : delaysNanos) {
      s += d;
    }
    return s / delaysNanos.length / 1e9;
  }

  /** The sorted delays (a copy). */
  @Override
  public long[] delaysNanos() {
    return delaysNanos.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RunResult r
        && arrived == r.arrived
        && arrivedMice == r.arrivedMice
        && arrivedMultiBlock == r.arrivedMultiBlock
        && granted == r.granted
        && grantedMice == r.grantedMice
        && grantedMultiBlock == r.grantedMultiBlock
        && denied == r.denied
        && Arrays.equals(delaysNanos, r.delaysNanos);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(delaysNanos) * 31 + granted;
  }

  @Override
  public String toString() {
    return "RunResult{arrived="
        + arrived
        + ", granted="
        + granted
        + " (mice "
        + grantedMice
        + ", elephants "
        + grantedElephants()
        + "), denied="
        + denied
        + "}";
  }
}
