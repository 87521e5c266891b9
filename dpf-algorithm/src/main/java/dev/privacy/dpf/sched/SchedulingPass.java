package dev.privacy.dpf.sched;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.ledger.BlockLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One scheduling pass as a pure function of a {@link Snapshot} (DPF paper, section 4):
 *
 * <ol>
 *   <li>blocks that unlock over time (DPF-T) are brought up to date at {@code now};
 *   <li>each waiting claim that is malformed, past its deadline, or can never fit (above a block's
 *       capacity or above what is not consumed, at every usable order) is denied with the reason;
 *   <li>the others are walked in the policy's order, and each one that fits the unlocked budget on
 *       all of its blocks is granted there at once (all-or-nothing); the others are skipped;
 *   <li>each claim still waiting is told its place in the queue and the block and numbers that stop
 *       it.
 * </ol>
 *
 * <p>The fit test runs on exact fixed-point units (see {@link Budget}); the resulting ledgers go
 * through {@link BlockLedger#grant}, which checks every invariant again.
 */
public final class SchedulingPass {

  private SchedulingPass() {}

  /**
   * The outcome of a pass.
   *
   * @param decision what changed, for the caller to persist
   * @param after the snapshot with the decision applied
   * @param waiting the claims still waiting, in queue order, with the reason
   */
  public record Result(Decision decision, Snapshot after, List<Waiting> waiting) {}

  /** Runs a pass over {@code snapshot} at {@code now} under {@code policy}. */
  public static Result run(Snapshot snapshot, Policy policy, Instant now) {
    Map<String, BlockState> blocks = new HashMap<>(snapshot.blocks());
    TreeMap<String, BlockLedger> changed = new TreeMap<>();
    for (BlockState b : snapshot.blocks().values()) {
      if (b.unlock().timeDriven()) {
        BlockState n = b.unlockedAt(now);
        if (n != b) {
          blocks.put(n.id(), n);
          changed.put(n.id(), n.ledger());
        }
      }
    }

    // Working copies of the unlocked units, created for the blocks a candidate touches.
    Map<String, Work> work = new HashMap<>();
    List<Denial> denials = new ArrayList<>();
    List<Candidate> candidates = new ArrayList<>();
    for (ClaimRequest c : snapshot.waiting()) {
      Denial d = Rules.validate(c, blocks::get);
      if (d == null) {
        d = Rules.timedOut(c, now);
      }
      Work[] ws = null;
      BlockLedger[] ledgers = null;
      if (d == null) {
        int n = c.blocks().size();
        ws = new Work[n];
        ledgers = new BlockLedger[n];
        for (int i = 0; i < n; i++) {
          ws[i] =
              work.computeIfAbsent(c.blocks().get(i), id -> new Work(id, blocks.get(id).ledger()));
          ledgers[i] = ws[i].ledger;
        }
        d = Rules.infeasible(c, ledgers);
      }
      if (d != null) {
        denials.add(d);
      } else {
        candidates.add(new Candidate(c, Rules.shares(c, ledgers), ws));
      }
    }
    candidates.sort(policy);

    List<Grant> grants = new ArrayList<>();
    List<Candidate> still = new ArrayList<>();
    for (Candidate cand : candidates) {
      if (cand.fits()) {
        cand.take();
        grants.add(new Grant(cand.id(), cand.request.blocks(), cand.request.demands()));
      } else {
        still.add(cand);
      }
    }

    for (Work w : work.values()) {
      if (w.granted != null) {
        BlockLedger l = w.ledger.grant(w.granted);
        String id = w.id;
        blocks.put(id, blocks.get(id).withLedger(l));
        changed.put(id, l);
      }
    }
    denials.sort(java.util.Comparator.comparing(Denial::claimId));
    Decision decision = new Decision(grants, denials, changed);
    Snapshot after = snapshot.apply(decision);

    List<Waiting> waiting = new ArrayList<>(still.size());
    int position = 1;
    for (Candidate cand : still) {
      BlockLedger[] ledgers = new BlockLedger[cand.work.length];
      for (int i = 0; i < ledgers.length; i++) {
        ledgers[i] = blocks.get(cand.work[i].id).ledger();
      }
      waiting.add(Rules.waiting(cand.request, ledgers, position++, cand.dominantShare()));
    }
    return new Result(decision, after, waiting);
  }

  /** A block's unlocked units during the pass, and what the pass granted on it. */
  private static final class Work {
    final String id;
    final BlockLedger ledger;
    final long[] unlocked;
    final boolean[] live;
    final boolean basic;
    Budget granted;

    Work(String id, BlockLedger ledger) {
      this.ledger = ledger;
      this.id = id;
      Budget u = ledger.unlocked();
      this.unlocked = new long[u.dimensions()];
      for (int i = 0; i < unlocked.length; i++) {
        unlocked[i] = u.units(i);
      }
      this.live = ledger.liveFlags();
      this.basic = u.kind() == Budget.Kind.BASIC;
    }
  }

  private static final class Candidate extends Rules.Ranked {
    final Work[] work;

    Candidate(ClaimRequest request, double[] shares, Work[] work) {
      super(request, shares);
      this.work = work;
    }

    boolean fits() {
      for (int k = 0; k < work.length; k++) {
        if (!Kernel.fits(request.demands().get(k), work[k].unlocked, work[k].live, work[k].basic)) {
          return false;
        }
      }
      return true;
    }

    void take() {
      for (int k = 0; k < work.length; k++) {
        Work w = work[k];
        Budget d = request.demands().get(k);
        Kernel.subtract(w.unlocked, d);
        w.granted = w.granted == null ? d : w.granted.plus(d);
      }
    }
  }
}
