package dev.privacy.dpf.sim;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The paper's multi-block microbenchmark (REFERENCE section 3): {@code initialBlocks} blocks at the
 * start, then a new one every {@code blockInterval}; Poisson arrivals; each claim demands the
 * newest block with probability {@code oneBlockFraction}, otherwise the newest {@code manyBlocks}
 * (drawn independently of whether it is a mouse); mice demand {@code epsilon = 0.01}, elephants
 * {@code 0.1}, of blocks of {@code (1, 1e-6)}; the run lasts 300 s.
 *
 * <p>REFERENCE gives no timeout for this workload. The original script computes one, {@code 1500}
 * arrival intervals ("at max, 1500 tasks waiting in the queue"), but leaves timeouts disabled; we
 * enable it (117 s basic, 6.4 s Rényi), because without it the queue of a DPF-N run with a large N
 * grows without bound (see docs/evaluation.md).
 *
 * @param accounting basic or Rényi
 * @param miceFraction the fraction of mice, in [0, 1]
 * @param arrivalInterval the mean time between arrivals
 * @param timeout how long a claim may wait, or null for ever
 * @param duration the length of the run
 * @param initialBlocks the number of blocks at time 0
 * @param blockInterval the time between two new blocks
 * @param oneBlockFraction the fraction of claims that demand only the newest block
 * @param manyBlocks how many of the newest blocks the other claims demand
 * @param blockEpsilon a block's epsilon
 * @param blockDelta a block's delta
 * @param miceEpsilon a mouse's epsilon
 * @param elephantEpsilon an elephant's epsilon
 */
public record MultiBlockWorkload(
    Accounting accounting,
    double miceFraction,
    Duration arrivalInterval,
    Duration timeout,
    Duration duration,
    int initialBlocks,
    Duration blockInterval,
    double oneBlockFraction,
    int manyBlocks,
    double blockEpsilon,
    double blockDelta,
    double miceEpsilon,
    double elephantEpsilon)
    implements Workload {

  /** The basic-accounting arrival interval: 12.8 claims per second. */
  public static final Duration BASIC_INTERVAL = Arrivals.seconds(0.078125);

  /** The Rényi arrival interval (load 13.5 times the new budget). */
  public static final Duration RENYI_INTERVAL = Arrivals.seconds(0.004264781);

  public MultiBlockWorkload {
    Objects.requireNonNull(accounting, "accounting");
    Objects.requireNonNull(arrivalInterval, "arrivalInterval");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(blockInterval, "blockInterval");
    if (!(miceFraction >= 0 && miceFraction <= 1)) {
      throw new IllegalArgumentException("miceFraction must be in [0, 1], got " + miceFraction);
    }
    if (initialBlocks < 1 || manyBlocks < 1) {
      throw new IllegalArgumentException("initialBlocks and manyBlocks must be >= 1");
    }
  }

  /** The paper's parameters, with the given accounting and fraction of mice. */
  public static MultiBlockWorkload paper(Accounting accounting, double miceFraction) {
    Duration interval = accounting.isRenyi() ? RENYI_INTERVAL : BASIC_INTERVAL;
    return new MultiBlockWorkload(
        accounting,
        miceFraction,
        interval,
        interval.multipliedBy(1500),
        Duration.ofSeconds(300),
        11,
        Duration.ofSeconds(10),
        0.75,
        10,
        1.0,
        1e-6,
        0.01,
        0.1);
  }

  /** This workload with another duration. */
  public MultiBlockWorkload withDuration(Duration d) {
    return new MultiBlockWorkload(
        accounting,
        miceFraction,
        arrivalInterval,
        timeout,
        d,
        initialBlocks,
        blockInterval,
        oneBlockFraction,
        manyBlocks,
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
    SplittableRandom spans = root.split();
    long end = Arrivals.nanos(duration);
    long mean = Arrivals.nanos(arrivalInterval);
    long every = Arrivals.nanos(blockInterval);
    BlockCapacity cap = accounting.capacity(blockEpsilon, blockDelta);
    List<SimBlock> blocks = new ArrayList<>();
    for (int i = 0; i < initialBlocks; i++) {
      blocks.add(new SimBlock("b" + i, 0, cap));
    }
    for (long t = every; t < end; t += every) {
      blocks.add(new SimBlock("b" + blocks.size(), t, cap));
    }
    Budget mouse = accounting.demand(miceEpsilon);
    Budget elephant = accounting.demand(elephantEpsilon);
    Arrivals.Newest newest = new Arrivals.Newest(blocks);
    long[] at = Arrivals.poisson(times, mean, end);
    List<SimClaim> claims = new ArrayList<>(at.length);
    int existing = 0;
    for (int i = 0; i < at.length; i++) {
      while (existing < blocks.size() && blocks.get(existing).createdNanos() <= at[i]) {
        existing++;
      }
      boolean isMouse = kinds.nextDouble() < miceFraction;
      int k = spans.nextDouble() < oneBlockFraction ? 1 : manyBlocks;
      long deadline = timeout == null ? -1 : at[i] + Arrivals.nanos(timeout);
      claims.add(
          new SimClaim(
              i,
              at[i],
              newest.of(existing, k),
              isMouse ? mouse : elephant,
              isMouse ? miceEpsilon : elephantEpsilon,
              isMouse,
              deadline));
    }
    return new Trace(blocks, claims, end, mean);
  }
}
