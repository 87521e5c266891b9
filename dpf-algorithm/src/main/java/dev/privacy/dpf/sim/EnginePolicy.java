package dev.privacy.dpf.sim;

import dev.privacy.dpf.ledger.BlockLedger;
import dev.privacy.dpf.sched.BlockState;
import dev.privacy.dpf.sched.ClaimRequest;
import dev.privacy.dpf.sched.Decision;
import dev.privacy.dpf.sched.Denial;
import dev.privacy.dpf.sched.Grant;
import dev.privacy.dpf.sched.Policy;
import dev.privacy.dpf.sched.SchedulingEngine;
import dev.privacy.dpf.sched.UnlockRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A policy run by the core's {@link SchedulingEngine}, the one the operator uses: an unlocking rule
 * and an order of claims. DPF-N, DPF-T and FCFS are three of them; any other {@link Policy} plugs
 * in through the constructor.
 *
 * <p>Each arrival is followed by a pass at the same instant; time-driven rules (DPF-T) also get a
 * pass on a timer tick of one mean arrival interval, skipped when a pass ran less than a tick ago.
 * No pass is run at claims' deadlines: under DPF-N and FCFS budget only appears at arrivals, and
 * the engine denies every claim whose deadline has passed before it grants anything, so no claim is
 * ever granted after its deadline.
 *
 * <p>Granted claims consume their whole grant, as in the paper's simulator, but in batches: at the
 * first pass at least 10 mean arrival intervals (and at least 1 s) of virtual time after the
 * previous batch. Consuming moves budget from allocated to consumed and leaves the unlocked budget,
 * which is all that grants depend on, unchanged; so grants and their times are exactly those of
 * consuming at once (a test checks it). What changes is only when a waiting claim that can no
 * longer fit is denied as infeasible; consuming in batches saves the engine's scan of the waiting
 * claims after every consumption, which dominates long Rényi runs.
 */
public final class EnginePolicy implements SimPolicy {

  /** What happens to a claim that the pass at its arrival does not grant. */
  public enum Admission {
    /** It waits in the queue until granted, found infeasible, or timed out. */
    WAIT,
    /**
     * It is rejected at once: the original simulator's FCFS, admission on arrival (REFERENCE
     * section 3).
     */
    ADMIT_OR_REJECT
  }

  private final String name;
  private final String describe;
  private final UnlockRule rule;
  private final Policy order;
  private final Admission admission;
  private final Duration consumeBatch;

  /**
   * A policy on the engine.
   *
   * @param name its short name
   * @param describe its name with its parameter
   * @param rule how blocks unlock
   * @param order the order of waiting claims
   * @param admission what happens to a claim not granted on arrival
   */
  public EnginePolicy(
      String name, String describe, UnlockRule rule, Policy order, Admission admission) {
    this(name, describe, rule, order, admission, null);
  }

  private EnginePolicy(
      String name,
      String describe,
      UnlockRule rule,
      Policy order,
      Admission admission,
      Duration consumeBatch) {
    this.name = Objects.requireNonNull(name, "name");
    this.describe = Objects.requireNonNull(describe, "describe");
    this.rule = Objects.requireNonNull(rule, "rule");
    this.order = Objects.requireNonNull(order, "order");
    this.admission = Objects.requireNonNull(admission, "admission");
    this.consumeBatch = consumeBatch; // null: 10 mean arrival intervals, at least 1 s
  }

  /**
   * This policy with grants consumed at the first pass at least {@code batch} after the previous
   * consumption ({@link Duration#ZERO}: right after each grant).
   */
  public EnginePolicy withConsumeBatch(Duration batch) {
    return new EnginePolicy(
        name, describe, rule, order, admission, Objects.requireNonNull(batch, "batch"));
  }

  /** DPF-N: each arrival unlocks {@code 1/N} of each of its blocks; DPF order. */
  public static EnginePolicy dpfN(int n) {
    return new EnginePolicy(
        "dpf-n", "dpf-n N=" + n, new UnlockRule.PerArrival(n), Policy.dpf(), Admission.WAIT);
  }

  /** DPF-T: blocks unlock linearly over the lifetime {@code T}; DPF order. */
  public static EnginePolicy dpfT(Duration lifetime) {
    return new EnginePolicy(
        "dpf-t",
        "dpf-t T=" + Sweep.formatSeconds(lifetime),
        new UnlockRule.OverTime(lifetime),
        Policy.dpf(),
        Admission.WAIT);
  }

