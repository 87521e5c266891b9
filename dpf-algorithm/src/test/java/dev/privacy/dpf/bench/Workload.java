package dev.privacy.dpf.bench;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.budget.Mechanisms;
import dev.privacy.dpf.budget.Orders;
import dev.privacy.dpf.sched.BlockState;
import dev.privacy.dpf.sched.ClaimRequest;
import dev.privacy.dpf.sched.Policy;
import dev.privacy.dpf.sched.SchedulingEngine;
import dev.privacy.dpf.sched.UnlockRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The seeded synthetic workload of the performance targets (docs/performance.md), after the DPF
 * paper's mice/elephants micro-benchmark:
 *
 * <ul>
 *   <li>{@value #BLOCKS} blocks of {@code (epsilon, delta) = (10, 1e-7)}, under basic accounting or
 *       Rényi accounting over the 12 {@link Orders#DEFAULT} orders ({@link Conversion#TIGHT}), all
 *       unlocking by DPF-N ({@link UnlockRule.PerArrival}) with a configurable N;
 *   <li>claims on 1..19 blocks (uniform, mean 10), each on a contiguous window of blocks (a
 *       pipeline training on a range of consecutive data blocks) or on a random set of blocks;
 *   <li>{@value #MICE_PERCENT}% mice asking 1% of a block's budget, the rest elephants asking 10%.
 *       Basic accounting: exactly {@code (0.01 eps_G, 0.01 delta_G)} and {@code (0.1 eps_G, 0.1
 *       delta_G)}, as in the paper (so many claims tie on their shares: the comparator's worst
 *       case). Rényi accounting: a Gaussian mechanism whose sigma is chosen so that the demand is
 *       1% (10%) of the capacity at the order where it fits best, then jittered by a uniform factor
 *       in [0.9, 1.1] (claims rarely tie).
 * </ul>
 *
 * With {@value #CLAIMS} claims of 10 blocks on average over {@value #BLOCKS} blocks, a block sees
 * about 100 arrivals in the backlog state and about 190 in the steady state (see {@link #steady}).
 * DPF-N with N = 100 would therefore unlock (nearly) every block completely, after which an arrival
 * unlocks nothing and the engine has nothing to re-offer: the benchmarks use {@link
 * #DEFAULT_UNLOCK_N} = 300 so that blocks stay partly locked (about a third unlocked in the backlog
 * state, two thirds in the steady state, no block fully unlocked) and every arrival still unlocks
 * {@code G/N} on each of its blocks, which makes the engine re-offer budget to the claims waiting
 * there. Override with JMH's {@code -p unlockN=...}.
 *
 * <p>Everything is drawn from one {@link Random} with a fixed seed, so a run is reproducible.
 */
final class Workload {

  static final int BLOCKS = 10_000;
  static final int CLAIMS = 100_000;
  static final int MAX_BLOCKS_PER_CLAIM = 19;
  static final int MICE_PERCENT = 75;
  static final double BLOCK_EPSILON = 10;
  static final double BLOCK_DELTA = 1e-7;
  static final double MOUSE = 0.01;
  static final double ELEPHANT = 0.10;
  static final long SEED = 20_211_104L;
  static final int DEFAULT_UNLOCK_N = 300;

  /** Every event of the benchmarks happens at this instant (no rule here depends on the clock). */
  static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  /** Block accounting. */
  enum Accounting {
    BASIC,
    RENYI;

    static Accounting of(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  /** Which blocks a claim asks for. */
  enum Layout {
    /** A window of consecutive blocks at a uniformly random start. */
    CONTIGUOUS,
    /** Distinct blocks drawn uniformly at random. */
    RANDOM;

    static Layout of(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  final Accounting accounting;
  final Layout layout;
  final int unlockN;
  final BlockCapacity capacity;
  final List<String> blockIds;
  private final Random rnd;
  private final double mouseSigma;
  private final double elephantSigma;
  private final Budget basicMouse;
  private final Budget basicElephant;
  private long arrival;

  Workload(Accounting accounting, Layout layout, int unlockN, long seed) {
    this.accounting = accounting;
    this.layout = layout;
    this.unlockN = unlockN;
    this.rnd = new Random(seed);
    this.capacity =
        accounting == Accounting.BASIC
            ? BlockCapacity.basic(BLOCK_EPSILON, BLOCK_DELTA)
            : BlockCapacity.renyi(BLOCK_EPSILON, BLOCK_DELTA, Orders.DEFAULT, Conversion.TIGHT);
    List<String> ids = new ArrayList<>(BLOCKS);
    for (int i = 0; i < BLOCKS; i++) {
      ids.add(String.format(Locale.ROOT, "blk-%05d", i));
    }
    this.blockIds = List.copyOf(ids);
    this.basicMouse = Budget.epsDelta(MOUSE * BLOCK_EPSILON, MOUSE * BLOCK_DELTA);
    this.basicElephant = Budget.epsDelta(ELEPHANT * BLOCK_EPSILON, ELEPHANT * BLOCK_DELTA);
    // Gaussian: eps(a) = a / (2 sigma^2). Its smallest share of the capacity over the usable
    // orders is min_a(a / G(a)) / (2 sigma^2); solve for the sigma that makes it the target.
    double best = Double.POSITIVE_INFINITY;
    Budget g = capacity.capacity();
    if (accounting == Accounting.RENYI) {
      for (int i = 0; i < g.dimensions(); i++) {
        if (capacity.usable(i)) {
          best = Math.min(best, Orders.DEFAULT.alpha(i) / g.value(i));
        }
      }
    }
    this.mouseSigma = Math.sqrt(best / (2 * MOUSE));
    this.elephantSigma = Math.sqrt(best / (2 * ELEPHANT));
  }

  Workload(String accounting, String layout, int unlockN) {
    this(Accounting.of(accounting), Layout.of(layout), unlockN, SEED);
  }

  /** The blocks, fresh (nothing arrived yet). */
  List<BlockState> blocks() {
    UnlockRule rule = new UnlockRule.PerArrival(unlockN);
    List<BlockState> out = new ArrayList<>(BLOCKS);
    for (String id : blockIds) {
      out.add(BlockState.create(id, capacity, rule, T0));
    }
    return out;
  }

  /** An engine (DPF policy) holding the fresh blocks. */
  SchedulingEngine emptyEngine() {
    SchedulingEngine e = new SchedulingEngine(Policy.dpf());
    for (BlockState b : blocks()) {
      e.addBlock(b);
    }
    return e;
  }

  /** The next claim of the workload, with the next arrival number. */
  ClaimRequest nextClaim(String id) {
    int k = 1 + rnd.nextInt(MAX_BLOCKS_PER_CLAIM);
    List<String> blocks = new ArrayList<>(k);
    if (layout == Layout.CONTIGUOUS) {
      int start = rnd.nextInt(BLOCKS - k + 1);
      for (int i = 0; i < k; i++) {
        blocks.add(blockIds.get(start + i));
      }
    } else {
      while (blocks.size() < k) {
        String b = blockIds.get(rnd.nextInt(BLOCKS));
        if (!blocks.contains(b)) {
          blocks.add(b);
        }
      }
    }
    boolean mouse = rnd.nextInt(100) < MICE_PERCENT;
    Budget demand;
    if (accounting == Accounting.BASIC) {
      demand = mouse ? basicMouse : basicElephant;
    } else {
      double sigma = (mouse ? mouseSigma : elephantSigma) * (0.9 + 0.2 * rnd.nextDouble());
      demand = Mechanisms.gaussian(sigma, Orders.DEFAULT);
    }
    return ClaimRequest.of(id, blocks, demand, arrival++, null);
  }

  /**
   * The backlog state: {@value #CLAIMS} claims arrived on the fresh blocks (each unlocking {@code
   * G/N} on its blocks) and no pass has run yet, so all of them wait. The state a full pass faces
   * on a restart with a long queue, or after a burst of arrivals.
   */
  SchedulingEngine backlog() {
    SchedulingEngine e = emptyEngine();
    for (int i = 0; i < CLAIMS; i++) {
      e.arrive(nextClaim(claimId(i)), T0);
    }
    return e;
  }

  /**
   * The steady state: claims arrive in the backlog's way and passes run until, right after a pass,
   * exactly {@value #CLAIMS} claims wait (none of which fits: each was offered the unlocked budget
   * and skipped). The claims granted on the way keep their grants (allocated, not consumed).
   */
  SchedulingEngine steady() {
    SchedulingEngine e = emptyEngine();
    int next = 0;
    while (e.waitingCount() < CLAIMS) {
      int missing = CLAIMS - e.waitingCount();
      for (int i = 0; i < missing; i++) {
        e.arrive(nextClaim(claimId(next++)), T0);
      }
      e.pass(T0);
    }
    return e;
  }

  static String claimId(int i) {
    return String.format(Locale.ROOT, "claim-%07d", i);
  }

  /** A short description of a state, for the benchmark logs. */
  static String describe(SchedulingEngine e, Workload w) {
    long arrivals = 0;
    int fullyUnlocked = 0;
    double unlockedShare = 0;
    for (String id : w.blockIds) {
      BlockState b = e.block(id).orElseThrow();
      arrivals += b.arrivals();
      if (b.arrivals() >= w.unlockN) {
        fullyUnlocked++;
      }
      unlockedShare += Math.min(b.arrivals(), w.unlockN) / (double) w.unlockN;
    }
    return String.format(
        Locale.ROOT,
        "%s/%s N=%d: %d waiting, %d arrivals in total, %.1f arrivals per block, %.0f%% of the"
            + " budget unlocked on average, %d of %d blocks fully unlocked",
        w.accounting,
        w.layout,
        w.unlockN,
        e.waitingCount(),
        w.arrival,
        arrivals / (double) BLOCKS,
        100 * unlockedShare / BLOCKS,
        fullyUnlocked,
        BLOCKS);
  }
}
