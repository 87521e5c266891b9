package dev.privacy.dpf.sim;

import java.util.List;

/**
 * One draw of a workload: its blocks and claims, each sorted by time, and the end of the run. A
 * trace is immutable and shared by every policy run on the same workload and seed (common random
 * numbers: policies are compared on the same arrivals).
 *
 * @param blocks the blocks, by creation time
 * @param claims the claims, by arrival time; claim {@code i} has index {@code i}
 * @param endNanos the end of the run: no event at or after it is processed
 * @param arrivalIntervalNanos the mean time between arrivals (the tick of time-driven policies)
 */
public record Trace(
    List<SimBlock> blocks, List<SimClaim> claims, long endNanos, long arrivalIntervalNanos) {

  public Trace {
    blocks = List.copyOf(blocks);
    claims = List.copyOf(claims);
    for (int i = 1; i < blocks.size(); i++) {
      if (blocks.get(i).createdNanos() < blocks.get(i - 1).createdNanos()) {
        throw new IllegalArgumentException("blocks must be sorted by creation time");
      }
    }
    for (int i = 0; i < claims.size(); i++) {
      SimClaim c = claims.get(i);
      if (c.index() != i) {
        throw new IllegalArgumentException("claim " + i + " has index " + c.index());
      }
      if (i > 0 && c.arrivalNanos() < claims.get(i - 1).arrivalNanos()) {
        throw new IllegalArgumentException("claims must be sorted by arrival time");
      }
    }
    if (arrivalIntervalNanos <= 0) {
      throw new IllegalArgumentException("arrivalIntervalNanos must be > 0");
    }
  }
}