  /**
   * FCFS as in the original simulator: all unlocked, granted on arrival if it fits, else rejected.
   */
  public static EnginePolicy fcfs() {
    return new EnginePolicy(
        "fcfs", "fcfs", new UnlockRule.AllAtOnce(), Policy.fcfs(), Admission.ADMIT_OR_REJECT);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String describe() {
    return describe;
  }

  @Override
  public SimScheduler start(Trace trace) {
    long batch =
        consumeBatch != null
            ? consumeBatch.toNanos()
            : Math.max(1_000_000_000L, 10 * trace.arrivalIntervalNanos());
    return new Run(rule.timeDriven() ? trace.arrivalIntervalNanos() : 0, batch);
  }

  @Override
  public String toString() {
    return describe;
  }

  private final class Run implements SimScheduler {
    private final SchedulingEngine engine = new SchedulingEngine(order);
    private final List<String> blocks = new ArrayList<>();
    private final List<String> unconsumed = new ArrayList<>();
    private final long tick;
    private final long batch;
    // far enough in the past that "now - last" cannot overflow
    private long lastPass = Long.MIN_VALUE / 4;
    private long lastConsume = Long.MIN_VALUE / 4;

    Run(long tick, long batch) {
      this.tick = tick;
      this.batch = batch;
    }

    @Override
    public void addBlock(SimBlock block, long nowNanos) {
      engine.addBlock(
          BlockState.create(
              block.id(), block.capacity(), rule, VirtualTime.instant(block.createdNanos())));
      blocks.add(block.id());
    }

    @Override
    public void arrive(SimClaim claim, long nowNanos, Outcomes out) {
      engine.arrive(
          ClaimRequest.of(
              claim.id(),
              claim.blocks(),
              claim.demand(),
              claim.index(),
              claim.hasDeadline() ? VirtualTime.instant(claim.deadlineNanos()) : null),
          VirtualTime.instant(nowNanos));
      if (!canEverFit(claim)) {
        // The engine would deny it as Infeasible once every grant is consumed; withdrawing it here
        // skips building a denial message nobody reads. Its arrival has been counted (and has
        // unlocked its share), as the original counts every arrival.
        engine.cancel(claim.id());
        out.denied(claim.index(), nowNanos);
      }
      pass(nowNanos, out);
      if (admission == Admission.ADMIT_OR_REJECT && engine.cancel(claim.id())) {
        out.denied(claim.index(), nowNanos);
      }
    }

    @Override
    public long tickNanos() {
      return tick;
    }

    @Override
    public void tick(long nowNanos, Outcomes out) {
      if (nowNanos - lastPass >= tick) {
        pass(nowNanos, out);
      }
    }

    /**
     * {@link BlockLedger#canEverFit} as it will be once every grant is consumed: the demand fits
     * what is neither granted nor consumed, {@code L + U}, at a live order (the whole demand under
     * basic accounting).
     */
    private boolean canEverFit(SimClaim claim) {
      for (String id : claim.blocks()) {
        BlockLedger l = engine.block(id).orElseThrow().ledger();
        if (!claim.demand().fitsWithin(l.locked().plus(l.unlocked()), l.liveFlags())) {
          return false;
        }
      }
      return true;
    }

    private void pass(long nowNanos, Outcomes out) {
      lastPass = nowNanos;
      if (!unconsumed.isEmpty() && nowNanos - lastConsume >= batch) {
        for (String id : unconsumed) {
          engine.consume(id, null);
        }
        unconsumed.clear();
        lastConsume = nowNanos;
      }
      Decision d = engine.pass(VirtualTime.instant(nowNanos));
      for (Grant g : d.grants()) {
        if (batch == 0) {
          engine.consume(g.claimId(), null);
        } else {
          unconsumed.add(g.claimId());
        }
        out.granted(SimClaim.index(g.claimId()), nowNanos);
      }
      for (Denial x : d.denials()) {
        out.denied(SimClaim.index(x.claimId()), nowNanos);
      }
    }

    @Override
    public void forEachLedger(BiConsumer<String, BlockLedger> action) {
      for (String id : blocks) {
        action.accept(id, engine.block(id).orElseThrow().ledger());
      }
    }
  }
}
