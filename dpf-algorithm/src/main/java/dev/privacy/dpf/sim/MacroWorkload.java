package dev.privacy.dpf.sim;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A synthetic workload with the shape of the paper's macrobenchmark (Amazon Reviews; REFERENCE
 * section 3): one block a day of {@code (10, 1e-7)}, for 50 days; 300 claims a day (Poisson); 75%
 * mice of epsilon 0.01, 0.05 or 0.1 and 25% elephants of epsilon 0.5, 1 or 5 (uniformly); each
 * claim demands the most recent {@code k} blocks, {@code k} uniform in 1..500 (at most the blocks
 * that exist); claims time out after 5 days (5 blocks).
 *
 * @param accounting basic or Rényi
 * @param miceFraction the fraction of mice, in [0, 1]
 * @param days how many days (and blocks) the run lasts
 * @param claimsPerDay the mean number of claims a day
 * @param blockEpsilon a block's epsilon
 * @param blockDelta a block's delta
 * @param miceEpsilons the epsilons a mouse draws from
 * @param elephantEpsilons the epsilons an elephant draws from
 * @param maxBlocks the largest number of recent blocks a claim demands
 * @param timeout how long a claim may wait, or null for ever
 */
public record MacroWorkload(
    Accounting accounting,
    double miceFraction,
    int days,
    int claimsPerDay,
    double blockEpsilon,
    double blockDelta,
    List<Double> miceEpsilons,
    List<Double> elephantEpsilons,
    int maxBlocks,
    Duration timeout)
    implements Workload {

  /** One day of virtual time. */
  public static final Duration DAY = Duration.ofDays(1);

  public MacroWorkload {
    Objects.requireNonNull(accounting, "accounting");
    miceEpsilons = List.copyOf(miceEpsilons);
    elephantEpsilons = List.copyOf(elephantEpsilons);
    if (days < 1 || claimsPerDay < 1 || maxBlocks < 1) {
      throw new IllegalArgumentException("days, claimsPerDay and maxBlocks must be >= 1");
    }
    if (!(miceFraction >= 0 && miceFraction <= 1)) {
      throw new IllegalArgumentException("miceFraction must be in [0, 1], got " + miceFraction);
    }
  }

  /** The macrobenchmark's shape, with the given accounting and fraction of mice. */
  public static MacroWorkload paper(Accounting accounting, double miceFraction) {
    return new MacroWorkload(
        accounting,
        miceFraction,
        50,
        300,
        10,
        1e-7,
        List.of(0.01, 0.05, 0.1),
        List.of(0.5, 1.0, 5.0),
        500,
        DAY.multipliedBy(5));
  }

  /** This workload over another number of days. */
  public MacroWorkload withDays(int d) {
    return new MacroWorkload(
        accounting,
        miceFraction,
        d,
        claimsPerDay,
        blockEpsilon,
        blockDelta,
        miceEpsilons,
        elephantEpsilons,
        maxBlocks,
        timeout);
  }

  @Override
  public Duration arrivalInterval() {
    return DAY.dividedBy(claimsPerDay);
  }

  @Override
  public Trace generate(long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    SplittableRandom times = root.split();
    SplittableRandom kinds = root.split();
    SplittableRandom spans = root.split();
    long day = Arrivals.nanos(DAY);
    long end = day * days;
    long mean = Arrivals.nanos(arrivalInterval());
    BlockCapacity cap = accounting.capacity(blockEpsilon, blockDelta);
    List<SimBlock> blocks = new ArrayList<>(days);
    for (int i = 0; i < days; i++) {
      blocks.add(new SimBlock("day" + i, i * day, cap));
    }
    Map<Double, Budget> demands = new HashMap<>();
    Arrivals.Newest newest = new Arrivals.Newest(blocks);
    long[] at = Arrivals.poisson(times, mean, end);
    List<SimClaim> claims = new ArrayList<>(at.length);
    int existing = 0;
    for (int i = 0; i < at.length; i++) {
      while (existing < blocks.size() && blocks.get(existing).createdNanos() <= at[i]) {
        existing++;
      }
      boolean isMouse = kinds.nextDouble() < miceFraction;
      List<Double> choices = isMouse ? miceEpsilons : elephantEpsilons;
      double eps = choices.get(kinds.nextInt(choices.size()));
      int k = 1 + spans.nextInt(maxBlocks);
      long deadline = timeout == null ? -1 : at[i] + Arrivals.nanos(timeout);
      claims.add(
          new SimClaim(
              i,
              at[i],
              newest.of(existing, k),
              demands.computeIfAbsent(eps, accounting::demand),
              eps,
              isMouse,
              deadline));
    }
    return new Trace(blocks, claims, end, mean);
  }
}
