package dev.privacy.dpf.sim;

import dev.privacy.dpf.budget.Budget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The paper's single-block microbenchmark (REFERENCE section 3): one static block of {@code
 * (epsilon_G, delta_G) = (1, 1e-6)}; Poisson arrivals, one per second on average; each claim is a
 * mouse ({@code epsilon = 0.01}) with probability {@code miceFraction}, otherwise an elephant
 * ({@code epsilon = 0.1}); claims time out after 300 s; the run lasts {@code 100 x 2.3625} s
 * (basic) or {@code 14514 x 2.3625} s (Rényi), truncated to whole seconds as the original did.
 *
 * @param accounting basic or Rényi
 * @param miceFraction the fraction of mice, in [0, 1]
 * @param arrivalInterval the mean time between arrivals
 * @param timeout how long a claim may wait, or null for ever
 * @param duration the length of the run
 * @param blockEpsilon the block's epsilon
 * @param blockDelta the block's delta
 * @param miceEpsilon a mouse's epsilon
 * @param elephantEpsilon an elephant's epsilon
 */
public record SingleBlockWorkload(
    Accounting accounting,
    double miceFraction,
    Duration arrivalInterval,
    Duration timeout,
    Duration duration,
    double blockEpsilon,
    double blockDelta,
    double miceEpsilon,
    double elephantEpsilon)
    implements Workload {

  /** The block's id. */
  public static final String BLOCK = "b0";

  public SingleBlockWorkload {
    Objects.requireNonNull(accounting, "accounting");
    Objects.requireNonNull(arrivalInterval, "arrivalInterval");
    Objects.requireNonNull(duration, "duration");
    if (!(miceFraction >= 0 && miceFraction <= 1)) {
      throw new IllegalArgumentException("miceFraction must be in [0, 1], got " + miceFraction);
    }
  }

  /** The paper's parameters, with the given accounting and fraction of mice. */
  public static SingleBlockWorkload paper(Accounting accounting, double miceFraction) {
    long claims = accounting.isRenyi() ? 14514 : 100;
    // the original: '%d s' % (arrival_interval * max_amount * 2.25 * 1.05), i.e. truncated
    long seconds = (long) (claims * 2.3625);
    return new SingleBlockWorkload(
        accounting,
        miceFraction,
        Duration.ofSeconds(1),
        Duration.ofSeconds(300),
        Duration.ofSeconds(seconds),
        1.0,
        1e-6,
        0.01,
        0.1);
  }

  /** This workload with another duration. */
  public SingleBlockWorkload withDuration(Duration d) {
    return new SingleBlockWorkload(
        accounting,
        miceFraction,
        arrivalInterval,
        timeout,
        d,
        blockEpsilon,
        blockDelta,
        miceEpsilon,
        elephantEpsilon);
  }

  @Override
  public Trace generate(long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    SplittableRandom times = root.split();
    SplittableRandom kinds = root.split();
    long end = Arrivals.nanos(duration);
    long mean = Arrivals.nanos(arrivalInterval);
    SimBlock block = new SimBlock(BLOCK, 0, accounting.capacity(blockEpsilon, blockDelta));
    Budget mouse = accounting.demand(miceEpsilon);
    Budget elephant = accounting.demand(elephantEpsilon);
    List<String> blocks = List.of(BLOCK);
    long[] at = Arrivals.poisson(times, mean, end);
    List<SimClaim> claims = new ArrayList<>(at.length);
    for (int i = 0; i < at.length; i++) {
      boolean isMouse = kinds.nextDouble() < miceFraction;
      long deadline = timeout == null ? -1 : at[i] + Arrivals.nanos(timeout);
      claims.add(
          new SimClaim(
              i,
              at[i],
              blocks,
              isMouse ? mouse : elephant,
              isMouse ? miceEpsilon : elephantEpsilon,
              isMouse,
              deadline));
    }
    return new Trace(List.of(block), claims, end, mean);
  }
}
