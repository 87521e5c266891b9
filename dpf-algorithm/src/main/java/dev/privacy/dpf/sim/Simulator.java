package dev.privacy.dpf.sim;

import java.util.List;
import java.util.PriorityQueue;

/**
 * The discrete-event simulator: plays a {@link Trace} against a {@link SimPolicy} on a virtual
 * clock. Events are block creations, claim arrivals, claim deadlines (for policies that ask for
 * them) and timer ticks (for time-driven policies); at the same instant they are handled in that
 * order. No event at or after the trace's end is handled; claims still waiting then count as not
 * granted.
 */
public final class Simulator {

  private Simulator() {}

  /** Runs {@code policy} on {@code trace}. */
  public static RunResult run(Trace trace, SimPolicy policy) {
    return run(trace, policy, null);
  }

  /** Runs {@code policy} on {@code trace}, calling {@code observer} after every event. */
  public static RunResult run(Trace trace, SimPolicy policy, SimObserver observer) {
    SimScheduler s = policy.start(trace);
    Recorder rec = new Recorder(trace.claims());
    List<SimBlock> blocks = trace.blocks();
    List<SimClaim> claims = trace.claims();
    long end = trace.endNanos();
    long tick = s.tickNanos();
    boolean deadlines = s.wantsDeadlines();
    PriorityQueue<long[]> due =
        new PriorityQueue<>(
            (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    long nextTick = tick > 0 ? tick : Long.MAX_VALUE;
    int bi = 0;
    int ci = 0;
    while (true) {
      long tb = bi < blocks.size() ? blocks.get(bi).createdNanos() : Long.MAX_VALUE;
      long tc = ci < claims.size() ? claims.get(ci).arrivalNanos() : Long.MAX_VALUE;
      long td = due.isEmpty() ? Long.MAX_VALUE : due.peek()[0];
      long t = Math.min(Math.min(tb, tc), Math.min(td, nextTick));
      if (t >= end) {
        break;
      }
      if (tb == t) {
        s.addBlock(blocks.get(bi++), t);
      } else if (td == t) {
        int idx = (int) due.poll()[1];
        if (rec.open(idx)) {
          s.deadline(claims.get(idx), t, rec);
        }
      } else if (tc == t) {
        SimClaim c = claims.get(ci++);
        rec.arrived(c);
        s.arrive(c, t, rec);
        if (deadlines && c.hasDeadline() && rec.open(c.index())) {
          due.add(new long[] {c.deadlineNanos(), c.index()});
        }
      } else {
        s.tick(t, rec);
        nextTick += tick;
      }
      if (observer != null) {
        observer.afterEvent(t, s);
      }
    }
    return rec.result();
  }

  /** Collects outcomes and checks that each claim is decided at most once, after it arrived. */
  private static final class Recorder implements Outcomes {
    private static final byte UNSEEN = 0;
    private static final byte WAITING = 1;
    private static final byte GRANTED = 2;
    private static final byte DENIED = 3;

    private final List<SimClaim> claims;
    private final byte[] state;
    private final long[] delays;
    private int arrived;
    private int arrivedMice;
    private int arrivedMulti;
    private int granted;
    private int grantedMice;
    private int grantedMulti;
    private int denied;

    Recorder(List<SimClaim> claims) {
      this.claims = claims;
      this.state = new byte[claims.size()];
      this.delays = new long[claims.size()];
    }

    boolean open(int idx) {
      return state[idx] == WAITING;
    }

    void arrived(SimClaim c) {
      state[c.index()] = WAITING;
      arrived++;
      if (c.mouse()) {
        arrivedMice++;
      }
      if (c.blocks().size() > 1) {
        arrivedMulti++;
      }
    }

    @Override
    public void granted(int idx, long nowNanos) {
      SimClaim c = decide(idx, GRANTED);
      if (c.hasDeadline() && nowNanos >= c.deadlineNanos()) {
        throw new IllegalStateException("claim " + c.id() + " granted at or after its deadline");
      }
      delays[granted++] = nowNanos - c.arrivalNanos();
      if (c.mouse()) {
        grantedMice++;
      }
      if (c.blocks().size() > 1) {
        grantedMulti++;
      }
    }

    @Override
    public void denied(int idx, long nowNanos) {
      decide(idx, DENIED);
      denied++;
    }

    private SimClaim decide(int idx, byte to) {
      if (state[idx] != WAITING) {
        throw new IllegalStateException(
            "claim " + SimClaim.id(idx) + " decided twice or before it arrived");
      }
      state[idx] = to;
      return claims.get(idx);
    }

    RunResult result() {
      return new RunResult(
          arrived,
          arrivedMice,
          arrivedMulti,
          granted,
          grantedMice,
          grantedMulti,
          denied,
          java.util.Arrays.copyOf(delays, granted));
    }
  }
}
